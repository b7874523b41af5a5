/**
 * The listener plumbing every stream-backed Transport shares: received bytes fanned out to `onData` listeners (each
 * gets its own copy, so one listener cannot change what the next sees), and exactly one close report — `undefined`
 * for a close we asked for, the DEVICE_LOST error when the device went away. Subclasses call `emitData` and
 * `reportClose`; everything else about their stream is theirs.
 */
import type { KilnError } from '../core/errors';

type Listener<T> = (value: T) => void;

export abstract class EventedTransport {
  private readonly dataListeners = new Set<Listener<Buffer>>();
  private readonly closeListeners = new Set<Listener<KilnError | undefined>>();
  private reported = false;

  onData(listener: Listener<Buffer>): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: Listener<KilnError | undefined>): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Whether the close has been reported (the transport is finished either way). */
  protected get closeReported(): boolean {
    return this.reported;
  }

  protected emitData(chunk: Buffer): void {
    for (const fn of [...this.dataListeners]) fn(Buffer.from(chunk));
  }

  /** Tells every close listener once; later calls do nothing. */
  protected reportClose(error: KilnError | undefined): void {
    if (this.reported) return;
    this.reported = true;
    for (const fn of [...this.closeListeners]) fn(error);
  }
}
