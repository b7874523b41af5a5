/**
 * Who may talk to the browser-mode server (an open local API is anti-pattern 2 of the style anchors):
 * - a random token, required on the WebSocket URL, compared in constant time (the page gets it in its URL
 *   fragment and keeps it in memory; it is never a cookie, which every port of 127.0.0.1 would receive);
 * - the Host header must name this server (a DNS-rebinding page would send its own host name);
 * - a WebSocket's Origin must be this server's own origin (another site's page cannot open it, even with the token).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

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

  /** Host header check: on a loopback bind only loopback names with our port are accepted. */
  hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host;
    if (!host) return false;
    if (!this.loopbackOnly) return true;
    const port = String(this.getPort());
    return LOOPBACK_NAMES.some((name) => host === `${name}:${port}`);
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
