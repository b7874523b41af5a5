/**
 * Planning a write (pure functions, no device): images become padded, header-patched regions checked for
 * alignment, overlap and fit; and, once the device has told us the MD5 of each 64 KB block, the runs of blocks
 * that actually need sending. Keeping this pure is what makes "skip unchanged" and "resume after unplug"
 * testable on bytes alone.
 */
import { KilnError } from '../../core/errors';
import { patchImageHeader } from '../image/patch';
import { inspectImage } from '../image/inspect';
import { CHIP_IDENTITIES } from '../chips/table';
import type { ChipName, FlashFreqOption, FlashImage, FlashModeOption, FlashSizeOption } from '../api';

export const SECTOR = 0x1000;
/** Granularity of "skip unchanged": the device hashes blocks of this size. */
export const SKIP_BLOCK = 0x10000;

export interface PlannedRegion {
  index: number;
  offset: number;
  /** Padded to a multiple of 4 with 0xFF, header patched where that applies. */
  data: Uint8Array;
  name?: string;
}

export interface PlanOptions {
  chip: ChipName;
  /** Detected flash size in bytes (0 = unknown: no fit check). */
  flashSize: number;
  flashMode?: FlashModeOption;
  flashFreq?: FlashFreqOption;
  /** The flash-size option for the header ('detect' = use `flashSize`). */
  sizeOption?: FlashSizeOption;
}

export function padTo4(data: Uint8Array): Uint8Array {
  const rem = data.length % 4;
  if (rem === 0) return data;
  const out = new Uint8Array(data.length + 4 - rem).fill(0xff);
  out.set(data);
  return out;
}

const label = (img: FlashImage, i: number) => img.name ?? `image ${i + 1}`;
const hx = (n: number) => `0x${n.toString(16)}`;

export function planRegions(images: FlashImage[], o: PlanOptions): PlannedRegion[] {
  if (images.length === 0)
    throw new KilnError('BAD_REQUEST', 'Nothing to flash.', { hint: 'Add at least one firmware file.' });
  const sizeOpt = o.sizeOption ?? 'keep';
  // 'detect' means "what the JEDEC id said"; unknown size leaves the header alone.
  const size: FlashSizeOption | number =
    sizeOpt === 'detect' ? (o.flashSize > 0 ? o.flashSize : 'keep') : sizeOpt;
  const regions = images.map((img, i): PlannedRegion => {
    if (img.offset % SECTOR !== 0) {
      throw new KilnError(
        'IMAGE_MISALIGNED',
        `${label(img, i)} starts at ${hx(img.offset)}, which is not on a 4 KB sector boundary.`,
        {
          hint: 'Flash offsets must be multiples of 0x1000; check the address given for this file.',
          details: { offset: img.offset, name: label(img, i) },
        },
      );
    }
    if (img.data.length === 0) {
      throw new KilnError('IMAGE_INVALID', `${label(img, i)} is empty.`, {
        hint: 'Pick the right firmware file.',
        details: { name: label(img, i) },
      });
    }
    checkChip(img, i, o.chip);
    const patched = patchImageHeader(
      img.data,
      { offset: img.offset, chip: o.chip, mode: o.flashMode, freq: o.flashFreq, size },
      label(img, i),
    );
    const data = padTo4(patched);
    return { index: i, offset: img.offset, data, ...(img.name === undefined ? {} : { name: img.name }) };
  });
  const sorted = [...regions].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (prev.offset + prev.data.length > cur.offset) {
      throw new KilnError(
        'IMAGE_OVERLAP',
        `${prev.name ?? `image ${prev.index + 1}`} (${hx(prev.offset)}–${hx(prev.offset + prev.data.length)}) overlaps ${cur.name ?? `image ${cur.index + 1}`} at ${hx(cur.offset)}.`,
        {
          hint: 'Check the offsets: each file must end before the next one starts.',
          details: { first: prev.offset, second: cur.offset },
        },
      );
    }
  }
  if (o.flashSize > 0) {
    for (const r of regions) {
      if (r.offset + r.data.length > o.flashSize) {
        throw new KilnError(
          'IMAGE_TOO_LARGE',
          `${r.name ?? `image ${r.index + 1}`} ends at ${hx(r.offset + r.data.length)}, beyond the ${o.flashSize / 1024 / 1024} MB flash.`,
          {
            hint: 'Use firmware built for this board\u2019s flash size, or check the offset.',
            details: { offset: r.offset, size: r.data.length, flashSize: o.flashSize },
          },
        );
      }
    }
  }
  return regions;
}

/**
 * The image at the bootloader offset is what the ROM boots: if it names another chip, flashing it bricks the
 * boot (until reflashed), so refuse. Images elsewhere are data to the engine (the service checks apps).
 */
function checkChip(img: FlashImage, i: number, chip: ChipName): void {
  if (img.offset !== CHIP_IDENTITIES[chip].bootloaderOffset) return;
  let built: ChipName | undefined;
  try {
    built = inspectImage(img.data, label(img, i)).chip;
  } catch {
    return; // Not a parseable image: the image room reports that; the engine writes bytes.
  }
  if (built !== undefined && built !== chip) {
    throw new KilnError(
      'CHIP_MISMATCH',
      `${label(img, i)} is a bootloader for ${CHIP_IDENTITIES[built].displayName}, but the board is an ${CHIP_IDENTITIES[chip].displayName}.`,
      {
        hint: 'Pick the firmware built for this chip (check the file name or the manifest’s chipFamily).',
        details: { name: label(img, i), imageChip: built, deviceChip: chip, offset: img.offset },
      },
    );
  }
}

export interface Run {
  /** Start and end within the region (end exclusive). */
  start: number;
  end: number;
}

/** The 64 KB blocks of a region of `length` bytes, as [start, end) pairs (the last one may be short). */
export function skipBlocks(length: number): Run[] {
  const out: Run[] = [];
  for (let s = 0; s < length; s += SKIP_BLOCK) out.push({ start: s, end: Math.min(s + SKIP_BLOCK, length) });
  return out;
}

/** Where the last 4 KB sector of a region of `length` bytes starts (the region starts on a sector boundary). */
export function lastSectorStart(length: number): number {
  return Math.floor((length - 1) / SECTOR) * SECTOR;
}

/** Differing blocks merged into runs (adjacent blocks that both differ become one write). */
export function runsToWrite(blocks: Run[], differs: boolean[]): Run[] {
  const runs: Run[] = [];
  blocks.forEach((b, i) => {
    if (!differs[i]) return;
    const last = runs[runs.length - 1];
    if (last && last.end === b.start) last.end = b.end;
    else runs.push({ ...b });
  });
  return runs;
}

/**
 * esptool's workaround for the ESP8266 ROM erase bug (protocol notes §4): asked to erase n sectors, the ROM erases
 * more, so it is asked for fewer. n = ceil(size/4 KB), h = min(16 − start_sector % 16, n); ask for ceil(n/2) sectors
 * if n < 2h, else n − h.
 */
export function esp8266RomEraseSize(offset: number, size: number): number {
  const n = Math.ceil(size / SECTOR);
  const startSector = Math.floor(offset / SECTOR);
  const h = Math.min(16 - (startSector % 16), n);
  return n < 2 * h ? Math.ceil(n / 2) * SECTOR : (n - h) * SECTOR;
}
