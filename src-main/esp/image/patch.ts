/**
 * Header patching before a write (protocol notes §5.2): only the image at the chip's bootloader offset is
 * touched, because that header is the one the ROM reads to set up SPI flash. Byte 2 = mode, byte 3 =
 * size nibble << 4 | freq nibble. The checksum covers segment data only, so it stays valid; an appended
 * SHA-256 covers the header too and is recomputed.
 */
import { createHash } from 'node:crypto';
import type { ChipName, FlashFreqOption, FlashModeOption, FlashSizeOption } from '../api';
import { CHIP_IDENTITIES } from '../chips/table';
import { KilnError } from '../../core/errors';
import { count, hex, invalidImage } from './bytes';
import {
  FLASH_FREQ_NIBBLES,
  FLASH_SIZE_NIBBLES,
  flashFreqNibble,
  flashModeByte,
  flashSizeNibble,
  headerFamily,
} from './header-fields';
import { inspectImage } from './inspect';

export interface PatchOptions {
  offset: number;
  chip: ChipName;
  mode?: FlashModeOption;
  freq?: FlashFreqOption;
  /** A size name, or bytes when the caller resolved 'detect' from the flash chip's JEDEC id. */
  size?: FlashSizeOption | number;
}

/**
 * Returns a patched copy, or `data` itself (same object) when nothing applies: another offset, no 0xE9
 * magic (data blobs, merged images padded with 0xFF), or every option 'keep'/unset.
 */
export function patchImageHeader(data: Uint8Array, o: PatchOptions, name = 'image'): Uint8Array {
  const mode = o.mode ?? 'keep';
  const freq = o.freq ?? 'keep';
  const size = o.size ?? 'keep';
  if (o.offset !== CHIP_IDENTITIES[o.chip].bootloaderOffset) return data;
  if (mode === 'keep' && freq === 'keep' && size === 'keep') return data;
  if (data[0] !== 0xe9) return data;
  if (size === 'detect') {
    throw new KilnError(
      'BAD_REQUEST',
      `${name}: flash size 'detect' must be resolved to bytes before the header is patched`,
      {
        hint: 'Pass the size read from the flash chip (in bytes).',
      },
    );
  }

  // Validates the whole image first: Kiln never rewrites the header of a damaged bootloader.
  const info = inspectImage(data, name);
  const display = CHIP_IDENTITIES[o.chip].displayName;
  let modeByte = data[2] ?? 0;
  let sizeFreq = data[3] ?? 0;
  if (mode !== 'keep') modeByte = flashModeByte(mode);
  if (freq !== 'keep') {
    const nibble = flashFreqNibble(o.chip, freq);
    if (nibble === undefined) {
      throw invalidImage(
        name,
        `flash frequency ${freq} cannot be written in an ${display} header`,
        `Choose one of: ${Object.keys(FLASH_FREQ_NIBBLES[o.chip]).join(', ')}, or keep.`,
        { freq },
      );
    }
    sizeFreq = (sizeFreq & 0xf0) | nibble;
  }
  if (size !== 'keep') {
    const nibble = flashSizeNibble(o.chip, size);
    if (nibble === undefined) {
      const what = typeof size === 'number' ? `${count(size)} bytes (${hex(size)})` : size;
      throw invalidImage(
        name,
        `flash size ${what} cannot be written in an ${display} header`,
        `Choose one of: ${Object.keys(FLASH_SIZE_NIBBLES[headerFamily(o.chip)]).join(', ')}, or keep.`,
        { size: String(size) },
      );
    }
    sizeFreq = (sizeFreq & 0x0f) | (nibble << 4);
  }
  if (modeByte === data[2] && sizeFreq === data[3]) return data;

  const out = new Uint8Array(data);
  out[2] = modeByte;
  out[3] = sizeFreq;
  if (info.sha256.appended) {
    const digestAt = info.imageLength - 32;
    out.set(createHash('sha256').update(out.subarray(0, digestAt)).digest(), digestAt);
  }
  return out;
}
