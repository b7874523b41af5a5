/**
 * The firmware list: files the user added (drag and drop or the file input), each read with the File API, sent as
 * bytes to `inspectFirmware` (which caches them by SHA-256) and placed at an offset the user may edit in hex.
 * An ESP Web Tools manifest added together with its part files places the parts at the manifest's offsets, matched
 * by file name; parts not added yet are listed as missing. The manifest's build is the one for the board's chip once
 * Kiln knows it (a virtual board's chip, Identify, a finished flash) or the one the user picks; files that belong only
 * to another build are set aside (neither shown as parts nor flashed). `flashBlockedReason` says in plain words why
 * Flash cannot start yet.
 */
import type { KilnApi, Manifest, FirmwareSummary, UiError } from '../api/types';
import { chipLabel } from '../lib/chips';
import { toUiError } from '../lib/errors';
import { findOverlaps, overlapReason } from '../lib/firmware-warnings';
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
  /** The build in use; undefined while a manifest with several builds waits for the chip or the user's pick. */
  buildIndex: number | undefined;
  /** Who chose the build: the user's pick is kept when the chip becomes known. */
  chosenBy?: 'chip' | 'user' | 'only';
}

/** A build set aside because another one was chosen, with the files of it the user added. */
export interface OtherBuild {
  chipFamily: string;
  /** True when the chip is known and this build is not for it (not merely unchosen). */
  notForThisBoard: boolean;
  files: string[];
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
  /** The board's chip when Kiln knows it (a virtual board's chip, Identify, a finished flash). */
  knownChip = $state<string | undefined>(undefined);

