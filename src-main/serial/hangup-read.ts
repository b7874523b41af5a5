/**
 * Works around a busy loop in @serialport/bindings-cpp 13 on Linux/macOS: when a tty is hung up (USB cable
 * pulled, pty peer gone) while a read is already past the poller, `read()` returns 0 bytes (end of file), and
 * `unixRead` simply reads again — forever, burning a thread-pool thread and a core, and the port is never
 * reported as disconnected. Measured on a socat pty: kill the peer right after open and the stream spins without
 * ever emitting `close`.
 *
 * We replace the read of that one port object with the same loop (non-blocking read; wait on the poller on
 * EAGAIN) except that end of file is an error marked `disconnect`, which the stream turns into
 * `close(disconnected)`, and Kiln into DEVICE_LOST. A non-blocking tty read with VMIN=1 (serialport's setting)
 * returns EAGAIN when empty, so 0 bytes can only mean hang-up.
 */
import fs from 'node:fs';
import type { SerialPort } from 'serialport';

interface UnixPortBinding {
  fd: number | null;
  isOpen: boolean;
  poller: { once(event: 'readable', cb: (err: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }>;
}

function isUnixBinding(b: unknown): b is UnixPortBinding {
  const o = b as Partial<UnixPortBinding> | undefined;
  return !!o && typeof o.read === 'function' && typeof o.poller?.once === 'function' && 'fd' in o;
}

function readOnce(fd: number, buffer: Buffer, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.read(fd, buffer, offset, length, null, (err, n) => (err ? reject(err) : resolve(n))),
  );
}

function tagged(message: string, props: Record<string, unknown>): Error {
  return Object.assign(new Error(message), props);
}

const RETRY = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);
const GONE = new Set(['EBADF', 'ENXIO', 'ENODEV', 'EIO', 'UNKNOWN']);

/** Installs the hang-up-aware read on an open port. A no-op on bindings without a poller (Windows). */
export function installHangupAwareRead(port: SerialPort): void {
  const binding = (port as unknown as { port?: unknown }).port;
  if (!isUnixBinding(binding)) return;
  binding.read = async (buffer, offset, length) => {
    for (;;) {
      if (!binding.isOpen || binding.fd === null) throw tagged('Port is not open', { canceled: true });
      try {
        const bytesRead = await readOnce(binding.fd, buffer, offset, length);
        if (bytesRead === 0) {
          throw tagged('The tty was hung up (read returned end of file)', { code: 'EIO', disconnect: true });
        }
        return { bytesRead, buffer };
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (RETRY.has(code)) {
          if (!binding.isOpen) throw tagged('Port is not open', { canceled: true });
          await new Promise<void>((resolve, reject) =>
            binding.poller.once('readable', (e) => (e ? reject(e) : resolve())),
          );
          continue;
        }
        if (GONE.has(code)) (err as { disconnect?: boolean }).disconnect = true;
        throw err;
      }
    }
  };
}
