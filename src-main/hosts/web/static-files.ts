/**
 * Serves the built renderer (`dist/renderer`). Only GET/HEAD, only files under the folder (path rules shared with
 * the Electron protocol: hosts/shared/static-paths.ts); unknown paths fall back to index.html (single-page app).
 * When the renderer has not been built, a plain page says how to build it instead of a bare 404.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { contentTypeFor, realPathInside, resolveUrlPath } from '../shared/static-paths';

export function rendererBuilt(root: string): boolean {
  return existsSync(path.join(root, 'index.html'));
}

export function notBuiltPage(root: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Kiln — renderer not built</title>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Kiln’s user interface has not been built</h1>
<p>The browser-mode server is running, but <code>${escapeHtml(root)}</code> holds no <code>index.html</code>.</p>
<p>Build it with <code>npm run build:renderer</code> (or start with <code>npm run web</code>, which builds it when it is missing), then reload this page.</p>
</body>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Sends a file from `root` for this request; returns false when nothing matched (caller sends 404). */
export function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
): boolean {
  const url = new URL(req.url ?? '/', 'http://placeholder');
  let file = resolveUrlPath(root, url.pathname);
  if (!file) return false;
  let st = statSafe(file);
  if (st?.isDirectory()) {
    file = path.join(file, 'index.html');
    st = statSafe(file);
  }
  if (!st?.isFile()) {
    // Client-side routes (no extension) get the app; a missing asset is a real 404.
    if (path.extname(url.pathname) !== '') return false;
    file = path.join(root, 'index.html');
    st = statSafe(file);
    if (!st?.isFile()) return false;
  }
  // A symlink inside the folder must not lead the browser to a file outside it.
  if (!realPathInside(root, file)) return false;
  const type = contentTypeFor(file);
  const isHtml = type.startsWith('text/html');
  res.writeHead(200, {
    ...headers,
    'Content-Type': type,
    'Content-Length': String(st.size),
    'Cache-Control': isHtml ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  createReadStream(file).pipe(res);
  return true;
}

function statSafe(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
