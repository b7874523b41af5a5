/**
 * Turning the FILE[@OFFSET] arguments of `kiln flash` into firmware the service holds. The CLI is the one host
 * that reads paths: it reads exactly the files the person named (and, for an ESP Web Tools manifest, the parts
 * it lists from the manifest's own folder) and hands their bytes to the service, which caches them by SHA-256.
 */
import path from 'node:path';
import { KilnError } from '../../core/errors';
import { readRegularFile, type ReadLimits } from '../../core/named-files';
import { resolvePartPath } from '../../esp/image';
import type { ChipName } from '../../esp/api';
import type { FirmwareSummary, Manifest } from '../../service/contract';
import { MAX_FIRMWARE_BYTES, MAX_MANIFEST_CHARS } from '../../vocabulary';
import type { KilnService } from '../../service/service';
import { parseFileArg, type FileArg } from './args';

export interface ChosenImage {
  sha256: string;
  name: string;
  offset?: number;
  summary: FirmwareSummary;
}

const MB = 1024 * 1024;

/** Firmware larger than the largest flash Kiln writes is refused from its size, before it is read. */
function firmwareLimits(file: string): ReadLimits {
  return {
    maxBytes: MAX_FIRMWARE_BYTES,
    tooLarge: (size) =>
      new KilnError(
        'IMAGE_TOO_LARGE',
        `${file} is ${(size / MB).toFixed(1)} MB; no flash Kiln writes holds more than ${MAX_FIRMWARE_BYTES / MB} MB.`,
        { hint: 'Check that this is a firmware image and not another file.', details: { file, size } },
      ),
  };
}

/** A file that may hold a profile's missing firmware: its bytes, or undefined when it is absent or unfit. */
export async function readFirmwareCandidate(abs: string): Promise<Uint8Array | undefined> {
  return readRegularFile(abs, firmwareLimits(abs)).catch(() => undefined);
}

export function isManifestArg(args: FileArg[]): boolean {
  return args.length === 1 && args[0]!.offset === undefined && /\.json$/i.test(args[0]!.file);
}

/** Reads and caches plain images (`app.bin`, `boot.bin@0x1000`). */
export async function loadImages(service: KilnService, texts: string[], cwd: string): Promise<ChosenImage[]> {
  const args = texts.map(parseFileArg);
  const out: ChosenImage[] = [];
  for (const a of args) {
    const image = await loadWholeFile(service, a.file, cwd);
    out.push(a.offset === undefined ? image : { ...image, offset: a.offset });
  }
  return out;
}

/** Reads and caches one file by its plain name, no FILE@OFFSET (a whole-flash backup, which goes at 0x0). */
export async function loadWholeFile(service: KilnService, file: string, cwd: string): Promise<ChosenImage> {
  const bytes = await readRegularFile(path.resolve(cwd, file), firmwareLimits(file), file);
  const summary = await service.call('inspectFirmware', { name: path.basename(file), bytes });
  return { sha256: summary.sha256, name: summary.name, summary };
}

export async function loadManifest(
  service: KilnService,
  file: string,
  cwd: string,
): Promise<{ manifest: Manifest; abs: string }> {
  const abs = path.resolve(cwd, file);
  const text = Buffer.from(
    await readRegularFile(
      abs,
      {
        maxBytes: MAX_MANIFEST_CHARS,
        tooLarge: (size) =>
          new KilnError('MANIFEST_INVALID', `${file} is ${size} bytes; a manifest is a small JSON file.`, {
            hint: 'Name the manifest.json of an ESP Web Tools build.',
            details: { file, size },
          }),
      },
      file,
    ),
  ).toString('utf8');
  return { manifest: await service.call('parseManifest', { json: text }), abs };
}

/** The manifest build for a detected chip, its parts read from the manifest's folder and cached. */
export async function loadManifestBuild(
  service: KilnService,
  m: { manifest: Manifest; abs: string },
  chip: ChipName,
): Promise<ChosenImage[]> {
  const build = m.manifest.builds.find((b) => b.chip === chip);
  if (!build) {
    const have = m.manifest.builds.map((b) => b.chipFamily);
    throw new KilnError(
      'MANIFEST_NO_BUILD',
      `"${m.manifest.name}" has no build for the connected ${chip} (it has: ${have.join(', ')}).`,
      {
        hint: 'This firmware is not made for the board you connected. Pick firmware built for its chip.',
        details: { chip, families: have },
      },
    );
  }
  const out: ChosenImage[] = [];
  for (const part of build.parts) {
    const file = resolvePartPath(m.abs, part.path);
    const folder = path.dirname(m.abs);
    const bytes = await readRegularFile(file, {
      ...firmwareLimits(part.path),
      // resolvePartPath refuses `..` and absolute paths; a symlink is only followed while it stays inside.
      within: {
        folder,
        outside: (real) =>
          new KilnError(
            'MANIFEST_INVALID',
            `part "${part.path}" is a symlink to ${real}, outside the manifest folder.`,
            {
              hint: 'Kiln reads parts only from the folder that holds manifest.json. Copy the part there.',
              details: { manifest: m.abs, part: part.path },
            },
          ),
      },
    });
    const summary = await service.call('inspectFirmware', { name: path.basename(file), bytes });
    out.push({ sha256: summary.sha256, name: summary.name, offset: part.offset, summary });
  }
  return out;
}
