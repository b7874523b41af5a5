/**
 * SLIP framing as the ESP ROM and stubs use it (protocol notes §1): frames are delimited by C0; inside,
 * DB becomes DB DD and C0 becomes DB DC. The decoder is streaming: feed it chunks as they arrive, split
 * anywhere, and it yields whole frames. Bytes outside a frame are reported separately (boot text during
 * sync is exactly that, and the doctor wants it), never silently dropped.
 */

export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

/** Encodes one frame. Computes the escaped size first so the output is allocated once. */
export function slipEncode(payload: Uint8Array): Buffer {
  let extra = 0;
  for (let i = 0; i < payload.length; i++) {
    const b = payload[i];
    if (b === SLIP_END || b === SLIP_ESC) extra++;
  }
  const out = Buffer.allocUnsafe(payload.length + extra + 2);
  let o = 0;
  out[o++] = SLIP_END;
  if (extra === 0) {
    out.set(payload, 1);
    o += payload.length;
  } else {
    for (let i = 0; i < payload.length; i++) {
      const b = payload[i]!;
      if (b === SLIP_END) {
        out[o++] = SLIP_ESC;
        out[o++] = SLIP_ESC_END;
      } else if (b === SLIP_ESC) {
        out[o++] = SLIP_ESC;
        out[o++] = SLIP_ESC_ESC;
      } else out[o++] = b;
    }
  }
  out[o++] = SLIP_END;
  return out;
}

export interface SlipEvents {
  /** A complete, unescaped frame (may be empty only if `emitEmpty`). */
  frame(payload: Buffer): void;
  /** Bytes seen between frames (boot text, noise). Delivered in arrival order. */
  noise?(bytes: Buffer): void;
  /** A frame contained an invalid escape (DB followed by something other than DC/DD); it is dropped. */
  invalid?(raw: Buffer): void;
}

/**
 * Streaming decoder. Two C0 in a row are treated as "end, then start" (the ROM sends C0 C0 between
 * back-to-back replies), so empty frames are skipped. A frame is assembled by copying contiguous runs of
 * plain bytes with Buffer.copy, not byte by byte into an array.
 */
export class SlipDecoder {
  private inFrame = false;
  private escaping = false;
  private bad = false;
  private buf: Buffer = Buffer.allocUnsafe(4096);
  private len = 0;

  constructor(private readonly events: SlipEvents) {}

  /** Resets to the between-frames state (after a baud change, say). */
  reset(): void {
    this.inFrame = false;
    this.escaping = false;
    this.bad = false;
    this.len = 0;
  }

  /** True while part of a frame is buffered. */
  get partial(): boolean {
    return this.inFrame;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (!this.inFrame) {
        const end = indexOf(chunk, SLIP_END, i);
        if (end < 0) {
          this.events.noise?.(Buffer.from(chunk.subarray(i)));
          return;
        }
        if (end > i) this.events.noise?.(Buffer.from(chunk.subarray(i, end)));
        this.inFrame = true;
        this.escaping = false;
        this.bad = false;
        this.len = 0;
        i = end + 1;
        continue;
      }
      if (this.escaping) {
        const b = chunk[i++]!;
        this.escaping = false;
        if (b === SLIP_ESC_END) this.append1(SLIP_END);
        else if (b === SLIP_ESC_ESC) this.append1(SLIP_ESC);
        else if (b === SLIP_END) {
          // Escape cut short by a frame end: the frame is corrupt.
          this.finish(true);
        } else {
          this.bad = true;
          this.append1(b);
        }
        continue;
      }
      // Copy the run of ordinary bytes up to the next END or ESC in one go.
      let j = i;
      while (j < n) {
        const b = chunk[j]!;
        if (b === SLIP_END || b === SLIP_ESC) break;
        j++;
      }
      if (j > i) this.appendRun(chunk, i, j);
      if (j >= n) return;
      const b = chunk[j]!;
      i = j + 1;
      if (b === SLIP_ESC) this.escaping = true;
      else this.finish(false);
    }
  }

  private finish(corrupt: boolean): void {
    this.inFrame = false;
    const payload = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    if (corrupt || this.bad) {
      this.events.invalid?.(payload);
      return;
    }
    if (payload.length === 0) {
      // "C0 C0": treat the second C0 as the start of the next frame.
      this.inFrame = true;
      return;
    }
    this.events.frame(payload);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  private append1(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  private appendRun(src: Uint8Array, from: number, to: number): void {
    this.ensure(to - from);
    this.buf.set(src.subarray(from, to), this.len);
    this.len += to - from;
  }
}

function indexOf(buf: Uint8Array, value: number, from: number): number {
  return buf.indexOf(value, from);
}
