/**
 * Warnings about a firmware list that need the device or the other files to see: the service's own per-file warnings
 * (bad header, unknown format...) arrive in `FirmwareSummary.warnings`; these add what only the screen knows.
 */
import type { DeviceInfo, FirmwareSummary } from '../api/types';
import { chipLabel } from './chips';
import { formatBytes, formatHex } from './format';

export interface Warning {
  code: string;
  message: string;
}

export interface PlacedImage {
  name: string;
  offset: number | undefined;
  summary?: FirmwareSummary | undefined;
}

export function contextualWarnings(
  image: PlacedImage,
  device: DeviceInfo | undefined,
  all: PlacedImage[],
): Warning[] {
  const out: Warning[] = [];
  const s = image.summary;
  if (!s) return out;
  const imageChip = s.info.chip;
  if (device && imageChip && imageChip !== device.chip) {
    out.push({
      code: 'CHIP_FAMILY',
      message: `Built for ${chipLabel(imageChip)}, but the connected board is ${chipLabel(device.chip)}. It will not boot.`,
    });
  }
  if (
    device &&
    device.flashSize > 0 &&
    image.offset !== undefined &&
    image.offset + s.size > device.flashSize
  ) {
    out.push({
      code: 'TOO_LARGE',
      message: `Ends at ${formatHex(image.offset + s.size)}, past the end of the ${formatBytes(device.flashSize)} flash.`,
    });
  }
  const mode = s.info.flashMode?.toLowerCase();
  if ((imageChip === 'esp8266' || device?.chip === 'esp8266') && (mode === 'qio' || mode === 'qout')) {
    out.push({
      code: 'FLASH_MODE',
      message: `Image header says ${mode.toUpperCase()}. Many ESP8266 boards (Sonoff, ESP-01, ESP8285) need DOUT or DIO: if the board prints garbage after flashing, flash again with flash mode DOUT.`,
    });
  }
  if (image.offset !== undefined) {
    for (const [a, b] of findOverlaps(all)) {
      const other = a === image ? b : b === image ? a : undefined;
      if (!other) continue;
      const [b0, b1] = span(other);
      out.push({
        code: 'OVERLAP',
        message: `Overlaps ${other.name} (${formatHex(b0)}–${formatHex(b1)}). Flash stays off until each file has its own place.`,
      });
    }
    if (image.offset % 0x1000 !== 0)
      out.push({
        code: 'MISALIGNED',
        message: 'Offset is not a multiple of 4 KiB (0x1000), the flash sector size.',
      });
  }
  return out;
}

/** Start and end (exclusive) of a placed, inspected image. */
function span(image: PlacedImage): [number, number] {
  return [image.offset!, image.offset! + image.summary!.size];
}

/**
 * Every pair of files whose byte ranges in flash overlap (files without an offset or not inspected yet are left
 * out). Writing both would leave one file's tail overwritten by the other, so the Flash screen blocks on any pair.
 */
export function findOverlaps<T extends PlacedImage>(images: readonly T[]): [T, T][] {
  const placed = images.filter((i) => i.offset !== undefined && i.summary !== undefined);
  const pairs: [T, T][] = [];
  for (let i = 0; i < placed.length; i++)
    for (let j = i + 1; j < placed.length; j++) {
      const [a0, a1] = span(placed[i]!);
      const [b0, b1] = span(placed[j]!);
      if (a0 < b1 && b0 < a1) pairs.push([placed[i]!, placed[j]!]);
    }
  return pairs;
}

/** The plain-words reason an overlap blocks Flash, naming the first pair. */
export function overlapReason(pair: [PlacedImage, PlacedImage]): string {
  const [a, b] = pair;
  const [a0, a1] = span(a);
  const [b0, b1] = span(b);
  return `${a.name} (${formatHex(a0)}–${formatHex(a1)}) and ${b.name} (${formatHex(b0)}–${formatHex(b1)}) overlap in flash: change an offset so each file has its own place.`;
}
