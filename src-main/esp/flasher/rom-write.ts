/**
 * Writing through the ROM loader alone (`useStub: false`; the slow path, mainly for the ESP8266). Uncompressed
 * FLASH_BEGIN — the ROM erases here, so the ESP8266 gets esptool's erase-size workaround (notes §4) — then
 * FLASH_DATA in 1 KB blocks padded with 0xFF, and FLASH_END(1) to stay in the loader.
 * The ESP8266 ROM has neither MD5 nor READ_FLASH, so verification reads the memory-mapped flash window at
 * 0x40200000 + offset with READ_REG, one word per command; only the first 1 MB is mapped there.
 * NOTE: the window read-back is modelled on esptool's facts and the simulator; it has not been checked on hardware
 * (the ROM may need the flash cache enabled for the window to reflect fresh writes).
 */
import { Op, words } from '../link/protocol';
import { timeoutFor } from '../link/commands';
import { esp8266RomEraseSize, type PlannedRegion } from './write-plan';
import { padBlock, prepareBlock, sendBlock, type WriteContext } from './data-block';
import type { EspLink } from '../link/link';
import type { ProgressMeter } from './progress';

export const ROM_BLOCK = 0x400;
export const ESP8266_FLASH_WINDOW = 0x40200000;
export const ESP8266_WINDOW_SIZE = 0x100000;

export async function romWriteRun(
  ctx: WriteContext,
  offset: number,
  data: Uint8Array,
  onAcked: (n: number) => void,
): Promise<void> {
  const { link, chip, signal } = ctx;
  const blocks = Math.ceil(data.length / ROM_BLOCK);
  const eraseSize = chip.name === 'esp8266' ? esp8266RomEraseSize(offset, data.length) : data.length;
  const begin =
    chip.romFlashBeginWords === 5
      ? words(eraseSize, blocks, ROM_BLOCK, offset, 0)
      : words(eraseSize, blocks, ROM_BLOCK, offset);
  // The ROM erases the whole range before answering: the timeout scales with the size actually erased.
  await link.command(Op.FLASH_BEGIN, begin, {
    timeoutMs: timeoutFor(Op.FLASH_BEGIN, data.length, { rom: true }),
    signal,
  });
  for (let seq = 0; seq < blocks; seq++) {
    const block = padBlock(data.subarray(seq * ROM_BLOCK, (seq + 1) * ROM_BLOCK), ROM_BLOCK);
    await sendBlock(ctx, prepareBlock(Op.FLASH_DATA, seq, block, ROM_BLOCK));
    onAcked(Math.min(data.length, (seq + 1) * ROM_BLOCK));
  }
}

/** Leaves flash-write mode but stays in the loader (1 = do not run the application). */
export async function romFinish(link: EspLink, signal?: AbortSignal): Promise<void> {
  await link.command(Op.FLASH_END, words(1), { signal });
}

/**
 * Reads the region back through the memory-mapped window, word by word. Undefined when the region lies beyond
 * the window (then it cannot be verified on this ROM).
 */
export async function verifyByWindowRead(
  ctx: WriteContext,
  region: PlannedRegion,
  meter: ProgressMeter,
): Promise<Uint8Array | undefined> {
  if (region.offset + region.data.length > ESP8266_WINDOW_SIZE) return undefined;
  return readWindow(ctx.link, region.offset, region.data.length, meter, ctx.signal);
}

export async function readWindow(
  link: EspLink,
  offset: number,
  size: number,
  meter?: ProgressMeter,
  signal?: AbortSignal,
): Promise<Buffer> {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) {
    const v = await link.readReg(ESP8266_FLASH_WINDOW + offset + i, signal);
    const word = Buffer.alloc(4);
    word.writeUInt32LE(v >>> 0);
    word.copy(out, i, 0, Math.min(4, size - i));
    if (i % 1024 === 0) meter?.update(i);
  }
  meter?.update(size);
  return out;
}
