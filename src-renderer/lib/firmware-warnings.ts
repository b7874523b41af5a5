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
    for (const other of all) {
      if (other === image || other.offset === undefined || !other.summary) continue;
      const a0 = image.offset;
      const a1 = image.offset + s.size;
      const b0 = other.offset;
      const b1 = other.offset + other.summary.size;
      if (a0 < b1 && b0 < a1)
        out.push({ code: 'OVERLAP', message: `Overlaps ${other.name} (${formatHex(b0)}–${formatHex(b1)}).` });
    }
    if (image.offset % 0x1000 !== 0)
      out.push({
        code: 'MISALIGNED',
        message: 'Offset is not a multiple of 4 KiB (0x1000), the flash sector size.',
      });
  }
  return out;
}
