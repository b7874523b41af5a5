/**
 * What the firmware list shows for one file: the image module's inspection reduced to the contract's summary,
 * plus where the file would go on its own (the same rule the flash plan uses) and warnings a person can act on.
 */
import { CHIP_IDENTITIES } from '../esp/chips/table';
import { inspectImage, planImages, type ImageInfo } from '../esp/image';
import type { ImageInfoSummary } from './contract';

const FORMAT: Record<ImageInfo['kind'], string> = {
  esp8266: 'esp8266',
  'esp8266-v2': 'esp8266-v2',
  'esp32-family': 'esp32',
  'partition-table': 'partition-table',
  raw: 'unknown',
};

function suggestedOffset(data: Uint8Array, name: string, info: ImageInfo): number | undefined {
  const chip = info.chip ?? (info.kind === 'partition-table' ? 'esp32' : undefined);
  if (!chip) return undefined;
  try {
    return planImages([{ data, name }], { chip })[0]?.offset;
  } catch {
    return undefined;
  }
}

/** Inspects the bytes (throws IMAGE_INVALID for a damaged image) and summarises them for the contract. */
export function summariseFirmware(
  data: Uint8Array,
  name: string,
): { info: ImageInfoSummary; warnings: { code: string; message: string }[] } {
  const info = inspectImage(data, name);
  const summary: ImageInfoSummary = {
    format: FORMAT[info.kind],
    role:
      info.kind === 'partition-table'
        ? 'partition-table'
        : info.kind === 'raw'
          ? 'data'
          : (info.role ?? 'app'),
    segments: info.segments.length,
    imageLength: info.imageLength,
    notes: info.notes,
  };
  if (info.chip) summary.chip = info.chip;
  if (info.flashMode) summary.flashMode = info.flashMode;
  if (info.flashFreq) summary.flashFreq = info.flashFreq;
  if (info.flashSize) summary.flashSize = info.flashSize;
  if (info.entry !== undefined) summary.entry = info.entry;
  const offset = suggestedOffset(data, name, info);
  if (offset !== undefined) summary.suggestedOffset = offset;
  const parts = [
    info.chip ? CHIP_IDENTITIES[info.chip].displayName : undefined,
    info.kind === 'partition-table'
      ? `partition table (${info.partitions?.length ?? 0} entries)`
      : info.kind === 'raw'
        ? 'raw data'
        : (info.role ?? 'image'),
    info.flashMode ? info.flashMode.toUpperCase() : undefined,
    info.flashSize,
  ].filter(Boolean);
  summary.description = parts.join(' · ');
  const warnings = info.warnings.map((message) => ({
    code: info.kind === 'raw' ? 'NO_HEADER' : 'IMAGE',
    message,
  }));
  if (info.kind === 'esp8266' && info.flashMode && info.flashMode !== 'dout' && info.flashMode !== 'dio') {
    warnings.push({
      code: 'FLASH_MODE',
      message: `The image asks for ${info.flashMode.toUpperCase()}; many ESP8266 modules (ESP8285, Sonoff) only boot in DOUT. Pick DOUT if the board boot-loops after flashing.`,
    });
  }
  return { info: summary, warnings };
}
