/**
 * The SPI NOR flash chip: contents plus a timing model. NOR semantics: erase sets bytes to 0xFF, programming
 * can only clear bits (new = old AND data), so a write without an erase leaves the AND of both — exactly
 * what a real chip shows when a host forgets to erase. Operations return how long they take (ms); the caller
 * waits that long on the clock. Timing figures: protocol notes §7 [guess], overridable per device.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_TIMING, type FlashTiming } from './types';

export const SECTOR = 0x1000;
export const BLOCK = 0x10000;
export const PAGE = 0x100;

export class FlashMemory {
  readonly data: Buffer;
  readonly timing: FlashTiming;
  /** Multiplies every duration (the slow-flash fault). */
  slowFactor = 1;

  constructor(
    readonly size: number,
    timing: Partial<FlashTiming> = {},
  ) {
    this.data = Buffer.alloc(size, 0xff);
    this.timing = { ...DEFAULT_TIMING, ...timing };
  }

  private scaled(ms: number): number {
    return ms * this.slowFactor;
  }

  inRange(offset: number, len: number): boolean {
    return offset >= 0 && len >= 0 && offset + len <= this.size;
  }

  isBlank(offset: number, len: number): boolean {
    const end = Math.min(this.size, offset + len);
    for (let i = offset; i < end; i++) if (this.data[i] !== 0xff) return false;
    return true;
  }

  /** Erases the 4 KB sector containing `offset`. */
  eraseSector(offset: number): number {
    const start = offset - (offset % SECTOR);
    if (start < this.size) this.data.fill(0xff, start, Math.min(this.size, start + SECTOR));
    return this.scaled(this.timing.sectorEraseMs);
  }

  /** Erases the aligned 64 KB block at `offset` (must be block-aligned). */
  eraseBlock(offset: number): number {
    this.data.fill(0xff, offset, Math.min(this.size, offset + BLOCK));
    return this.scaled(this.timing.blockEraseMs);
  }

  eraseChip(): number {
    this.data.fill(0xff);
    return this.scaled((this.timing.chipEraseMsPer4MB * this.size) / (4 * 1024 * 1024));
  }

  /**
   * Erases whole sectors covering [offset, offset+len), using 64 KB block erases where a block is fully
   * covered (what the stub's ERASE_REGION and a sensible ROM do).
   */
  eraseRange(offset: number, len: number): number {
    let ms = 0;
    let a = offset - (offset % SECTOR);
    const end = offset + len;
    while (a < end && a < this.size) {
      if (a % BLOCK === 0 && a + BLOCK <= end) {
        ms += this.eraseBlock(a);
        a += BLOCK;
      } else {
        ms += this.eraseSector(a);
        a += SECTOR;
      }
    }
    return ms;
  }

  /** Programs bytes (AND with what is there). Page programs are counted per 256-byte page touched. */
  program(offset: number, bytes: Uint8Array): number {
    const end = Math.min(this.size, offset + bytes.length);
    for (let i = offset; i < end; i++) this.data[i]! &= bytes[i - offset]!;
    const firstPage = Math.floor(offset / PAGE);
    const lastPage = Math.floor((end - 1) / PAGE);
    return end > offset ? this.scaled((lastPage - firstPage + 1) * this.timing.pageProgramMs) : 0;
  }

  read(offset: number, len: number): Buffer {
    return Buffer.from(this.data.subarray(offset, Math.min(this.size, offset + len)));
  }

  readTimeMs(len: number): number {
    return this.scaled((len / 1024) * this.timing.readMsPerKB);
  }

  md5(offset: number, len: number): Buffer {
    return createHash('md5')
      .update(this.data.subarray(offset, offset + len))
      .digest();
  }
}
