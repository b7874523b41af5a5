/**
 * What both hosts that serve the built renderer (Electron's `kiln://` protocol and browser mode's HTTP server)
 * need to map a request onto `dist/renderer` safely: the URL path decoded and resolved strictly inside the root,
 * symlinks checked against the real root, and a content type per extension.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** True when `candidate` lies strictly inside `root` (both absolute). */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * Maps a URL's pathname (dot segments already resolved by the URL parser, still percent-encoded) to a file under
 * `root`, or undefined when it is malformed or would leave the root. Decoding comes first, so `..%2f` and `%2e%2e`
 * are caught by the containment check, not by luck of the URL parser; NUL bytes and backslashes are refused
 * outright (Windows would treat `\` as a separator). `/` is the root's index.html.
 */
export function resolveUrlPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  if (decoded === '' || decoded === '/') decoded = '/index.html';
  const absRoot = path.resolve(root);
  const resolved = path.resolve(absRoot, '.' + decoded);
  return isInside(absRoot, resolved) ? resolved : undefined;
}

/** Whether `file` (which exists) is still inside `root` once symlinks are followed. */
export function realPathInside(root: string, file: string): boolean {
  try {
    return isInside(realpathSync(root), realpathSync(file));
  } catch {
    return false;
  }
}
