import { count, hex } from './bytes';
import type { EmbeddedPart, ImageInfo } from './image-info';
import { looksLikePartitionTable, parsePartitionTable } from './partition-table';
import { readE9 } from './read-e9';
import { readV2 } from './read-v2';

const E9 = 0xe9;
const EA = 0xea;
const SECTOR = 0x1000;
/** Scanning stops here: merged images are at most a 16 MB flash. */
const SCAN_LIMIT = 16 * 1024 * 1024;

/**
 * After an image, a file may hold more: padding, or further images at sector boundaries (merged factory
 * images: bootloader, partition table at 0x8000, app at 0x10000; Arduino ESP8266: eboot, then the app at
 * 0x1000). Valid parts are listed; bytes that are neither padding nor a part are a warning.
 */
export function describeTrailing(data: Uint8Array, info: ImageInfo): void {
  if (info.imageLength >= data.length) return;
  info.embedded.push(...findParts(data, info.imageLength, info.name));
  const trailing = data.length - info.imageLength;
  if (info.embedded.length) {
    info.notes.push(
      `the file holds more after the image: ${info.embedded.map((p) => `${p.role ?? p.kind} at ${hex(p.offset)}`).join(', ')}`,
    );
  } else if (!isPadding(data, info.imageLength)) {
    info.warnings.push(
      `${count(trailing)} bytes after the image's end (offset ${hex(info.imageLength)}) are not part of it; they are flashed as they are`,
    );
  }
}

/** Valid images and partition tables at sector boundaries from `from` on (each skipped once found). */
export function findParts(data: Uint8Array, from: number, name: string): EmbeddedPart[] {
  const parts: EmbeddedPart[] = [];
  let at = Math.ceil(from / SECTOR) * SECTOR;
  const limit = Math.min(data.length, SCAN_LIMIT);
  while (at < limit) {
    const part = tryPart(data.subarray(at), name);
    if (part) {
      parts.push({ offset: at, ...part });
      at = Math.ceil((at + part.length) / SECTOR) * SECTOR;
    } else {
      at += SECTOR;
    }
  }
  return parts;
}

function tryPart(slice: Uint8Array, name: string): Omit<EmbeddedPart, 'offset'> | undefined {
  try {
    if (slice[0] === E9 || slice[0] === EA) {
      const f = slice[0] === E9 ? readE9(slice, name, 0, undefined) : readV2(slice, name);
      return { kind: f.kind, chip: f.chip, role: f.role, length: f.imageLength };
    }
    if (looksLikePartitionTable(slice)) {
      const t = parsePartitionTable(slice.subarray(0, Math.min(slice.length, 0xc00)), name);
      if (t.entries.length)
        return { kind: 'partition-table', chip: undefined, role: undefined, length: t.length };
    }
  } catch {
    // Not a valid part at this boundary: application data may contain the magic byte by chance.
  }
  return undefined;
}

function isPadding(data: Uint8Array, from: number): boolean {
  const fill = data[from];
  if (fill !== 0xff && fill !== 0x00) return false;
  for (let i = from; i < data.length; i++) if (data[i] !== fill) return false;
  return true;
}
