/**
 * Reads a firmware file and says what it is (protocol notes §5, esptool's bin_image.py for the facts):
 * an ESP8266 0xE9 image, an ESP8266 "v2" 0xEA image, an ESP32-family image (extended header), a partition
 * table, or raw data. Images are validated end to end (every segment present, checksum, appended SHA-256,
 * v2 CRC32); anything broken throws IMAGE_INVALID with a one-line cause naming the file. Raw data is not an
 * error — people flash data blobs (RF init data, file systems) at offsets they choose.
 */
import { hex, invalidImage } from './bytes';
import { type ImageInfo, blankInfo } from './image-info';
import { looksLikePartitionTable, parsePartitionTable } from './partition-table';
import { readE9 } from './read-e9';
import { readV2 } from './read-v2';
import { describeTrailing, findParts } from './trailing';

export type { ImageInfo } from './image-info';

const E9 = 0xe9;
const EA = 0xea;
const SECTOR = 0x1000;

export function inspectImage(data: Uint8Array, name = 'image'): ImageInfo {
  if (data.length === 0)
    throw invalidImage(
      name,
      'the file is empty (0 bytes)',
      'Pick the firmware file again; this one has no content.',
    );
  const base = blankInfo(name, data.length);
  if (data[0] === E9) {
    const info = { ...base, ...readE9(data, name, 0, undefined) };
    describeTrailing(data, info);
    return info;
  }
  if (data[0] === EA) {
    const info = { ...base, ...readV2(data, name) };
    describeTrailing(data, info);
    return info;
  }
  if (looksLikePartitionTable(data)) {
    const table = parsePartitionTable(data, name);
    return {
      ...base,
      kind: 'partition-table',
      partitions: table.entries,
      imageLength: table.length,
      notes: [`partition table with ${table.entries.length} entries${table.md5 ? ' and a valid MD5' : ''}`],
    };
  }
  // A merged factory image for a chip whose bootloader sits at 0x1000 starts with 0xFF padding: not an
  // image itself, but made of them. Any other data without a header is flashed as it is.
  const parts = data[0] === 0xff ? findParts(data, SECTOR, name) : [];
  if (parts[0]?.offset === SECTOR && parts[0].role === 'bootloader') {
    return {
      ...base,
      imageLength: data.length,
      embedded: parts,
      notes: [`merged image: ${parts.map((p) => `${p.role ?? p.kind} at ${hex(p.offset)}`).join(', ')}`],
    };
  }
  return {
    ...base,
    imageLength: data.length,
    warnings: [
      `no image header (first byte ${hex(data[0] ?? 0, 2)}, an image starts with 0xe9): treated as raw data, flashed as it is`,
    ],
  };
}
