/**
 * The firmware list: files the user added (drag and drop or the file input), each read with the File API, sent as
 * bytes to `inspectFirmware` (which caches them by SHA-256) and placed at an offset the user may edit in hex.
 * An ESP Web Tools manifest added together with its part files places the parts at the manifest's offsets, matched
 * by file name; parts not added yet are listed as missing.
 */
import type { KilnApi, Manifest, FirmwareSummary, UiError } from '../api/types';
import { toUiError } from '../lib/errors';
import { formatHex, parseOffset } from '../lib/format';

export type FirmwareStatus = 'inspecting' | 'ready' | 'error';

export interface FirmwareItem {
  key: number;
  name: string;
  size: number;
  status: FirmwareStatus;
  summary?: FirmwareSummary;
  error?: UiError;
  /** Parsed offset; undefined while the text is invalid. */
  offset: number | undefined;
  offsetText: string;
  /** Offset came from a manifest part (shown as such). */
  fromManifest: boolean;
}

export interface LoadedManifest {
  manifest: Manifest;
  buildIndex: number;
}

/** Reads a File's bytes; `File.arrayBuffer` where available, FileReader otherwise. */
export async function readFileBytes(file: Blob): Promise<Uint8Array<ArrayBuffer>> {
  if (typeof file.arrayBuffer === 'function') return new Uint8Array(await file.arrayBuffer());
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(file);
  });
}

async function readFileText(file: Blob): Promise<string> {
  return new TextDecoder().decode(await readFileBytes(file));
}

function baseName(path: string): string {
  const clean = path.split(/[?#]/)[0] ?? path;
  return clean.slice(clean.lastIndexOf('/') + 1);
}

export function isManifestFile(file: { name: string }): boolean {
  return /\.json$/i.test(file.name);
}

export class FirmwareListState {
  items = $state<FirmwareItem[]>([]);
  manifest = $state<LoadedManifest | undefined>(undefined);
  manifestError = $state<UiError | undefined>(undefined);

  readonly busy = $derived(this.items.some((i) => i.status === 'inspecting'));
  /** Every file inspected, every offset valid, at least one file: the Flash button may be enabled. */
  readonly ready = $derived(
    this.items.length > 0 && this.items.every((i) => i.status === 'ready' && i.offset !== undefined),
  );
  readonly build = $derived(
    this.manifest ? this.manifest.manifest.builds[this.manifest.buildIndex] : undefined,
  );
  /** Manifest parts with no matching file yet. */
  readonly missingParts = $derived(
    this.build
      ? this.build.parts
          .filter((p) => !this.items.some((i) => i.name === baseName(p.path)))
          .map((p) => baseName(p.path))
      : [],
  );

  readonly #api: KilnApi;
  #nextKey = 1;

  constructor(api: KilnApi) {
    this.#api = api;
  }

  /**
   * Adds dropped or chosen files. A `.json` is read as an ESP Web Tools manifest; the others are firmware images.
   * `chip` (the identified chip, if any) picks the manifest build.
   */
  async addFiles(files: Iterable<File>, chip?: string): Promise<void> {
    const list = [...files];
    const manifests = list.filter(isManifestFile);
    const images = list.filter((f) => !isManifestFile(f));
    if (manifests.length > 0) await this.loadManifest(manifests[0]!, chip);
    await Promise.all(images.map((f) => this.#addImage(f)));
  }

  async loadManifest(file: File, chip?: string): Promise<void> {
    try {
      const manifest = await this.#api.parseManifest({ json: await readFileText(file) });
      let buildIndex = chip ? manifest.builds.findIndex((b) => b.chip === chip) : 0;
      if (buildIndex < 0) buildIndex = 0;
      this.manifest = { manifest, buildIndex };
      this.manifestError = undefined;
      this.#placeFromManifest();
    } catch (e) {
      this.manifestError = toUiError(e);
    }
  }

  /** Switches to another build of the loaded manifest (another chip family) and re-places matching files. */
  chooseBuild(index: number): void {
    if (!this.manifest || index < 0 || index >= this.manifest.manifest.builds.length) return;
    this.manifest.buildIndex = index;
    this.#placeFromManifest();
  }

  clearManifest(): void {
    this.manifest = undefined;
    this.manifestError = undefined;
    for (const item of this.items) item.fromManifest = false;
  }

  setOffset(key: number, text: string): void {
    const item = this.items.find((i) => i.key === key);
    if (!item) return;
    item.offsetText = text;
    item.offset = parseOffset(text);
    item.fromManifest = false;
  }

  remove(key: number): void {
    this.items = this.items.filter((i) => i.key !== key);
  }

  clear(): void {
    this.items = [];
    this.clearManifest();
  }

  /** What `startFlash` takes. Only meaningful when `ready`. */
  toImages(): { sha256: string; offset: number; name: string }[] {
    return this.items
      .filter((i) => i.status === 'ready' && i.summary && i.offset !== undefined)
      .map((i) => ({ sha256: i.summary!.sha256, offset: i.offset!, name: i.name }));
  }

  async #addImage(file: File): Promise<void> {
    const key = this.#nextKey++;
    this.items.push({
      key,
      name: file.name,
      size: file.size,
      status: 'inspecting',
      offset: undefined,
      offsetText: '',
      fromManifest: false,
    });
    // Read back through the proxy so later writes are seen by the UI.
    const item = () => this.items.find((i) => i.key === key);
    try {
      const bytes = await readFileBytes(file);
      const summary = await this.#api.inspectFirmware({ name: file.name, bytes });
      const it = item();
      if (!it) return; // removed while inspecting
      it.summary = summary;
      it.size = summary.size;
      it.status = 'ready';
      const part = this.#manifestPartFor(file.name);
      // Without a manifest part or a suggestion, only the first file has an obvious place (0x0).
      const offset =
        part?.offset ?? summary.info.suggestedOffset ?? (this.items[0]?.key === key ? 0 : undefined);
      it.fromManifest = part !== undefined;
      it.offset = offset;
      it.offsetText = offset === undefined ? '' : formatHex(offset);
    } catch (e) {
      const it = item();
      if (!it) return;
      it.status = 'error';
      it.error = toUiError(e);
    }
  }

  #manifestPartFor(name: string): { path: string; offset: number } | undefined {
    return this.build?.parts.find((p) => baseName(p.path) === name);
  }

  #placeFromManifest(): void {
    for (const item of this.items) {
      const part = this.#manifestPartFor(item.name);
      if (part) {
        item.offset = part.offset;
        item.offsetText = formatHex(part.offset);
        item.fromManifest = true;
      }
    }
  }
}
