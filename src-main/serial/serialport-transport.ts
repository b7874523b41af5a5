/**
 * Transport over node `serialport` 13: real USB adapters and ptys. What this layer adds over the stream:
 * - exclusive open (flock), with OS failures mapped to PORT_* errors that tell a person what to do;
 * - DTR and RTS always set together (serialport's `set()` defaults omitted lines to true);
 * - a pty has no modem lines (`set()` fails with ENOTTY): like esptool we note that once and carry on;
 * - unplug (read poller error, EIO on write, `close` with `disconnected`) becomes one DEVICE_LOST naming the port,
 *   and every later operation rejects with that same error;
 * - `write` resolves after `drain` (tcdrain), so the bytes have left the host when it returns.
 * The stream is kept flowing from the moment the port opens: without an active read the binding never notices a
 * vanished device until the next write. The binding's read is replaced for end-of-file handling (hangup-read.ts).
 */
import { realpath } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { KilnError } from '../core/errors';
import type { Signals, Transport, TransportInfo } from './transport';
import { bridgeForUsbId } from './usb-bridges';
import { lowerFtdiLatency } from './ftdi-latency';
import { installHangupAwareRead } from './hangup-read';
import { installWriteNudge } from './write-nudge';
import { EventedTransport } from './transport-events';
import {
  deviceLostError,
  isDisconnectError,
  isNoModemLinesError,
  mapOpenError,
  portClosedError,
} from './port-errors';

