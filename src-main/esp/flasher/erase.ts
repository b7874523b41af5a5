/**
 * Erasing through the stub (the ROMs have no erase commands of their own; they erase inside FLASH_BEGIN).
 * Timeouts come from the command table: 120 s for the chip, 30 s/MB for a region.
 */
import { KilnError } from '../../core/errors';
import { Op, words } from '../link/protocol';
import type { EspLink } from '../link/link';

export const SECTOR = 0x1000;

function needStub(link: EspLink, what: string): void {
  if (!link.isStub) {
    throw new KilnError('UNSUPPORTED', `The ROM loader cannot ${what}.`, {
      hint: 'Connect with the flasher stub (the default) to erase.',
      details: { operation: what },
    });
  }
}

export async function eraseChip(link: EspLink, signal?: AbortSignal): Promise<void> {
  needStub(link, 'erase the whole flash');
  await link.command(Op.ERASE_FLASH, undefined, { signal });
}

export async function eraseRegion(
  link: EspLink,
  offset: number,
  size: number,
  signal?: AbortSignal,
): Promise<void> {
  if (offset % SECTOR !== 0 || size % SECTOR !== 0 || size <= 0) {
    throw new KilnError(
      'IMAGE_MISALIGNED',
      `Erase range 0x${offset.toString(16)}+0x${size.toString(16)} is not made of whole 4 KB sectors.`,
      {
        hint: 'Use an offset and a size that are multiples of 0x1000.',
        details: { offset, size },
      },
    );
  }
  needStub(link, 'erase a region');
  await link.command(Op.ERASE_REGION, words(offset, size), { size, signal });
}
