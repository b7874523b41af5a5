import { crc32 } from 'node:zlib';
import { HINT_CORRUPT, count, hex, invalidImage, u32 } from './bytes';
import type { ImageFields } from './image-info';
import { readE9 } from './read-e9';

const E9 = 0xe9;

/**
 * ESP8266 "v2" (0xEA) images, loaded by Espressif's boot_v1.x: an 8-byte 0xEA header, the irom0 block as
 * one segment with load address 0 (padded to 16), then an ordinary 0xE9 image of the RAM segments whose
 * checksum covers those segments only, then a CRC32 of everything before it in the SDK's variant
 * (crc32 with the top bit folded: c & 0x80000000 ? c ^ 0xffffffff : c + 1).
 */
export function readV2(data: Uint8Array, name: string): ImageFields {
  const end = data.length;
  if (end < 16)
    throw invalidImage(
      name,
      `the file ends after ${count(end)} bytes, inside the v2 image header`,
      HINT_CORRUPT,
    );
  const firstCount = data[1] ?? 0;
  const firstMode = data[2] ?? 0;
  const firstSizeFreq = data[3] ?? 0;
  const firstEntry = u32(data, 4);
  const iromLength = u32(data, 12);
  const innerStart = 16 + iromLength;
  if (innerStart + 8 > end) {
    throw invalidImage(
      name,
      `the irom0 block claims ${count(iromLength)} bytes but the file ends after ${count(end)}`,
      HINT_CORRUPT,
      { claimed: iromLength, fileLength: end },
    );
  }
  if (data[innerStart] !== E9) {
    throw invalidImage(
      name,
      `no second image header (0xe9) after the irom0 block at offset ${hex(innerStart)}: found ${hex(data[innerStart] ?? 0, 2)}`,
      HINT_CORRUPT,
    );
  }
  const inner = readE9(data, name, innerStart, 'esp8266');
  const imageEnd = innerStart + inner.imageLength;
  if (imageEnd + 4 > end) {
    throw invalidImage(
      name,
      `the file ends after ${count(end)} bytes, before the CRC32 that ends a v2 image`,
      HINT_CORRUPT,
    );
  }
  const storedCrc = u32(data, imageEnd);
  const raw = crc32(data.subarray(0, imageEnd)) >>> 0;
  const computedCrc = raw & 0x80000000 ? (raw ^ 0xffffffff) >>> 0 : raw + 1;
  if (storedCrc !== computedCrc) {
    throw invalidImage(
      name,
      `CRC32 mismatch: the image stores ${hex(storedCrc, 8)} but its contents give ${hex(computedCrc, 8)}`,
      HINT_CORRUPT,
      { stored: storedCrc, computed: computedCrc },
    );
  }

  const warnings = [...inner.warnings];
  if (firstCount !== 4) warnings.push(`the v2 header's segment field is ${firstCount} (usually 4)`);
  // esptool's reading: when the two headers disagree, the inner (second) header is the one that counts.
  const disagree: string[] = [];
  if (firstMode !== inner.headerBytes?.mode)
    disagree.push(`flash mode ${hex(firstMode, 2)} vs ${hex(inner.headerBytes?.mode ?? 0, 2)}`);
  if (firstSizeFreq !== inner.headerBytes?.sizeFreq)
    disagree.push(`size/frequency ${hex(firstSizeFreq, 2)} vs ${hex(inner.headerBytes?.sizeFreq ?? 0, 2)}`);
  if (firstEntry !== inner.entry) disagree.push(`entry ${hex(firstEntry, 8)} vs ${hex(inner.entry ?? 0, 8)}`);
  if (disagree.length)
    warnings.push(
      `the v2 header and the inner header disagree (${disagree.join(', ')}); the inner header's values are shown`,
    );

  return {
    ...inner,
    kind: 'esp8266-v2',
    role: 'app',
    irom: { address: 0, length: iromLength, fileOffset: 16 },
    crc32: { stored: storedCrc, ok: true },
    imageLength: imageEnd + 4,
    warnings,
    notes: [
      ...inner.notes,
      `irom0 block of ${count(iromLength)} bytes; load with boot_v1.x (user1 at 0x1000)`,
    ],
  };
}