export interface SerialPortOpenOptions {
  baudRate: number;
  /** 'vvvv:pppp' when known (from discovery); picks `lines` from the bridge table when `lines` is not given. */
  usbId?: string;
  lines?: TransportInfo['lines'];
  /** Informational messages (no modem lines on this tty, non-fatal errors). */
  log?: (message: string) => void;
  /** System root for `/etc/group` when explaining a permission error; tests pass a fixture tree. */
  root?: string;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class SerialPortTransport extends EventedTransport implements Transport {
  readonly info: TransportInfo;
  private baud: number;
  private closing = false;
  private lost: KilnError | undefined;
  private noLinesLogged = false;

  constructor(
    private readonly port: SerialPort,
    private readonly path: string,
    private readonly options: SerialPortOpenOptions,
    /** Undoes what opening set up (the write nudge, the FTDI latency timer); run once the port is closed. */
    private readonly restoreOnClose?: () => Promise<void>,
  ) {
    super();
    const lines = options.lines ?? bridgeForUsbId(options.usbId)?.lines ?? 'uart';
    this.info = options.usbId === undefined ? { path, lines } : { path, lines, usbId: options.usbId };
    this.baud = options.baudRate;
    port.on('data', (chunk: Buffer) => this.emitData(chunk));
    port.on('error', (err: Error) => {
      if (isDisconnectError(err)) this.markLost(err);
      else this.options.log?.(`${path}: ${err.message}`);
    });
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      if (this.closing && !err?.disconnected) this.reportClose(undefined);
      else this.markLost(err);
    });
  }

  get baudRate(): number {
    return this.baud;
  }

  get modemLines(): boolean | undefined {
    return this.noLinesLogged ? false : undefined;
  }

  get isOpen(): boolean {
    return !this.closing && this.lost === undefined && this.port.isOpen;
  }

  async write(data: Uint8Array): Promise<void> {
    this.assertUsable();
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        reject(this.operationError('Writing to', err));
      };
      this.port.write(Buffer.from(data), (err) => {
        if (err) fail(err);
      });
      this.port.drain((err) => {
        if (err) return fail(err);
        if (settled) return;
        settled = true;
        resolve();
      });
    });
  }

  async setSignals(signals: Signals): Promise<void> {
    this.assertUsable();
    await new Promise<void>((resolve, reject) => {
      // Both lines, always: an omitted line would be driven to true by serialport and reset the board.
      this.port.set({ dtr: signals.dtr, rts: signals.rts }, (err) => {
        if (!err) return resolve();
        if (isNoModemLinesError(err)) {
          if (!this.noLinesLogged) {
            this.noLinesLogged = true;
            this.options.log?.(
              `${this.path} has no modem control lines (${err.message}); DTR/RTS changes are skipped, as esptool does on a pty.`,
            );
          }
          return resolve();
        }
        reject(this.operationError('Setting DTR/RTS on', err));
      });
    });
  }

  async setBaudRate(baud: number): Promise<void> {
    this.assertUsable();
    await new Promise<void>((resolve, reject) => {
      this.port.update({ baudRate: baud }, (err) => {
        if (!err) {
          this.baud = baud;
          return resolve();
        }
        if (isDisconnectError(err)) return reject(this.operationError('Changing the baud rate of', err));
        reject(
          new KilnError(
            'BAUD_CHANGE_FAILED',
            `The serial driver for ${this.path} refused ${baud} baud: ${err.message}`,
            {
              hint: 'Pick a lower baud rate; this adapter or its driver does not support that one.',
              details: { port: this.path, baud, os: err.message },
            },
          ),
        );
      });
    });
  }

  async discardInput(): Promise<void> {
    this.assertUsable();
    // tcflush(TCIOFLUSH): drops unread input; output is empty already because every write waits for drain.
    await new Promise<void>((resolve, reject) => {
      this.port.flush((err) => (err ? reject(this.operationError('Flushing', err)) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.closing || this.lost || this.closeReported) return;
    this.closing = true;
    await new Promise<void>((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close((err) => {
        // A close that fails because the device vanished meanwhile still leaves us closed.
        if (err) this.options.log?.(`${this.path}: close: ${err.message}`);
        resolve();
      });
    });
    await this.restoreOnClose?.();
    this.reportClose(undefined);
  }

  private assertUsable(): void {
    if (this.lost) throw this.lost;
    if (this.closing || this.closeReported) throw portClosedError(this.path);
    // The stream closes itself on a disconnect before it emits `close`: we did not ask, so the device went away.
    if (!this.port.isOpen) throw this.markLost(new Error('the port was closed by the driver'));
  }

  private operationError(what: string, err: unknown): KilnError {
    if (this.lost) return this.lost;
    if (isDisconnectError(err)) return this.markLost(err);
    if (this.closing) return portClosedError(this.path);
    return new KilnError('PORT_OPEN_FAILED', `${what} ${this.path} failed: ${messageOf(err)}`, {
      hint: 'Unplug and replug the board, then try again.',
      details: { port: this.path, os: messageOf(err) },
    });
  }

  private markLost(err: unknown): KilnError {
    if (this.lost) return this.lost;
    this.lost = deviceLostError(this.path, err === undefined ? undefined : messageOf(err));
    this.reportClose(this.lost);
    if (this.port.isOpen) this.port.close(() => undefined);
    void this.restoreOnClose?.();
    return this.lost;
  }
}

/**
 * Opens a device node (or pty) exclusively; on an FTDI adapter it also lowers the latency timer to 1 ms while
 * the port is held (serial/ftdi-latency.ts), when this user may. Rejects with PORT_PERMISSION_DENIED, PORT_BUSY, PORT_NOT_FOUND or PORT_OPEN_FAILED. */
export async function openSerialPort(path: string, options: SerialPortOpenOptions): Promise<Transport> {
  const port = new SerialPort({ path, baudRate: options.baudRate, autoOpen: false, lock: true });
  try {
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    throw await mapOpenError(path, err, options.root === undefined ? {} : { root: options.root });
  }
  installHangupAwareRead(port);
  const stopNudge = installWriteNudge(port);
  const device = await realpath(path).catch(() => path);
  const restoreLatency = await lowerFtdiLatency(device, {
    ...(options.root === undefined ? {} : { sysRoot: options.root }),
    ...(options.log ? { log: options.log } : {}),
  });
  return new SerialPortTransport(port, path, options, async () => {
    stopNudge();
    await restoreLatency?.();
  });
}
