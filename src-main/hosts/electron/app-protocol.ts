import { realpath, readFile } from 'node:fs/promises';
import { contentTypeFor, isInside, resolveUrlPath } from '../shared/static-paths';

/**
 * The renderer is served from `kiln://app/…` instead of `file://`: a file URL page may read any file the user can,
 * and every file URL shares one origin. Our scheme has its own origin, serves only files under `dist/renderer`, and
 * every response carries the CSP header.
 */
export const APP_SCHEME = 'kiln';
export const APP_HOST = 'app';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * CSP for the Electron window. Stricter than the browser-mode meta tag (no WebSocket: the preload object is the API).
 * When both the header and the meta tag apply, Chromium enforces both, so the stricter one wins.
 */
export const ELECTRON_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** True for URLs of the app itself (`kiln://app/...`). Used by navigation guards and the IPC sender check. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === `${APP_SCHEME}:` &&
      parsed.host === APP_HOST &&
      parsed.username === '' &&
      parsed.password === ''
    );
  } catch {
    return false;
  }
}

/**
 * Maps an app URL to a file under `rootDir`, or null when the URL is not ours or would leave the root (the path
 * rules are the browser-mode server's too: hosts/shared/static-paths.ts).
 */
export function resolveAppPath(rootDir: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  return resolveUrlPath(rootDir, new URL(url).pathname) ?? null;
}

export interface AppProtocolOptions {
  rootDir: string;
  csp?: string;
}

/**
 * The `protocol.handle` callback for `kiln://`. Also resolves symlinks, so a link inside `dist/renderer` cannot
 * point the page at a file outside it.
 */
export function createAppProtocolHandler({
  rootDir,
  csp = ELECTRON_CSP,
}: AppProtocolOptions): (request: Request) => Promise<Response> {
  const baseHeaders = {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  };
  const refuse = (status: number, text: string): Response =>
    new Response(text, { status, headers: { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' } });

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed');
    const candidate = resolveAppPath(rootDir, request.url);
    if (candidate === null) return refuse(404, 'not found');
    let body: Buffer;
    try {
      const [realRoot, realFile] = await Promise.all([realpath(rootDir), realpath(candidate)]);
      if (!isInside(realRoot, realFile)) return refuse(404, 'not found');
      body = await readFile(realFile);
    } catch {
      return refuse(404, 'not found');
    }
    const type = contentTypeFor(candidate);
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...baseHeaders, 'Content-Type': type },
    });
  };
}
