/**
 * Transport over a raw serial-over-TCP bridge (`socket://HOST:PORT`), as ser2net in raw mode, esptool's
 * `socket://` URLs and `kiln sim` provide. The byte stream is the UART; there are no modem lines and no baud
 * control on the wire, so `setSignals` is a logged no-op (`info.lines = 'none'`: the engine must use no-reset)
 * and `setBaudRate` only records the rate. Nagle is off: the protocol is many small request/reply exchanges.
 */
import net from 'node:net';
import { KilnError } from '../core/errors';
import type { Signals, Transport, TransportInfo } from './transport';
import { deviceLostError, portClosedError } from './port-errors';
import { EventedTransport } from './transport-events';

export interface TcpOpenOptions {
  baudRate: number;
  /** Informational messages (signals ignored). */
  log?: (message: string) => void;
  /** Give up connecting after this long (default 5 s). */
  connectTimeoutMs?: number;
}

/** Splits `socket://host:port` (IPv6 as `socket://[::1]:4000`). Throws BAD_REQUEST for anything else. */
export function parseSocketUrl(url: string): { host: string; port: number } {
  const m = url.match(/^socket:\/\/(\[[^\]]+\]|[^:/[\]]+):(\d{1,5})\/?$/);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || !(port >= 1 && port <= 65535)) {
    throw new KilnError('BAD_REQUEST', `${url} is not a socket://HOST:PORT address.`, {
      hint: 'Write it like socket://192.168.1.20:4000 (ser2net raw mode, or kiln sim).',
      details: { port: url },
    });
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

class TcpTransport extends EventedTransport implements Transport {
  readonly info: TransportInfo;
  private baud: number;
  private closing = false;
  private lost: KilnError | undefined;
  private signalsLogged = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly url: string,
    private readonly options: TcpOpenOptions,
  ) {
    super();
    this.info = { path: url, lines: 'none' };
    this.baud = options.baudRate;
    socket.on('data', (chunk: Buffer) => this.emitData(chunk));
    socket.on('error', (err) => this.markLost(err));
    socket.on('close', () => {
      if (this.closing) this.reportClose(undefined);
      else this.markLost(undefined);
    });
  }

  get baudRate(): number {
    return this.baud;
  }

  get isOpen(): boolean {
    return !this.closing && !this.closeReported && this.lost === undefined;
  }

  async write(data: Uint8Array): Promise<void> {
    this.assertUsable();
    await new Promise<void>((resolve, reject) => {
      this.socket.write(Buffer.from(data), (err) => {
        if (!err) return resolve();
        reject(this.lost ?? this.markLost(err));
      });
    });
  }

  async setSignals(signals: Signals): Promise<void> {
    this.assertUsable();
    if (!this.signalsLogged) {
      this.signalsLogged = true;
      this.options.log?.(
        `${this.url} is a TCP bridge without modem lines; DTR=${signals.dtr ? 1 : 0} RTS=${signals.rts ? 1 : 0} and later changes are not sent.`,
      );
    }
  }

  async setBaudRate(baud: number): Promise<void> {
    this.assertUsable();
    // A raw bridge has no in-band baud control: the bridge's own UART setting decides the wire speed.
    this.baud = baud;
  }

  async discardInput(): Promise<void> {
    this.assertUsable();
    // Bytes are delivered to listeners as soon as they arrive; there is no kernel-side buffer to drop.
  }

  async close(): Promise<void> {
    if (this.closing || this.closeReported) return;
    this.closing = true;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      // A peer that never answers our FIN must not keep close() pending.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
    this.reportClose(undefined);
  }

  private assertUsable(): void {
    if (this.lost) throw this.lost;
    if (this.closing || this.closeReported) throw portClosedError(this.url);
  }

  private markLost(err: Error | undefined): KilnError {
    if (this.lost) return this.lost;
    if (this.closing) return portClosedError(this.url);
    this.lost = deviceLostError(this.url, err?.message);
    this.socket.destroy();
    this.reportClose(this.lost);
    return this.lost;
  }
}

function connectError(url: string, err: NodeJS.ErrnoException): KilnError {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new KilnError('PORT_NOT_FOUND', `Nothing is listening at ${url} (${code}).`, {
      hint: 'Start the serial bridge (ser2net in raw mode, or kiln sim) and check the host name and port number.',
      details: { port: url, os: err.message },
    });
  }
  return new KilnError('PORT_OPEN_FAILED', `Could not connect to ${url}: ${err.message}`, {
    hint: 'Check that the bridge is reachable from this computer (network, firewall) and try again.',
    details: { port: url, os: err.message },
  });
}

/** Connects to `socket://HOST:PORT`. Rejects with BAD_REQUEST, PORT_NOT_FOUND or PORT_OPEN_FAILED. */
export async function openTcpTransport(url: string, options: TcpOpenOptions): Promise<Transport> {
  const { host, port } = parseSocketUrl(url);
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      s.destroy();
      reject(connectError(url, Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })));
    }, options.connectTimeoutMs ?? 5000);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(connectError(url, err));
    });
  });
  socket.setNoDelay(true);
  return new TcpTransport(socket, url, options);
}
