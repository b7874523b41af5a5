/**
 * Turns the files a person picked into a flash plan: where each goes, checked against the chip and the
 * flash before a single byte is sent. Errors name the file(s) and the addresses involved.
 *
 * A single file without an offset goes where its content says (protocol notes §5, ESP-IDF layout):
 * - ESP8266: a 0xE9 image at 0x0 (bootloader, or a complete Arduino/NONOS "0x00000" image).
 * - ESP32 family: a bootloader (all segments load into RAM, see address-map.ts) at the chip's bootloader
 *   offset; an app (has flash-mapped segments) at 0x10000; a merged factory image (0xFF up to a bootloader
 *   at the bootloader offset, as `esptool merge-bin` writes it) at 0x0.
 * - A partition table at 0x8000 (ESP-IDF's default).
 * Raw data and ESP8266 v2 (0xEA) images need an explicit offset: Kiln will not guess.
 */
import type { ChipName } from '../api';
import { CHIP_IDENTITIES } from '../chips/table';
import { KilnError } from '../../core/errors';
import { count, hex, invalidImage } from './bytes';
import { type ImageInfo, inspectImage } from './inspect';

export interface PlanInput {
  offset?: number;
  data: Uint8Array;
  name?: string;
}

export interface PlannedImage {
  offset: number;
  /** The bytes to write: the file padded with 0xFF to a multiple of 4 (the original when already aligned). */
  data: Uint8Array;
  /** The file's own length. */
  size: number;
  name: string;
  info: ImageInfo;
  /** Whether the offset came with the file or Kiln chose it, and why. */
  placement: 'given' | 'default';
  reason: string | undefined;
  /** The file's own warnings (inspect) followed by the plan's. */
  warnings: string[];
}

export interface PlanOptions {
  chip: ChipName;
  /** Bytes of the flash chip, when known; enables the fit and header-size checks. */
  flashSize?: number;
}

const SECTOR = 0x1000;
const PARTITION_TABLE_OFFSET = 0x8000;

/** Plans every file; the result is in flash order (ascending offset). */
export function planImages(images: PlanInput[], o: PlanOptions): PlannedImage[] {
  if (images.length === 0)
    throw new KilnError('BAD_REQUEST', 'No firmware files were given.', {
      hint: 'Add at least one .bin file.',
    });
  const chip = CHIP_IDENTITIES[o.chip];
  const planned = images.map((input, i) => planOne(input, i, images.length, o));
  planned.sort((a, b) => a.offset - b.offset);

  for (let i = 1; i < planned.length; i++) {
    const prev = planned[i - 1]!;
    const cur = planned[i]!;
    const prevEnd = prev.offset + prev.data.length;
    if (cur.offset < prevEnd) {
      throw new KilnError(
        'IMAGE_OVERLAP',
        `${prev.name} (${range(prev)}) overlaps ${cur.name} (${range(cur)})`,
        {
          hint: 'Check the offsets: each file must end before the next one starts.',
          details: { first: prev.name, second: cur.name, firstEnd: prevEnd, secondOffset: cur.offset },
        },
      );
    }
  }

  if (o.flashSize !== undefined) {
    for (const p of planned) {
      const end = p.offset + p.data.length;
      if (end > o.flashSize) {
        throw new KilnError(
          'IMAGE_TOO_LARGE',
          `${p.name} ends at ${hex(end)}, past the end of the ${sizeName(o.flashSize)} flash (${hex(o.flashSize)})`,
          {
            hint: 'Check the offset, or use firmware built for this flash size.',
            details: { file: p.name, end, flashSize: o.flashSize },
          },
        );
      }
      const headerSize = p.offset === chip.bootloaderOffset ? p.info.flashSizeBytes : undefined;
      if (headerSize !== undefined && headerSize > o.flashSize) {
        p.warnings.push(
          `header says ${sizeName(headerSize)} flash but this chip has ${sizeName(o.flashSize)}: set flash size to 'detect' or '${sizeName(o.flashSize).replace(' ', '')}'`,
        );
      }
    }
  }
  return planned;
}

