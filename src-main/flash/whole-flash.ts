/**
 * What makes a file a whole-flash backup that can go back onto a board: it is exactly one flash chip's worth of
 * bytes (SPI NOR comes in powers of two, 256 KB and up), written from 0x0, and the chip's ROM finds a firmware
 * image (magic 0xE9) where it boots from — 0x0 on the ESP8266, C3, S3, C6; 0x1000 on the ESP32 (esptool's
 * BOOTLOADER_FLASH_OFFSET). A restore is refused before anything is written when the file is not such an image,
 * or when its size is not this board's flash: a 1 MB backup written onto a 4 MB board would leave a flash the
 * firmware's partition layout does not describe, and a 4 MB one does not fit a 1 MB board at all.
 */
import { KilnError } from '../core/errors';
import type { ChipName } from '../esp';
import { CHIP_IDENTITIES } from '../esp/chips/table';

/** The smallest SPI flash an ESP board carries (ESP-01 boards with 256 KB exist; sim/url.ts accepts the same). */
const SMALLEST_FLASH = 0x40000;
/** The first byte of every ESP firmware image the ROM boots (esptool ESPLoader.ESP_IMAGE_MAGIC). */
const IMAGE_MAGIC = 0xe9;

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0
    ? `${bytes / (1024 * 1024)} MB`
    : bytes % 1024 === 0
      ? `${bytes / 1024} KB`
      : `${bytes} bytes`;
}

/** Throws NOT_A_FULL_BACKUP when `size` cannot be a whole flash (checked before any board is touched). */
export function checkWholeFlashSize(name: string, size: number): void {
  if (size >= SMALLEST_FLASH && Number.isInteger(Math.log2(size))) return;
  throw new KilnError(
    'NOT_A_FULL_BACKUP',
    `${name} is ${sizeText(size)}: a whole-flash backup is exactly the size of a flash chip (256 KB, 512 KB, 1 MB, 2 MB, 4 MB…).`,
    {
      hint: 'Choose a file made by "Back up the whole flash". To write a firmware, use Flash instead.',
      details: { file: name, size },
    },
  );
}

/**
 * Throws unless `data` can be restored onto this board: its flash size is known and equals the file's size, and
 * the chip would find an image where it boots from. Called once the board has answered, before writing.
 */
export function checkRestorable(
  name: string,
  data: Uint8Array,
  device: { chip: ChipName; flashSize: number; description?: string },
): void {
  checkWholeFlashSize(name, data.byteLength);
  const board = device.description ?? device.chip;
  if (device.flashSize <= 0) {
    throw new KilnError('UNSUPPORTED', `The flash size of ${board} could not be detected.`, {
      hint: 'Kiln restores a whole-flash backup only onto a board whose flash size it can read. Check the board with kiln info.',
      details: { file: name, size: data.byteLength },
    });
  }
  if (data.byteLength !== device.flashSize) {
    throw new KilnError(
      'BACKUP_WRONG_SIZE',
      `${name} is a backup of a ${sizeText(data.byteLength)} flash, but ${board} has ${sizeText(device.flashSize)}.`,
      {
        hint: 'Restore a backup made from a board with the same flash size (often the same board).',
        details: { file: name, size: data.byteLength, flashSize: device.flashSize },
      },
    );
  }
  const bootAt = CHIP_IDENTITIES[device.chip].bootloaderOffset;
  if (data[bootAt] !== IMAGE_MAGIC) {
    throw new KilnError(
      'NOT_A_FULL_BACKUP',
      `${name} holds no firmware where the ${device.chip.toUpperCase()} starts from (offset 0x${bootAt.toString(16)}), so the board would not start after the restore.`,
      {
        hint: 'Check that this is a backup of this kind of board (the file may be blank or from another chip).',
        details: { file: name, offset: bootAt, found: data[bootAt] ?? -1 },
      },
    );
  }
}