  readonly build = $derived(
    this.manifest?.buildIndex !== undefined
      ? this.manifest.manifest.builds[this.manifest.buildIndex]
      : undefined,
  );
  /** The files that take part: all of them, less those that belong only to a manifest build not chosen. */
  readonly shown = $derived(this.items.filter((i) => !this.#belongsElsewhere(i.name)));
  /** The manifest's other builds, once one is chosen (shown as one quiet line, their files not flashed). */
  readonly otherBuilds = $derived<OtherBuild[]>(
    this.manifest && this.build
      ? this.manifest.manifest.builds
          .filter((b) => b !== this.build)
          .map((b) => ({
            chipFamily: b.chipFamily,
            notForThisBoard: this.knownChip !== undefined && b.chip !== this.knownChip,
            files: this.items
              .filter(
                (i) => b.parts.some((p) => baseName(p.path) === i.name) && this.#belongsElsewhere(i.name),
              )
              .map((i) => i.name),
          }))
      : [],
  );
  readonly busy = $derived(this.shown.some((i) => i.status === 'inspecting'));
  /** Manifest parts with no matching file yet. */
  readonly missingParts = $derived(
    this.build
      ? this.build.parts
          .filter((p) => !this.items.some((i) => i.name === baseName(p.path)))
          .map((p) => baseName(p.path))
      : [],
  );
  /** Pairs of files whose places in flash overlap. */
  readonly overlaps = $derived(findOverlaps(this.shown));
  /**
   * Why Flash cannot start, in plain words, or undefined when it can: the Flash button is disabled with this as
   * its reason (the port is the screen's own concern).
   */
  readonly flashBlockedReason = $derived.by((): string | undefined => {
    const m = this.manifest;
    const families = m?.manifest.builds.map((b) => b.chipFamily).join(' and ');
    if (m && m.buildIndex === undefined && this.knownChip)
      return `This manifest has no build for ${chipLabel(this.knownChip)} (only ${families}): it is not made for this board.`;
    if (m && m.buildIndex === undefined)
      return `This manifest has builds for ${families}: press Identify so Kiln picks the one for this board, or choose the build.`;
    if (this.shown.length === 0) return 'Add a firmware file.';
    if (this.missingParts.length > 0)
      return `Part of the firmware is missing: add ${this.missingParts.join(', ')} (named in the manifest).`;
    if (this.busy) return 'Inspecting files…';
    if (this.shown.some((i) => i.status === 'error'))
      return 'A file could not be read as firmware: remove it or add the right one.';
    if (this.shown.some((i) => i.offset === undefined)) return 'Enter the flash offset of every file.';
    const overlap = this.overlaps[0];
    if (overlap) return overlapReason(overlap);
    return undefined;
  });
  /** Every file inspected and placed, no part missing, nothing overlapping: the Flash button may be enabled. */
  readonly ready = $derived(this.flashBlockedReason === undefined);
  /** The manifest asks (ESP Web Tools `new_install_prompt_erase`) whether to erase the whole flash first. */
  readonly promptErase = $derived(this.manifest?.manifest.newInstallPromptErase === true);

  readonly #api: KilnApi;
  #nextKey = 1;

  constructor(api: KilnApi) {
    this.#api = api;
  }

  /**
   * Adds dropped or chosen files. A `.json` is read as an ESP Web Tools manifest; the others are firmware images.
   * `chip` (the identified chip, if any) picks the manifest build.
   */
  async addFiles(files: Iterable<File>): Promise<void> {
    const list = [...files];
    const manifests = list.filter(isManifestFile);
    const images = list.filter((f) => !isManifestFile(f));
    if (manifests.length > 0) await this.loadManifest(manifests[0]!);
    await Promise.all(images.map((f) => this.#addImage(f)));
  }

  async loadManifest(file: File): Promise<void> {
    try {
      const manifest = await this.#api.parseManifest({ json: await readFileText(file) });
      this.manifest =
        manifest.builds.length === 1
          ? { manifest, buildIndex: 0, chosenBy: 'only' }
          : { manifest, buildIndex: undefined };
      this.manifestError = undefined;
      this.#chooseForChip();
      this.#placeFromManifest();
    } catch (e) {
      this.manifestError = toUiError(e);
    }
  }

  /**
   * Tells the list which chip the board has (undefined: not known). A manifest then uses the build for that chip,
   * unless the user picked one themselves.
   */
  setKnownChip(chip: string | undefined): void {
    if (chip === this.knownChip) return;
    this.knownChip = chip;
    this.#chooseForChip();
    this.#placeFromManifest();
  }

  /** The user picks a build of the loaded manifest (another chip family); matching files are re-placed. */
  chooseBuild(index: number): void {
    if (!this.manifest || index < 0 || index >= this.manifest.manifest.builds.length) return;
    this.manifest.buildIndex = index;
    this.manifest.chosenBy = 'user';
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

  /** What `startFlash` takes (the files that take part). Only meaningful when `ready`. */
  toImages(): { sha256: string; offset: number; name: string }[] {
    return this.shown
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

  /** The part a file is, in the chosen build (or, while none is chosen, in the first build that names it). */
  #manifestPartFor(name: string): { path: string; offset: number } | undefined {
    const builds = this.build ? [this.build] : (this.manifest?.manifest.builds ?? []);
    for (const b of builds) {
      const part = b.parts.find((p) => baseName(p.path) === name);
      if (part) return part;
    }
    return undefined;
  }

  /** A file named only by manifest builds other than the chosen one. */
  #belongsElsewhere(name: string): boolean {
    const m = this.manifest;
    if (!m || !this.build) return false;
    const named = (b: Manifest['builds'][number]) => b.parts.some((p) => baseName(p.path) === name);
    return !named(this.build) && m.manifest.builds.some(named);
  }

  /** Picks the build for the known chip unless the user chose one; none matching leaves the choice open. */
  #chooseForChip(): void {
    const m = this.manifest;
    if (!m || m.chosenBy === 'user' || m.chosenBy === 'only' || !this.knownChip) return;
    const index = m.manifest.builds.findIndex((b) => b.chip === this.knownChip);
    m.buildIndex = index >= 0 ? index : undefined;
    m.chosenBy = index >= 0 ? 'chip' : undefined;
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
