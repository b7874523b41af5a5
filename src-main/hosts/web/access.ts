/**
 * Who may talk to the browser-mode server (an open local API is anti-pattern 2 of the style anchors):
 * - a random token, required on the WebSocket URL, compared in constant time (the page gets it in its URL
 *   fragment and keeps it in memory; it is never a cookie, which every port of 127.0.0.1 would receive);
 * - the Host header must name this server (a DNS-rebinding page would send its own host name);
 * - a WebSocket's Origin must be this server's own origin (another site's page cannot open it, even with the token).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export class AccessPolicy {
  constructor(
    readonly token: string,
    /** The address the server listens on ('127.0.0.1' by default). */
    private readonly bindHost: string,
    private readonly getPort: () => number,
  ) {}

  private get loopbackOnly(): boolean {
    return this.bindHost === '127.0.0.1' || this.bindHost === 'localhost' || this.bindHost === '::1';
  }

  /**
   * Host header check: the names of this machine with our port — loopback names on a loopback bind; on any
   * other bind also the host name and every interface address (a DNS-rebinding page sends its own name).
   */
  hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host?.toLowerCase();
    if (!host) return false;
    const port = String(this.getPort());
    return this.ownNames().some((name) => host === `${name}:${port}`);
  }

  private ownNames(): string[] {
    if (this.loopbackOnly) return LOOPBACK_NAMES;
    const names = new Set([
      ...LOOPBACK_NAMES,
      os.hostname().toLowerCase(),
      `${os.hostname().toLowerCase()}.local`,
    ]);
    for (const list of Object.values(os.networkInterfaces()))
      for (const a of list ?? []) names.add(a.family === 'IPv6' ? `[${a.address.split('%')[0]}]` : a.address);
    if (this.bindHost !== '0.0.0.0' && this.bindHost !== '::')
      names.add(this.bindHost.includes(':') ? `[${this.bindHost}]` : this.bindHost.toLowerCase());
    return [...names];
  }

  /** The Origin of a WebSocket upgrade must be `http://<the Host it was sent to>`. */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    const host = req.headers.host;
    if (!origin || !host) return false;
    return origin === `http://${host}`;
  }

  tokenOf(req: IncomingMessage): string | null {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    return url.searchParams.get('token');
  }

  /** The token from the WebSocket URL's query. */
  authorised(req: IncomingMessage): boolean {
    return tokenMatches(this.token, this.tokenOf(req));
  }
}
