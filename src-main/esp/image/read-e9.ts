/**
 * Reads one 0xE9 image (protocol notes §5; esptool's bin_image.py for the facts): header, the ESP32 family's
 * 16-byte extended header, segments, the checksum at the end of a 16-byte block, the optional SHA-256.
 */
import { createHash } from 'node:crypto';
import type { ChipName } from '../api';
import { chipByImageId } from '../chips/table';
import { OTHER_IMAGE_CHIP_IDS, isEsp8266Address, isFlashMapped } from './address-map';
import { HINT_CORRUPT, count, hex, invalidImage, toHex, u16, u32 } from './bytes';
import {
  type HeaderFamily,
  flashFreqName,
  flashModeName,
  flashSizeBytes,
  flashSizeName,
} from './header-fields';
import type { ExtendedHeader, ImageFields, ImageInfo, ImageKind, ImageSegmentInfo } from './image-info';

const MAX_SEGMENTS = 16;

/**
 * One 0xE9 image starting at `start`. `family` forces the header layout (the v2 format's inner image is
 * always ESP8266); otherwise the bytes after the 8-byte header decide: an ESP8266 image continues with its
 * first segment's load address (ESP8266 RAM/IROM), an ESP32-family image with the WP pin and drive bytes,
 * which can never spell such an address.
 */
