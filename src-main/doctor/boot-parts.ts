/**
 * What this flash wrote that decides how the chip boots: the bootloader and partition table (ESP32 family), and
 * the flash mode the ESP8266 ROM will read from the header at 0x0.
 */
import type { ChipName, FlashModeOption } from '../esp/api';
import { CHIP_IDENTITIES } from '../esp/chips/table';
import { flashModeName } from '../esp/image';
import type { BootCheckContext, HeaderFlashMode } from './boot-report';

/** The partition table's offset in every ESP-IDF default layout (CONFIG_PARTITION_TABLE_OFFSET). */
const PARTITION_TABLE_OFFSET = 0x8000;

/**
 * Whether the regions just written start at the chip's bootloader offset and at the partition table: then "flash
 * the bootloader and partition table too" would send the user to do again what was just done and verified.
 */
export function bootPartsWritten(chip: ChipName, images: readonly { offset: number }[]): boolean {
  const at = (o: number) => images.some((i) => i.offset === o);
  return at(CHIP_IDENTITIES[chip].bootloaderOffset) && at(PARTITION_TABLE_OFFSET);
}

/** The step for a ROM that finds no bootable image at the bootloader offset, knowing what this flash wrote. */
export function bootPartsStep(ctx: BootCheckContext): string {
  const chip = CHIP_IDENTITIES[ctx.chip];
  const at = `0x${chip.bootloaderOffset.toString(16)}`;
  return ctx.wroteBootParts
    ? `The bootloader (at ${at}) and the partition table were written and verified, yet the chip does not start them: check that the firmware was built for the ${chip.displayName} and that each part went to the offset its build expects.`
    : `Flash the bootloader and partition table too (the bootloader at ${at}; a merged factory image, or the ESP Web Tools manifest with every part).`;
}

/**
 * The flash mode the ESP8266 ROM will find in the header at 0x0 after this flash: the option when it patches
 * the header, else what the image at 0x0 says. Undefined for other chips (their ROM only loads a bootloader that
 * sets its own mode) and when nothing bootable is written at 0x0.
 */
export function bootFlashMode(
  chip: ChipName,
  images: readonly { offset: number; data: Uint8Array }[],
  option: FlashModeOption,
): HeaderFlashMode | undefined {
  if (chip !== 'esp8266') return undefined;
  const first = images.find((i) => i.offset === 0 && i.data[0] === 0xe9);
  if (!first) return undefined;
  return option !== 'keep' ? option : flashModeName(first.data[2] ?? 0xff);
}
