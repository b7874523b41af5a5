/**
 * A DeviceEnd over a plain byte stream (TCP socket, pty): bytes only — no DTR/RTS and no baud travel with
 * them, so signal and baud listeners never fire and the host is taken to match the chip's baud.
 */
import type { DeviceEnd } from '../serial/memory-pair';
import type { Signals } from '../serial/transport';

export interface ByteStreamLike {
  onData(fn: (chunk: Buffer) => void): void;
  onClose(fn: () => void): void;
  write(chunk: Uint8Array): void;
  destroy(): void;
}

export function byteStreamEnd(
  stream: ByteStreamLike,
  nominalBaud: () => number,
): DeviceEnd & { close(): void } {
  const dataListeners = new Set<(c: Buffer) => void>();
  const closeListeners = new Set<() => void>();
  let open = true;
  stream.onData((c) => {
    for (const l of [...dataListeners]) l(c);
  });
  const closed = () => {
    if (!open) return;
    open = false;
    for (const l of [...closeListeners]) l();
  };
  stream.onClose(closed);
  const idle: Signals = { dtr: false, rts: false };
  return {
    onHostData(l) {
      dataListeners.add(l);
      return () => dataListeners.delete(l);
    },
    onSignals: () => () => {},
    onBaudRate: () => () => {},
    onHostClose(l) {
      closeListeners.add(l);
      return () => closeListeners.delete(l);
    },
    send(chunk) {
      if (open) stream.write(Buffer.from(chunk));
    },
    unplug() {
      stream.destroy();
      closed();
    },
    get hostBaudRate() {
      return nominalBaud();
    },
    get hostSignals() {
      return { ...idle };
    },
    get hostOpen() {
      return open;
    },
    close() {
      stream.destroy();
      closed();
    },
  };
}