export function readE9(
  data: Uint8Array,
  name: string,
  start: number,
  family: HeaderFamily | undefined,
): ImageFields {
  const end = data.length;
  const need = (bytes: number, what: string): void => {
    if (start + bytes > end)
      throw invalidImage(name, `the file ends after ${count(end)} bytes, inside the ${what}`, HINT_CORRUPT, {
        fileLength: end,
      });
  };
  need(8, '8-byte image header');
  const segmentCount = data[start + 1] ?? 0;
  const modeByte = data[start + 2] ?? 0;
  const sizeFreq = data[start + 3] ?? 0;
  const entry = u32(data, start + 4);
  if (segmentCount === 0 || segmentCount > MAX_SEGMENTS) {
    throw invalidImage(
      name,
      `the header claims ${segmentCount} segments (an image has 1 to ${MAX_SEGMENTS})`,
      HINT_CORRUPT,
      { segmentCount },
    );
  }
  need(16, 'first segment header');
  const isEsp32 = family ? family === 'esp32' : !isEsp8266Address(u32(data, start + 8));
  const warnings: string[] = [];
  const notes: string[] = [];
  let ext: ExtendedHeader | undefined;
  let pos = start + 8;
  if (isEsp32) {
    need(24, '16-byte extended header');
    const flag = data[start + 23] ?? 0;
    if (flag > 1)
      throw invalidImage(
        name,
        `the extended header's hash-appended flag is ${hex(flag, 2)} (must be 0 or 1)`,
        HINT_CORRUPT,
      );
    ext = {
      wpPin: data[start + 8] ?? 0,
      driveBytes: [data[start + 9] ?? 0, data[start + 10] ?? 0, data[start + 11] ?? 0],
      chipId: u16(data, start + 12),
      minRev: data[start + 14] ?? 0,
      minRevFull: u16(data, start + 15),
      maxRevFull: u16(data, start + 17),
      hashAppended: flag === 1,
    };
    pos += 16;
  }

  const segments: ImageSegmentInfo[] = [];
  let checksum = 0xef;
  for (let i = 0; i < segmentCount; i++) {
    if (pos + 8 > end) {
      throw invalidImage(
        name,
        `segment ${i + 1} of ${segmentCount} starts at offset ${hex(pos)} but the file ends after ${count(end)} bytes`,
        HINT_CORRUPT,
        { segment: i + 1, fileLength: end },
      );
    }
    const address = u32(data, pos);
    const length = u32(data, pos + 4);
    if (pos + 8 + length > end) {
      throw invalidImage(
        name,
        `segment ${i + 1} (load address ${hex(address, 8)}) claims ${count(length)} bytes but the file ends after ${count(end)}`,
        HINT_CORRUPT,
        { segment: i + 1, claimed: length, available: Math.max(0, end - pos - 8), fileLength: end },
      );
    }
    for (let j = pos + 8; j < pos + 8 + length; j++) checksum ^= data[j] ?? 0;
    segments.push({ address, length, fileOffset: pos + 8 });
    if (length % 4 !== 0) warnings.push(`segment ${i + 1} is ${count(length)} bytes, not a multiple of 4`);
    pos += 8 + length;
  }
  const dataBytes = segments.reduce((n, s) => n + s.length, 0);
  if (dataBytes === 0) {
    throw invalidImage(
      name,
      `only a header: ${segmentCount} segment(s) with 0 bytes of program data (entry ${hex(entry, 8)})`,
      'This is not a complete firmware image. Use the full .bin produced by the build.',
      { segmentCount },
    );
  }

  // The checksum byte is the last byte of the 16-byte block the segments end in (padding before it).
  const checksumAt = (pos & ~15) + 15;
  if (checksumAt >= end) {
    throw invalidImage(
      name,
      `the file ends after ${count(end)} bytes, before the checksum byte at offset ${hex(checksumAt)}`,
      HINT_CORRUPT,
      { fileLength: end },
    );
  }
  const stored = data[checksumAt] ?? 0;
  if (stored !== checksum) {
    throw invalidImage(
      name,
      `checksum mismatch: the image stores ${hex(stored, 2)} but its segment data gives ${hex(checksum, 2)} (a byte of the image has changed)`,
      HINT_CORRUPT,
      { stored, computed: checksum },
    );
  }
  let imageEnd = checksumAt + 1;

  let sha256: ImageInfo['sha256'] = { appended: false, valid: undefined, hex: undefined };
  if (ext?.hashAppended) {
    if (imageEnd + 32 > end) {
      throw invalidImage(
        name,
        `the header says a SHA-256 is appended, but the file ends after ${count(end)} bytes, ${count(imageEnd + 32 - end)} short of it`,
        HINT_CORRUPT,
      );
    }
    const storedSha = toHex(data.subarray(imageEnd, imageEnd + 32));
    const computed = createHash('sha256').update(data.subarray(start, imageEnd)).digest('hex');
    if (storedSha !== computed) {
      throw invalidImage(
        name,
        `appended SHA-256 mismatch: the image stores ${storedSha.slice(0, 16)}… but its contents give ${computed.slice(0, 16)}…`,
        HINT_CORRUPT,
        { stored: storedSha, computed },
      );
    }
    sha256 = { appended: true, valid: true, hex: storedSha };
    imageEnd += 32;
  }

  let chip: ChipName | undefined;
  let kind: ImageKind = isEsp32 ? 'esp32-family' : 'esp8266';
  if (!ext) {
    chip = 'esp8266';
  } else if (ext.chipId === 0 && segments.every((s) => s.length === 0 || isEsp8266Address(s.address))) {
    // ESP8266 RTOS SDK v3 images use the ESP32 layout with an all-zero extended header; no ESP32 image
    // loads only into ESP8266 memory, so the addresses give them away.
    chip = 'esp8266';
    kind = 'esp8266';
    notes.push('ESP8266 RTOS SDK v3 image (ESP32-style extended header)');
  } else {
    chip = chipByImageId(ext.chipId)?.name;
    if (!chip) {
      const other = OTHER_IMAGE_CHIP_IDS[ext.chipId];
      warnings.push(
        `the header names chip id ${ext.chipId}${other ? ` (${other})` : ''}, a chip Kiln has no record for`,
      );
    }
  }

  const headerFamily: HeaderFamily = chip === 'esp8266' ? 'esp8266' : 'esp32';
  const flashMode = flashModeName(modeByte);
  const flashFreq = flashFreqName(chip, sizeFreq & 0x0f);
  const flashSize = flashSizeName(headerFamily, sizeFreq >> 4);
  if (!flashMode) warnings.push(`unknown flash mode byte ${hex(modeByte, 2)} in the header`);
  if (!flashFreq) warnings.push(`unknown flash frequency nibble ${hex(sizeFreq & 0x0f)} in the header`);
  if (!flashSize) warnings.push(`unknown flash size nibble ${hex(sizeFreq >> 4)} in the header`);
  if (!segments.some((s) => entry >= s.address && entry < s.address + s.length)) {
    warnings.push(`the entry point ${hex(entry, 8)} lies in none of the image's segments`);
  }

  const role =
    kind === 'esp32-family'
      ? segments.some((s) => s.length > 0 && isFlashMapped(chip, s.address))
        ? 'app'
        : 'bootloader'
      : undefined;
  return {
    kind,
    chip,
    flashMode,
    flashFreq,
    flashSize,
    flashSizeBytes: flashSize === undefined ? undefined : flashSizeBytes(flashSize),
    headerBytes: { mode: modeByte, sizeFreq },
    entry,
    segments,
    extendedHeader: ext,
    role,
    checksum: { stored, ok: true },
    sha256,
    irom: undefined,
    crc32: undefined,
    imageLength: imageEnd - start,
    warnings,
    notes,
  };
}
