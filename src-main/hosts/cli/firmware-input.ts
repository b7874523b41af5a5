/**
 * Turning the FILE[@OFFSET] arguments of `kiln flash` into firmware the service holds. The CLI is the one host
 * that reads paths: it reads exactly the files the person named (and, for an ESP Web Tools manifest, the parts
 * it lists from the manifest's own folder) and hands their bytes to the service, which caches them by SHA-256.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KilnError } from '../../core/errors';
import { resolvePartPath } from '../../esp/image';
import type { ChipName } from '../../esp/api';
import type { FirmwareSummary, Manifest } from '../../service/contract';
import type { KilnService } from '../../service/service';
import { parseFileArg, usageError, type FileArg } from './args';

export interface ChosenImage {
  sha256: string;
  name: string;
  offset?: number;
  summary: FirmwareSummary;
}

async function readNamed(file: string, cwd: string): Promise<Uint8Array> {
  const abs = path.resolve(cwd, file);
  try {
    return await readFile(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a folder'
          : code === 'EACCES'
            ? 'is not readable by this user'
            : `cannot be read (${code ?? String(e)})`;
    throw usageError(`The file ${file} ${why}.`, 'Check the path; paths are relative to the current folder.');
  }
}

export function isManifestArg(args: FileArg[]): boolean {
  return args.length === 1 && args[0]!.offset === undefined && /\.json$/i.test(args[0]!.file);
}

/** Reads and caches plain images (`app.bin`, `boot.bin@0x1000`). */
export async function loadImages(service: KilnService, texts: string[], cwd: string): Promise<ChosenImage[]> {
  const args = texts.map(parseFileArg);
  const out: ChosenImage[] = [];
  for (const a of args) {
    const bytes = await readNamed(a.file, cwd);
    const summary = await service.call('inspectFirmware', { name: path.basename(a.file), bytes });
    out.push(
      a.offset === undefined
        ? { sha256: summary.sha256, name: summary.name, summary }
        : { sha256: summary.sha256, name: summary.name, offset: a.offset, summary },
    );
  }
  return out;
}

export async function loadManifest(
  service: KilnService,
  file: string,
  cwd: string,
): Promise<{ manifest: Manifest; abs: string }> {
  const abs = path.resolve(cwd, file);
  const text = Buffer.from(await readNamed(file, cwd)).toString('utf8');
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
    const bytes = await readNamed(file, '/');
    const summary = await service.call('inspectFirmware', { name: path.basename(file), bytes });
    out.push({ sha256: summary.sha256, name: summary.name, offset: part.offset, summary });
  }
  return out;
}
