/**
 * SPI_FLASH_MD5: the device hashes a flash range. The stub answers 16 raw bytes, ESP32-family ROMs 32 ASCII hex
 * characters; the ESP8266 ROM cannot do it at all (protocol notes §2).
 */
import { createHash } from 'node:crypto';
import { Op, words } from '../link/protocol';
import type { ChipRecord } from '../chips/records';
import type { EspLink } from '../link/link';

export function canMd5(link: EspLink, chip: ChipRecord): boolean {
  return link.isStub || chip.rom.md5;
}

/** Lower-case hex MD5 of `size` bytes of flash at `offset`, computed by the device. */
export async function deviceMd5(
  link: EspLink,
  offset: number,
  size: number,
  signal?: AbortSignal,
): Promise<string> {
  const resultLen = link.isStub ? 16 : 32;
  const r = await link.command(Op.SPI_FLASH_MD5, words(offset, size, 0, 0), { size, resultLen, signal });
  const result = r.data.subarray(0, resultLen);
  return link.isStub ? result.toString('hex') : result.toString('ascii').toLowerCase();
}

export function localMd5(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}
