/**
 * Works around a lost "writable" wake-up in @serialport/bindings-cpp 13 on Linux: when a write meets EAGAIN
 * (the tty's output buffer is full), `unixWrite` waits for the poller's `writable` event, and that event can
 * fail to arrive while reads keep re-arming the same poll handle. The write, and with it `kiln flash`, then waits
 * for ever (seen in about one run in four of a 1 MiB flash at 921600 over a socat pty, at the start of the write
 * phase; DEBUG=serialport/* showed EAGAIN, "waiting for writable", and nothing after).
 *
 * While a `writable` waiter exists, we emit `writable` every NUDGE_MS: the binding then retries the write exactly
 * as after a real event (a still-full buffer gives EAGAIN and a fresh poll for `writable`), so a lost event costs
 * at most NUDGE_MS instead of the rest of the run. Nothing is emitted while nobody waits.
 */
import type { SerialPort } from 'serialport';

export const NUDGE_MS = 50;

interface PollerLike {
  listenerCount(event: 'writable'): number;
  emit(event: 'writable', err: null): boolean;
}

function pollerOf(port: SerialPort): PollerLike | undefined {
  const binding = (port as unknown as { port?: { poller?: Partial<PollerLike> } }).port;
  const poller = binding?.poller;
  return poller && typeof poller.listenerCount === 'function' && typeof poller.emit === 'function'
    ? (poller as PollerLike)
    : undefined;
}

/** Starts the nudge on an open port; returns the function that stops it. A no-op without a poller (Windows). */
export function installWriteNudge(port: SerialPort): () => void {
  const poller = pollerOf(port);
  if (!poller) return () => undefined;
  let waitingSince: number | undefined;
  const timer = setInterval(() => {
    if (poller.listenerCount('writable') === 0) {
      waitingSince = undefined;
      return;
    }
    const now = Date.now();
    waitingSince ??= now;
    if (now - waitingSince >= NUDGE_MS) {
      waitingSince = undefined;
      poller.emit('writable', null);
    }
  }, NUDGE_MS);
  timer.unref();
  return () => clearInterval(timer);
}
