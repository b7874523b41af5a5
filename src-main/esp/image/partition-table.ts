/**
 * ESP-IDF partition tables: 32-byte records, each starting 0xAA 0x50 (type, subtype, offset u32, size u32,
 * label[16], flags u32); an optional MD5 record (0xEB 0xEB + 14 × 0xFF, then the MD5 of every byte before
 * it); the table ends at a record of 0xFF or at the end of the file.
 */
import { createHash } from 'node:crypto';
import { HINT_CORRUPT, count, hex, invalidImage, toHex, u32 } from './bytes';

export interface PartitionEntry {
  type: number;
  subtype: number;
  /** 'app', 'data', or the type number in hex for custom types. */
  typeName: string;
  /** e.g. 'factory', 'ota_0', 'nvs', 'phy'; undefined for custom subtypes. */
  subtypeName: string | undefined;
  offset: number;
  size: number;
  label: string;
  flags: number;
}

export interface PartitionTableInfo {
  entries: PartitionEntry[];
  /** undefined when the table carries no MD5 record. */
  md5: { stored: string; valid: boolean } | undefined;
  /** Bytes up to the end of the last record (entries and MD5 record), i.e. without the 0xFF padding. */
  length: number;
}

const RECORD = 32;

export function looksLikePartitionTable(data: Uint8Array): boolean {
  return data.length >= RECORD && data[0] === 0xaa && data[1] === 0x50;
}

const APP_SUBTYPES: Record<number, string> = { 0x00: 'factory', 0x20: 'test' };
const DATA_SUBTYPES: Record<number, string> = {
  0x00: 'ota',
  0x01: 'phy',
  0x02: 'nvs',
  0x03: 'coredump',
  0x04: 'nvs_keys',
  0x05: 'efuse',
  0x06: 'undefined',
  0x80: 'esphttpd',
  0x81: 'fat',
  0x82: 'spiffs',
  0x83: 'littlefs',
};

function subtypeName(type: number, subtype: number): string | undefined {
  if (type === 0x00)
    return subtype >= 0x10 && subtype < 0x20 ? `ota_${subtype - 0x10}` : APP_SUBTYPES[subtype];
  if (type === 0x01) return DATA_SUBTYPES[subtype];
  return undefined;
}

function isAll(data: Uint8Array, from: number, to: number, value: number): boolean {
  for (let i = from; i < to; i++) if (data[i] !== value) return false;
  return true;
}

export function parsePartitionTable(data: Uint8Array, name: string): PartitionTableInfo {
  const entries: PartitionEntry[] = [];
  let md5: PartitionTableInfo['md5'];
  let at = 0;
  for (; at + RECORD <= data.length; at += RECORD) {
    const b0 = data[at];
    const b1 = data[at + 1];
    if (b0 === 0xaa && b1 === 0x50) {
      const type = data[at + 2] ?? 0;
      const subtype = data[at + 3] ?? 0;
      const labelBytes = data.subarray(at + 12, at + 28);
      const nul = labelBytes.indexOf(0);
      entries.push({
        type,
        subtype,
        typeName: type === 0 ? 'app' : type === 1 ? 'data' : hex(type, 2),
        subtypeName: subtypeName(type, subtype),
        offset: u32(data, at + 4),
        size: u32(data, at + 8),
        label: Buffer.from(nul < 0 ? labelBytes : labelBytes.subarray(0, nul)).toString('utf8'),
        flags: u32(data, at + 28),
      });
    } else if (b0 === 0xeb && b1 === 0xeb && isAll(data, at + 2, at + 16, 0xff)) {
      const stored = toHex(data.subarray(at + 16, at + RECORD));
      const computed = createHash('md5').update(data.subarray(0, at)).digest('hex');
      if (stored !== computed) {
        throw invalidImage(
          name,
          `partition table MD5 mismatch: the table says ${stored} but its ${entries.length} entries give ${computed}`,
          HINT_CORRUPT,
          { stored, computed },
        );
      }
      md5 = { stored, valid: true };
      at += RECORD;
      break;
    } else if (isAll(data, at, at + RECORD, 0xff)) {
      break;
    } else {
      throw invalidImage(
        name,
        `partition table record ${entries.length + 1} at offset ${hex(at)} starts ${hex(b0 ?? 0, 2)} ${hex(b1 ?? 0, 2)}, neither an entry (0xaa 0x50), the MD5 record (0xeb 0xeb) nor the end marker (0xff)`,
        HINT_CORRUPT,
        { offset: at },
      );
    }
  }
  // Leaving the loop without a terminator means the records ran to the end of the file; a partial record
  // there is a cut-off table unless it is padding.
  if (at < data.length && at + RECORD > data.length && !isAll(data, at, data.length, 0xff)) {
    throw invalidImage(
      name,
      `partition table is cut off: ${count(data.length)} bytes is not a whole number of 32-byte records`,
      HINT_CORRUPT,
    );
  }
  return { entries, md5, length: at };
}
