/**
 * One command at a time over a Transport: encode, SLIP-frame, write, wait for the reply with the timeout
 * from the command table, check the status. What kind of loader answers (ROM or stub, 2 or 4 status bytes)
 * is state here, because it changes mid-session when the stub starts. Register access lives here too since
 * every flow needs it.
 */
import { KilnError, cancelled } from '../../core/errors';
import type { Clock } from '../../core/clock';
import type { Transport } from '../../serial/transport';
import { encodeRequest, readStatus, words, Op, type Response } from './protocol';
import { SLIP_END, slipEncode } from './slip';
import { FrameReader, UnsupportedCommand } from './reader';
import { timeoutFor, WAITS } from './commands';
import { commandName, isFatalLinkError, statusError, unsupportedError } from './errors';

/** Copies of an "invalid message" reply the ROM sends (esptool loader.py). */
const ROM_REJECTION_COPIES = 8;

export interface CommandOptions {
  /** Overrides the command table (only for waits the table scales by size: pass `size` instead when possible). */
  timeoutMs?: number;
  /** Byte count for size-scaled timeouts. */
  size?: number;
  /** Checksum word for the *_DATA commands. */
  checksum?: number;
  /** Bytes of result before the status in the reply (MD5: 16 or 32, security info: 12/20). */
  resultLen?: number;
  signal?: AbortSignal;
  /** This very request, already SLIP-framed by `encodeFrame` (a DATA block built while the one before was on the wire). */
  framed?: Buffer;
}

/** The bytes on the wire for one request: what `send` writes, for a caller that builds it ahead of time. */
export function encodeFrame(op: number, data: Uint8Array, checksum = 0): Buffer {
  return slipEncode(encodeRequest(op, data, checksum));
}

export class EspLink {
  readonly reader: FrameReader;
  /** True once the flasher stub answers instead of the ROM. */
  isStub = false;
  /** Every byte written to the wire (SLIP-framed), for "bytes sent" figures. */
  bytesWritten = 0;

  constructor(
    readonly transport: Transport,
    readonly clock: Clock,
    /** Session-wide cancellation; per-call signals are honoured too. */
    readonly signal: AbortSignal | undefined,
  ) {
    this.reader = new FrameReader(transport, clock);
  }

  get port(): string {
    return this.transport.info.path;
  }

  /** Throws CANCELLED if either the session or the call signal fired, DEVICE_LOST if the port vanished. */
  checkAlive(signal?: AbortSignal): void {
    if (this.signal?.aborted || signal?.aborted) throw cancelled();
    if (this.reader.endedWith) throw this.reader.endedWith;
  }

  /** The signal a wait should honour: the call's own, else the session's. */
  waitSignal(signal?: AbortSignal): AbortSignal | undefined {
    if (signal && this.signal) return AbortSignal.any([signal, this.signal]);
    return signal ?? this.signal;
  }

  async send(
    op: number,
    data: Uint8Array = Buffer.alloc(0),
    checksum = 0,
    signal?: AbortSignal,
    framed?: Buffer,
  ): Promise<void> {
    this.checkAlive(signal);
    const frame = framed ?? encodeFrame(op, data, checksum);
    this.bytesWritten += frame.length;
    await this.transport.write(frame);
  }

  /**
   * Writes one already-encoded request, SLIP-framed. `leadingEnd` puts one more END before it, which closes a
   * receiver's half-received frame first (stub-greeting.ts: after bytes at a wrong rate).
   */
  async writeRaw(
    frame: Uint8Array,
    signal?: AbortSignal,
    opts: { leadingEnd?: boolean } = {},
  ): Promise<void> {
    this.checkAlive(signal);
    const framed = opts.leadingEnd
      ? Buffer.concat([Buffer.of(SLIP_END), slipEncode(frame)])
      : slipEncode(frame);
    this.bytesWritten += framed.length;
    await this.transport.write(framed);
  }

  /** Sends a command and returns its reply once the status says success; otherwise throws the mapped error. */
  async command(
    op: number,
    data: Uint8Array = Buffer.alloc(0),
    opts: CommandOptions = {},
  ): Promise<Response> {
    const resp = await this.exchange(op, data, opts);
    const resultLen = opts.resultLen ?? 0;
    if (resp.data.length < resultLen + 2) {
      // A reply cut short on the line (dropped bytes): its status cannot be read, so it proves nothing.
      throw new KilnError(
        'PROTOCOL_ERROR',
        `The reply to ${commandName(op)} was cut short (${resp.data.length} of ${resultLen + 2} bytes).`,
        {
          hint: 'The serial link lost data. Try a lower baud rate or another USB cable.',
          details: { command: commandName(op), received: resp.data.length, expected: resultLen + 2 },
        },
      );
    }
    const status = readStatus(resp.data, resultLen);
    if (!status.ok) {
      if (status.name === 'ROM_INVALID_MESSAGE') await this.swallowRepeats(this.waitSignal(opts.signal));
      throw statusError(op, status);
    }
    return resp;
  }

  /** Sends a command and returns the reply without judging its status (for replies of variable shape). */
  async exchange(
    op: number,
    data: Uint8Array = Buffer.alloc(0),
    opts: CommandOptions = {},
  ): Promise<Response> {
    const timeoutMs = opts.timeoutMs ?? timeoutFor(op, opts.size ?? 0, { rom: !this.isStub });
    const signal = this.waitSignal(opts.signal);
    await this.send(op, data, opts.checksum ?? 0, signal, opts.framed);
    try {
      return await this.reader.waitResponse(op, timeoutMs, signal);
    } catch (e) {
      if (e instanceof UnsupportedCommand) {
        await this.swallowRepeats(signal);
        throw unsupportedError(op);
      }
      throw e;
    }
  }

  async readReg(addr: number, signal?: AbortSignal): Promise<number> {
    const r = await this.command(Op.READ_REG, words(addr), { signal });
    return r.value >>> 0;
  }

  async writeReg(
    addr: number,
    value: number,
    mask = 0xffffffff,
    delayUs = 0,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.command(Op.WRITE_REG, words(addr, value, mask, delayUs), { signal });
  }

  /** Drops frames queued so far, and the transport's input buffer. */
  async flushInput(): Promise<void> {
    await this.transport.discardInput();
    this.reader.flush();
  }

  /** After a command the loader refused: let repeated refusals pass, then drop them. */
  async flushAfterRejection(): Promise<void> {
    await this.swallowRepeats(this.signal);
  }

  /**
   * The ROM repeats an "invalid message" reply: 8 copies in all (esptool loader.py: "sent 8 times and has 14 bytes
   * length including delimiter"). Take the 7 further copies off the line as they come, for at most the quiet
   * period (a loader that sends fewer, as a stub does, costs that period as before), then drop the rest.
   */
  private async swallowRepeats(signal?: AbortSignal): Promise<void> {
    const deadline = this.clock.now() + WAITS.afterUnsupportedMs;
    for (let copy = 1; copy < ROM_REJECTION_COPIES; copy++) {
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) break;
      try {
        await this.reader.nextFrame(remaining, signal, () => new KilnError('TIMEOUT', 'quiet'));
      } catch (e) {
        if (isFatalLinkError(e)) throw e;
        break;
      }
    }
    await this.flushInput();
  }

  dispose(): void {
    this.reader.dispose();
  }
}

export function isUnsupported(e: unknown): boolean {
  return e instanceof KilnError && e.code === 'UNSUPPORTED';
}
