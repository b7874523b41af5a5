/**
 * Frames in from a Transport: a SlipDecoder fed by `onData`, a queue of whole frames, and waiting for the next
 * frame or for the reply to a given opcode within a timeout measured on the Clock. Like esptool's read loop it
 * skips up to 100 frames that are not the awaited reply and recognises the "unsupported command" reply
 * (data[1] == 0x05 on a reply to another opcode). Bytes between frames are kept (boot text, noise), and a raw
 * tap lets connect.ts keep every byte received during reset and sync.
 *
 * A Transport that closes with DEVICE_LOST rejects every wait at once with that error (never TIMEOUT);
 * an AbortSignal rejects with CANCELLED.
 */
import { KilnError, cancelled } from '../../core/errors';
import type { Clock } from '../../core/clock';
import type { Transport } from '../../serial/transport';
import { SlipDecoder } from './slip';
import { decodeResponse, type Response } from './protocol';
import { timeoutError } from './errors';

const MAX_SKIPPED_FRAMES = 100;
const NOISE_KEEP_BYTES = 4096;
const ROM_INVALID_RECV_MSG = 0x05;

interface Waiter {
  resolve(frame: Buffer): void;
  reject(e: unknown): void;
}

export class UnsupportedCommand extends Error {
  constructor(readonly op: number) {
    super(`unsupported command 0x${op.toString(16)}`);
  }
}

export class FrameReader {
  private readonly frames: Buffer[] = [];
  private waiter: Waiter | undefined;
  private ended: KilnError | undefined;
  private readonly decoder: SlipDecoder;
  private readonly unsubscribe: (() => void)[] = [];
  private tap: ((chunk: Buffer) => void) | undefined;
  private noise: Buffer[] = [];
  private noiseLen = 0;
  /** Frames with bad escapes, counted for diagnostics. */
  invalidFrames = 0;

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
  ) {
    this.decoder = new SlipDecoder({
      frame: (f) => this.onFrame(f),
      noise: (b) => this.keepNoise(b),
      invalid: () => this.invalidFrames++,
    });
    this.unsubscribe.push(
      transport.onData((chunk) => {
        this.tap?.(chunk);
        this.decoder.push(chunk);
      }),
      transport.onClose((err) => this.end(err ?? cancelled(`${transport.info.path} was closed.`))),
    );
  }

  /** Every raw byte received from now on goes to `fn` too (until `setTap(undefined)`). */
  setTap(fn: ((chunk: Buffer) => void) | undefined): void {
    this.tap = fn;
  }

  /** The most recent bytes seen outside frames (boot text, noise). */
  recentNoise(): Buffer {
    return Buffer.concat(this.noise);
  }

  /** The error that ended the link, if the port closed or vanished. */
  get endedWith(): KilnError | undefined {
    return this.ended;
  }

  /** Drops queued frames and any half-received frame (after a reset or a baud change). */
  flush(): void {
    this.frames.length = 0;
    this.decoder.reset();
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** Next frame of any kind; `onTimeout` builds the error when none arrives within `timeoutMs`. */
  nextFrame(timeoutMs: number, signal: AbortSignal | undefined, onTimeout: () => KilnError): Promise<Buffer> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(this.ended);
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise<Buffer>((resolve, reject) => {
      const cleanup = () => {
        cancelTimer();
        signal?.removeEventListener('abort', onAbort);
        this.waiter = undefined;
      };
      const onAbort = () => {
        cleanup();
        reject(cancelled());
      };
      const cancelTimer = this.clock.setTimer(timeoutMs, () => {
        cleanup();
        reject(onTimeout());
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = {
        resolve: (f) => {
          cleanup();
          resolve(f);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
      };
    });
  }

  /**
   * The reply to `op`. Frames that are not replies, or reply to another opcode, are skipped (at most 100);
   * a foreign reply that says "invalid message" means our command is unsupported.
   */
  async waitResponse(op: number, timeoutMs: number, signal?: AbortSignal): Promise<Response> {
    const deadline = this.clock.now() + timeoutMs;
    const onTimeout = () => timeoutError(op, timeoutMs, this.transport.info.path);
    for (let skipped = 0; skipped < MAX_SKIPPED_FRAMES; skipped++) {
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) throw onTimeout();
      const frame = await this.nextFrame(remaining, signal, onTimeout);
      const resp = decodeResponse(frame);
      if (!resp) continue;
      if (resp.op === op) return resp;
      if (resp.data.length >= 2 && resp.data[0] !== 0 && resp.data[1] === ROM_INVALID_RECV_MSG)
        throw new UnsupportedCommand(op);
    }
    throw new KilnError(
      'PROTOCOL_ERROR',
      `Gave up waiting for the reply to command 0x${op.toString(16)} after ${MAX_SKIPPED_FRAMES} other frames.`,
      {
        hint: 'Something else is talking on this port (application firmware?). Reset the board into download mode and retry.',
        details: { op },
      },
    );
  }

  private onFrame(f: Buffer): void {
    if (this.waiter) this.waiter.resolve(f);
    else this.frames.push(f);
  }

  private keepNoise(b: Buffer): void {
    this.noise.push(b);
    this.noiseLen += b.length;
    while (this.noiseLen > NOISE_KEEP_BYTES && this.noise.length > 1)
      this.noiseLen -= this.noise.shift()!.length;
  }

  private end(e: KilnError): void {
    if (this.ended) return;
    this.ended = e;
    this.waiter?.reject(e);
  }
}
