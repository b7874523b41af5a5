/**
 * Writes 0xE9 images (the reverse of inspect.ts): for tests that must not depend on fixture files, and for the
 * simulator's "app" content. ESP8266: header + segments + checksum. ESP32 family: header + 16-byte extended
 * header + segments + checksum + (by default, as ESP-IDF does) a SHA-256 of everything before it.
 * Segments are written as given (no flash-page alignment): this is a format writer, not a linker.
 */
import { createHash } from 'node:crypto';
import type { ChipName } from '../api';
import { CHIP_IDENTITIES } from '../chips/table';
import { count, hex } from './bytes';
import {
  FLASH_FREQ_NIBBLES,
  FLASH_SIZE_NIBBLES,
  type FlashModeName,
  flashModeByte,
  headerFamily,
} from './header-fields';
import { KilnError } from '../../core/errors';

export interface BuildSegment {
  address: number;
  /** Padded with zeros to a multiple of 4, as esptool pads segments. */
  data: Uint8Array;
}

export interface BuildImageOptions {
  chip: ChipName;
  entry: number;
  segments: BuildSegment[];
  mode: FlashModeName;
  /** A name from the chip's frequency table (FLASH_FREQ_NIBBLES), e.g. '40m'. */
  freq: string;
  /** A name from the chip family's size table (FLASH_SIZE_NIBBLES), e.g. '4MB'. */
  size: string;
  /** ESP32 family only; default true. */
  appendSha?: boolean;
  /** ESP32 family extended-header fields (defaults: WP pin 0xEE = unused, revisions 0 / unset). */
  wpPin?: number;
  minRev?: number;
  minRevFull?: number;
  maxRevFull?: number;
}

function bad(message: string): KilnError {
  return new KilnError('BAD_REQUEST', `buildImage: ${message}`, {
    hint: 'Fix the image description passed to buildImage.',
  });
}

export function buildImage(o: BuildImageOptions): Buffer {
  const esp32 = headerFamily(o.chip) === 'esp32';
  if (o.segments.length === 0 || o.segments.length > 16)
    throw bad(`${o.segments.length} segments (1 to 16 possible)`);
  const sizeNibble = FLASH_SIZE_NIBBLES[headerFamily(o.chip)][o.size];
  if (sizeNibble === undefined) throw bad(`flash size '${o.size}' cannot be written in a ${o.chip} header`);
  const freqNibble = FLASH_FREQ_NIBBLES[o.chip][o.freq];
  if (freqNibble === undefined)
    throw bad(`flash frequency '${o.freq}' cannot be written in a ${o.chip} header`);
  const appendSha = esp32 && (o.appendSha ?? true);
  if (!esp32 && o.appendSha)
    throw bad('ESP8266 images have no extended header, so no SHA-256 can be appended');

  const parts: Uint8Array[] = [];
  const header = Buffer.alloc(8);
  header[0] = 0xe9;
  header[1] = o.segments.length;
  header[2] = flashModeByte(o.mode);
  header[3] = (sizeNibble << 4) | freqNibble;
  header.writeUInt32LE(o.entry >>> 0, 4);
  parts.push(header);
  if (esp32) {
    const ext = Buffer.alloc(16);
    ext[0] = o.wpPin ?? 0xee;
    ext.writeUInt16LE(CHIP_IDENTITIES[o.chip].imageChipId ?? 0, 4);
    ext[6] = o.minRev ?? 0;
    ext.writeUInt16LE(o.minRevFull ?? 0, 7);
    ext.writeUInt16LE(o.maxRevFull ?? 0, 9);
    ext[15] = appendSha ? 1 : 0;
    parts.push(ext);
  }

  let checksum = 0xef;
  let length = parts.reduce((n, p) => n + p.length, 0);
  for (const [i, seg] of o.segments.entries()) {
    const padded = Buffer.alloc(Math.ceil(seg.data.length / 4) * 4);
    padded.set(seg.data);
    if (padded.length >= 0x1000000)
      throw bad(`segment ${i + 1} at ${hex(seg.address, 8)} is ${count(padded.length)} bytes (16 MB limit)`);
    const segHeader = Buffer.alloc(8);
    segHeader.writeUInt32LE(seg.address >>> 0, 0);
    segHeader.writeUInt32LE(padded.length, 4);
    for (const b of padded) checksum ^= b;
    parts.push(segHeader, padded);
    length += 8 + padded.length;
  }
  // Zero padding so the checksum byte is the last byte of a 16-byte block.
  const tail = Buffer.alloc(16 - (length % 16));
  tail[tail.length - 1] = checksum;
  parts.push(tail);

  const image = Buffer.concat(parts);
  if (!appendSha) return image;
  return Buffer.concat([image, createHash('sha256').update(image).digest()]);
}
