import { realpath, readFile } from 'node:fs/promises';
import path from 'node:path';

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

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** True for URLs of the app itself (`kiln://app/...`). Used by navigation guards and the IPC sender check. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/**
 * Maps an app URL to a file under `rootDir`, or null when the URL is not ours or would leave the root.
 * Decodes percent-escapes first, so `..%2f` and `%2e%2e` are caught by the containment check, not by luck of the
 * URL parser; NUL bytes and backslashes are refused outright (Windows would treat `\` as a separator).
 */
export function resolveAppPath(rootDir: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '' || pathname === '/') pathname = '/index.html';
  const root = path.resolve(rootDir);
  const resolved = path.resolve(root, '.' + pathname);
  if (!isInside(root, resolved)) return null;
  return resolved;
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

export interface AppProtocolOptions {
  rootDir: string;
  csp?: string;
}

/**
 * The `protocol.handle` callback for `kiln://`. Also resolves symlinks, so a link inside `dist/renderer` cannot
 * point the page at a file outside it.
 */
export function createAppProtocolHandler({ rootDir, csp = ELECTRON_CSP }: AppProtocolOptions): (request: Request) => Promise<Response> {
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
    const type = CONTENT_TYPES[path.extname(candidate).toLowerCase()] ?? 'application/octet-stream';
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...baseHeaders, 'Content-Type': type },
    });
  };
}