function planOne(input: PlanInput, index: number, total: number, o: PlanOptions): PlannedImage {
  const name = input.name ?? `file ${index + 1}`;
  const info = inspectImage(input.data, name);
  const merged = mergedBootloader(input.data, info, o.chip, name);
  checkChip(info, merged, o.chip, name);

  const warnings = [...info.warnings];
  let placement: PlannedImage['placement'] = 'given';
  let reason: string | undefined;
  let offset = input.offset;
  if (offset === undefined) {
    if (total > 1) {
      throw new KilnError(
        'IMAGE_OFFSET_MISSING',
        `${name} has no offset; with several files, each needs one`,
        {
          hint: 'Give every file its flash offset (e.g. 0x1000 bootloader, 0x8000 partitions, 0x10000 app) or use a manifest.json.',
          details: { file: name },
        },
      );
    }
    ({ offset, reason } = defaultOffset(info, merged, o.chip, name));
    placement = 'default';
  }
  if (!Number.isInteger(offset) || offset < 0 || offset % SECTOR !== 0) {
    throw new KilnError(
      'IMAGE_MISALIGNED',
      `${name}: offset ${Number.isInteger(offset) && offset >= 0 ? hex(offset) : String(offset)} is not a multiple of 0x1000 (4 KB)`,
      {
        hint: 'Flash is erased in 4 KB sectors; use the offset from the firmware\u2019s instructions (usually 0x0, 0x1000, 0x8000 or 0x10000).',
        details: { file: name, offset },
      },
    );
  }

  const bootOffset = CHIP_IDENTITIES[o.chip].bootloaderOffset;
  if (
    offset === bootOffset &&
    info.kind !== 'esp8266' &&
    info.kind !== 'esp32-family' &&
    !isErased(input.data)
  ) {
    throw invalidImage(
      name,
      `goes to ${hex(offset)}, where the ROM expects a boot image starting with 0xe9, but it starts with ${hex(input.data[0] ?? 0, 2)}${info.kind === 'raw' ? '' : ` (${info.kind})`}`,
      `Check the offset: an ${CHIP_IDENTITIES[o.chip].displayName} starts from the image at ${hex(bootOffset)}.`,
      { offset, firstByte: input.data[0] ?? 0 },
    );
  }
  if (info.kind === 'esp32-family' && info.role === 'bootloader' && offset !== bootOffset) {
    warnings.push(
      `this looks like a bootloader (it loads only into RAM) but goes to ${hex(offset)}, not ${hex(bootOffset)}`,
    );
  }
  if (info.kind === 'esp32-family' && info.role === 'app' && offset === bootOffset) {
    warnings.push(
      `this looks like an application (it maps code from flash) but goes to the bootloader offset ${hex(offset)}`,
    );
  }

  return {
    offset,
    data: padTo4(input.data),
    size: input.data.length,
    name,
    info,
    placement,
    reason,
    warnings,
  };
}

/** ESP32/S2 merged images (bootloader offset 0x1000) start with 0xFF padding; find the bootloader behind it. */
function mergedBootloader(
  data: Uint8Array,
  info: ImageInfo,
  chip: ChipName,
  name: string,
): ImageInfo | undefined {
  const bootOffset = CHIP_IDENTITIES[chip].bootloaderOffset;
  if (info.kind !== 'raw' || bootOffset === 0 || data.length <= bootOffset || data[bootOffset] !== 0xe9)
    return undefined;
  if (!isErased(data.subarray(0, bootOffset))) return undefined;
  try {
    const inner = inspectImage(data.subarray(bootOffset), name);
    return inner.kind === 'esp32-family' || inner.kind === 'esp8266' ? inner : undefined;
  } catch {
    return undefined;
  }
}

function checkChip(info: ImageInfo, merged: ImageInfo | undefined, target: ChipName, name: string): void {
  const source = merged ?? info;
  const targetName = CHIP_IDENTITIES[target].displayName;
  let builtFor: string | undefined;
  if (source.chip !== undefined && source.chip !== target)
    builtFor = CHIP_IDENTITIES[source.chip].displayName;
  else if (source.chip === undefined && source.kind === 'esp32-family' && target === 'esp8266')
    builtFor = `ESP32-family (chip id ${source.extendedHeader?.chipId})`;
  if (builtFor === undefined) return;
  throw new KilnError('CHIP_MISMATCH', `${name} is ${builtFor} firmware; it cannot run on an ${targetName}`, {
    hint: `Pick the firmware built for the ${targetName}.`,
    details: { file: name, imageChip: source.chip ?? null, targetChip: target },
  });
}

function defaultOffset(
  info: ImageInfo,
  merged: ImageInfo | undefined,
  target: ChipName,
  name: string,
): { offset: number; reason: string } {
  const chip = CHIP_IDENTITIES[target];
  if (info.kind === 'partition-table')
    return { offset: PARTITION_TABLE_OFFSET, reason: 'partition table: ESP-IDF default offset 0x8000' };
  if (merged)
    return {
      offset: 0,
      reason: `merged image: 0xFF padding, then a bootloader at ${hex(chip.bootloaderOffset)}`,
    };
  if (info.kind === 'esp8266') return { offset: 0, reason: 'ESP8266 image: boots from 0x0' };
  if (info.kind === 'esp32-family' && info.role === 'bootloader') {
    return {
      offset: chip.bootloaderOffset,
      reason: `bootloader (loads only into RAM): ${chip.displayName} bootloader offset ${hex(chip.bootloaderOffset)}`,
    };
  }
  if (info.kind === 'esp32-family')
    return { offset: chip.appOffset, reason: `application (maps code from flash): ${hex(chip.appOffset)}` };
  const hint =
    info.kind === 'esp8266-v2'
      ? 'v2 (0xEA) images are started by boot_v1.x: flash boot_v1.x.bin at 0x0 and this file at 0x1000 (user1) or at the user2 address for your flash layout.'
      : 'Data files (RF init data, file systems, NVS) go where the firmware\u2019s instructions say; give the offset.';
  throw new KilnError(
    'IMAGE_OFFSET_MISSING',
    `${name} is ${info.kind === 'raw' ? 'raw data' : 'an ESP8266 v2 image'} and has no offset`,
    { hint, details: { file: name, kind: info.kind } },
  );
}

function isErased(data: Uint8Array): boolean {
  for (const b of data) if (b !== 0xff) return false;
  return data.length > 0;
}

function padTo4(data: Uint8Array): Uint8Array {
  if (data.length % 4 === 0) return data;
  const out = new Uint8Array(Math.ceil(data.length / 4) * 4).fill(0xff);
  out.set(data);
  return out;
}

function range(p: PlannedImage): string {
  return `${hex(p.offset)}\u2013${hex(p.offset + p.data.length - 1)}`;
}

function sizeName(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${count(bytes)} bytes`;
}
