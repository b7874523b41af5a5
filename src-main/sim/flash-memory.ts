/**
 * The SPI NOR flash chip: contents plus a timing model. NOR semantics: erase sets bytes to 0xFF, programming
 * can only clear bits (new = old AND data), so a write without an erase leaves the AND of both — exactly
 * what a real chip shows when a host forgets to erase. Operations return how long they take (ms); the caller
 * waits that long on the clock. Timing figures: protocol notes §7 [guess], overridable per device.
 *
 * Storage is sparse: 4 KB pages (the erase sector) exist only once something was programmed into them, and an
 * erase gives them back, so an untouched 256 MB flash costs nothing (a host may name many boards). `data`, the
 * whole flash as one Buffer, is for tests and whole-flash dumps: asking for it turns the storage dense.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_TIMING, type FlashTiming } from './types';

export const SECTOR = 0x1000;
export const BLOCK = 0x10000;
export const PAGE = 0x100;

/** An erased sector, shared and never written: what an unallocated page reads as. */
const ERASED_SECTOR = Buffer.alloc(SECTOR, 0xff);

export class FlashMemory {
  readonly timing: FlashTiming;
  /** Multiplies every duration (the slow-flash fault). */
  slowFactor = 1;
  /** Sector index → its bytes, for sectors programmed since their last erase. */
  private readonly sectors = new Map<number, Buffer>();
  /** The whole flash, once `data` was asked for; from then on the only storage. */
  private dense: Buffer | undefined;

  constructor(
    readonly size: number,
    timing: Partial<FlashTiming> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
  }

  /** The whole flash as one live Buffer (allocates `size` bytes on first use). */
  get data(): Buffer {
    if (!this.dense) {
      const dense = Buffer.alloc(this.size, 0xff);
      for (const [index, bytes] of this.sectors) bytes.copy(dense, index * SECTOR);
      this.sectors.clear();
      this.dense = dense;
    }
    return this.dense;
  }

  /** Bytes of memory this flash holds now. */
  get allocatedBytes(): number {
    return this.dense ? this.dense.length : this.sectors.size * SECTOR;
  }

  private scaled(ms: number): number {
    return ms * this.slowFactor;
  }

  /** Calls `fn` for each sector piece of [offset, end) with the sector's bytes (undefined = erased, unallocated). */
  private eachPiece(
    offset: number,
    end: number,
    fn: (sector: Buffer | undefined, from: number, to: number, at: number) => void,
  ): void {
    for (let at = offset; at < end;) {
      const index = Math.floor(at / SECTOR);
      const from = at - index * SECTOR;
      const to = Math.min(SECTOR, end - index * SECTOR);
      fn(this.sectors.get(index), from, to, at);
      at += to - from;
    }
  }

  private sectorFor(index: number): Buffer {
    let sector = this.sectors.get(index);
    if (!sector) {
      sector = Buffer.alloc(SECTOR, 0xff);
      this.sectors.set(index, sector);
    }
    return sector;
  }

  private erase(start: number, end: number): void {
    end = Math.min(this.size, end);
    if (start >= end) return;
    if (this.dense) {
      this.dense.fill(0xff, start, end);
      return;
    }
    for (let index = Math.floor(start / SECTOR); index * SECTOR < end; index++) {
      const sector = this.sectors.get(index);
      if (!sector) continue;
      const from = Math.max(start, index * SECTOR) - index * SECTOR;
      const to = Math.min(end, (index + 1) * SECTOR) - index * SECTOR;
      if (from === 0 && to === SECTOR) this.sectors.delete(index);
      else sector.fill(0xff, from, to);
    }
  }

  inRange(offset: number, len: number): boolean {
    return offset >= 0 && len >= 0 && offset + len <= this.size;
  }

  isBlank(offset: number, len: number): boolean {
    const end = Math.min(this.size, offset + len);
    if (this.dense) {
      for (let i = offset; i < end; i++) if (this.dense[i] !== 0xff) return false;
      return true;
    }
    let blank = true;
    this.eachPiece(offset, end, (sector, from, to) => {
      if (!blank || !sector) return;
      for (let i = from; i < to; i++) if (sector[i] !== 0xff) return void (blank = false);
    });
    return blank;
  }

  /** Erases the 4 KB sector containing `offset`. */
  eraseSector(offset: number): number {
    const start = offset - (offset % SECTOR);
    this.erase(start, start + SECTOR);
    return this.scaled(this.timing.sectorEraseMs);
  }

  /** Erases the aligned 64 KB block at `offset` (must be block-aligned). */
  eraseBlock(offset: number): number {
    this.erase(offset, offset + BLOCK);
    return this.scaled(this.timing.blockEraseMs);
  }

  eraseChip(): number {
    this.erase(0, this.size);
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
    if (this.dense) {
      for (let i = offset; i < end; i++) this.dense[i]! &= bytes[i - offset]!;
    } else {
      this.eachPiece(offset, end, (_sector, from, to, at) => {
        const sector = this.sectorFor(Math.floor(at / SECTOR));
        for (let i = from, j = at - offset; i < to; i++, j++) sector[i]! &= bytes[j]!;
      });
    }
    const firstPage = Math.floor(offset / PAGE);
    const lastPage = Math.floor((end - 1) / PAGE);
    return end > offset ? this.scaled((lastPage - firstPage + 1) * this.timing.pageProgramMs) : 0;
  }

  /** Puts bytes at `offset` as they are, without NOR semantics: a board that comes with firmware on it. */
  load(offset: number, bytes: Uint8Array): void {
    const end = Math.min(this.size, offset + bytes.length);
    if (this.dense) return void this.dense.set(bytes.subarray(0, end - offset), offset);
    this.eachPiece(offset, end, (_sector, from, to, at) => {
      this.sectorFor(Math.floor(at / SECTOR)).set(
        bytes.subarray(at - offset, at - offset + (to - from)),
        from,
      );
    });
  }

  read(offset: number, len: number): Buffer {
    const end = Math.min(this.size, offset + len);
    if (this.dense) return Buffer.from(this.dense.subarray(offset, end));
    const out = Buffer.alloc(Math.max(0, end - offset), 0xff);
    this.eachPiece(offset, end, (sector, from, to, at) => {
      if (sector) sector.copy(out, at - offset, from, to);
    });
    return out;
  }

  byteAt(offset: number): number {
    return this.read(offset, 1)[0] ?? 0xff;
  }

  readUInt32LE(offset: number): number {
    return this.read(offset, 4).readUInt32LE(0);
  }

  /** Time to read (and hash) `len` bytes; a loader that hashes at its own rate passes it (stub-timing.ts). */
  readTimeMs(len: number, msPerKB = this.timing.readMsPerKB): number {
    return this.scaled((len / 1024) * msPerKB);
  }

  md5(offset: number, len: number): Buffer {
    const hash = createHash('md5');
    if (this.dense) return hash.update(this.dense.subarray(offset, offset + len)).digest();
    this.eachPiece(offset, Math.min(this.size, offset + len), (sector, from, to) => {
      hash.update((sector ?? ERASED_SECTOR).subarray(from, to));
    });
    return hash.digest();
  }
}
