/**
 * A Web-Serial-shaped port (the `SerialPort` of the W3C Web Serial API, which esptool-js's Transport drives) over
 * a Node byte link: a TCP socket (`kiln sim --tcp`, esptool's `socket://`) or a serial device opened with the
 * `serialport` package (a socat pty). Only what Transport uses: open/close, readable/writable Web Streams,
 * setSignals, getInfo, and setBaudRate (esptool-js 0.7.0's in-place baud change, BaudRateConfigurablePort).
 *
 * Web Serial semantics kept: `readable`/`writable` are null until open and after close; after a reader cancels,
 * `readable` is a fresh stream while the port stays open.
 */
import net from 'node:net';
import { SerialPort } from 'serialport';

/** The byte pipe under the port. */
export interface ByteLink {
  write(bytes: Uint8Array): Promise<void>;
  onData(fn: (bytes: Buffer) => void): void;
  onClose(fn: () => void): void;
  setBaudRate(baud: number): Promise<void>;
  setSignals(s: { dtr?: boolean; rts?: boolean }): Promise<void>;
  close(): Promise<void>;
}

interface SerialSignals {
  dataTerminalReady?: boolean;
  requestToSend?: boolean;
  break?: boolean;
}

export class WebSerialPortAdapter {
  private link: ByteLink | undefined;
  private readableStream: ReadableStream<Uint8Array> | null = null;
  private writableStream: WritableStream<Uint8Array> | null = null;
  private sink: ReadableStreamDefaultController<Uint8Array> | undefined;
  /** Bytes that arrived while no stream was readable (between a cancel and the next getter call). */
  private pending: Uint8Array[] = [];

  constructor(private readonly connect: (baudRate: number) => Promise<ByteLink>) {}

  getInfo(): { usbVendorId?: number; usbProductId?: number } {
    return {};
  }

  async open(options: { baudRate: number }): Promise<void> {
    if (this.link) throw new DOMException('The port is already open.', 'InvalidStateError');
    const link = await this.connect(options.baudRate);
    this.link = link;
    link.onData((b) => this.deliver(new Uint8Array(b)));
    link.onClose(() => {
      this.sink?.error(new DOMException('The device has been lost.', 'NetworkError'));
      this.sink = undefined;
    });
    this.writableStream = new WritableStream<Uint8Array>({ write: (chunk) => link.write(chunk) });
  }

  get readable(): ReadableStream<Uint8Array> | null {
    if (!this.link) return null;
    if (!this.readableStream) {
      this.readableStream = new ReadableStream<Uint8Array>({
        start: (controller) => {
          this.sink = controller;
          for (const b of this.pending.splice(0)) controller.enqueue(b);
        },
        cancel: () => {
          this.sink = undefined;
          this.readableStream = null;
        },
      });
    }
    return this.readableStream;
  }

  get writable(): WritableStream<Uint8Array> | null {
    return this.writableStream;
  }

  private deliver(b: Uint8Array): void {
    if (this.sink) this.sink.enqueue(b);
    else this.pending.push(b);
  }

  async setSignals(s: SerialSignals): Promise<void> {
    if (!this.link) throw new DOMException('The port is closed.', 'InvalidStateError');
    await this.link.setSignals({ dtr: s.dataTerminalReady, rts: s.requestToSend });
  }

  async setBaudRate(baud: number): Promise<void> {
    await this.link?.setBaudRate(baud);
  }

  async close(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    this.sink = undefined;
    this.readableStream = null;
    this.writableStream = null;
    this.pending = [];
    await link?.close();
  }
}

/**
 * TCP: a socket has no DTR/RTS and no baud (like esptool's socket:// URL handler), so those are accepted and
 * change nothing — the simulator's TCP server starts the chip in download mode on connect instead.
 */
export function tcpLink(port: number, host = '127.0.0.1'): (baud: number) => Promise<ByteLink> {
  return () =>
    new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.on('error', () => {});
        resolve({
          write: (bytes) => new Promise<void>((r, j) => socket.write(bytes, (e) => (e ? j(e) : r()))),
          onData: (fn) => socket.on('data', fn),
          onClose: (fn) => socket.on('close', fn),
          setBaudRate: async () => {},
          setSignals: async () => {},
          close: () =>
            new Promise<void>((r) => {
              if (socket.destroyed) return r();
              socket.once('close', () => r());
              socket.destroy();
            }),
        });
      });
    });
}

/** A serial device through node `serialport` (here: the host side of a socat pty). */
export function serialLink(path: string): (baud: number) => Promise<ByteLink> {
  return (baudRate) =>
    new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      port.open((err) => {
        if (err) return reject(err);
        port.on('error', () => {});
        resolve({
          write: (bytes) =>
            new Promise<void>((r, j) =>
              port.write(Buffer.from(bytes), (e) => (e ? j(e) : port.drain(() => r()))),
            ),
          onData: (fn) => port.on('data', fn),
          onClose: (fn) => port.on('close', fn),
          setBaudRate: (baud) =>
            new Promise<void>((r, j) => port.update({ baudRate: baud }, (e) => (e ? j(e) : r()))),
          // DTR/RTS do not cross a pty (ioctl ENOTTY): the simulator's pty server starts in download mode instead.
          setSignals: (s) =>
            new Promise<void>((r, j) => port.set({ dtr: s.dtr, rts: s.rts }, (e) => (e ? j(e) : r()))),
          close: () => new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r())),
        });
      });
    });
}
