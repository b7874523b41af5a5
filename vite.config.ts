import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * Content-Security-Policy of the production renderer. Applied only to `vite build` output, because the dev server
 * injects inline scripts for hot reload.
 * - `default-src 'none'`: anything not listed below is refused (fonts, frames, objects, media, workers, forms).
 * - `script-src 'self'` / `style-src 'self'`: only the bundled files; no inline code or styles (the build emits
 *   external .js/.css, and the components never put `style="…"` in markup).
 * - `img-src 'self' data:`: bundled icons and small inline SVG/PNG data URLs.
 * - `connect-src 'self' ws://127.0.0.1:* ws://localhost:*`: browser mode talks to its local server over WebSocket.
 *   CSP's 'self' covers http(s) same-origin and, in current Chromium, ws to the same host — but not every browser
 *   treats ws as same-origin, so the loopback WebSocket is named explicitly. Loopback only: the page can never open a
 *   socket to another machine. In Electron nothing uses the socket (the preload object is the API).
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function cspMeta(): Plugin {
  return {
    name: 'kiln-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: RENDERER_CSP },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [svelte({ compilerOptions: { css: 'external' } }), cspMeta()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Everything as files: no inlined data: scripts or CSS, so the CSP above holds.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    target: 'es2022',
  },
});
