/**
 * One entry point from a port name to a Transport: `socket://HOST:PORT` goes to the TCP bridge, anything else is a
 * device path for node serialport. Virtual `sim:` devices live in the service (it owns the simulators), so a
 * `sim:` name arriving here is a caller bug, reported as such.
 */
import { KilnError } from '../core/errors';
import type { Transport, TransportInfo } from './transport';
import { openSerialPort } from './serialport-transport';
import { openTcpTransport } from './tcp-transport';

export interface OpenTransportOptions {
  baudRate: number;
  usbId?: string;
  lines?: TransportInfo['lines'];
  log?: (message: string) => void;
  /** System root for permission hints (serial ports only). */
  root?: string;
  /** TCP connect timeout (socket:// only). */
  connectTimeoutMs?: number;
}

export function isSocketUrl(path: string): boolean {
  return path.startsWith('socket://');
}

export async function openTransport(path: string, options: OpenTransportOptions): Promise<Transport> {
  if (isSocketUrl(path)) {
    const tcp: Parameters<typeof openTcpTransport>[1] = { baudRate: options.baudRate };
    if (options.log) tcp.log = options.log;
    if (options.connectTimeoutMs !== undefined) tcp.connectTimeoutMs = options.connectTimeoutMs;
    return openTcpTransport(path, tcp);
  }
  if (path.startsWith('sim:')) {
    throw new KilnError(
      'BAD_REQUEST',
      `${path} is a virtual device; open it through the service, not openTransport().`,
      {
        hint: 'Virtual devices are created and connected by the service (its simulator registry).',
        details: { port: path },
      },
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new KilnError('BAD_REQUEST', `${path}: only socket:// URLs are supported (rfc2217:// is not).`, {
      hint: 'Use a device path like /dev/ttyUSB0, or socket://HOST:PORT for a raw TCP bridge.',
      details: { port: path },
    });
  }
  return openSerialPort(path, options);
}
