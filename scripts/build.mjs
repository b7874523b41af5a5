#!/usr/bin/env node
/**
 * Builds the desktop app: `npm run build`.
 *   dist/main/electron.cjs  main process (esbuild, CommonJS, platform node)
 *   dist/main/preload.cjs   sandboxed preload (esbuild, CommonJS: sandboxed preloads cannot be ES modules)
 *   dist/renderer/          Svelte renderer (vite build, with the CSP meta tag)
 * Options: --out <dir> writes to another folder (tests build into a temp dir); --no-renderer skips vite.
 *
 * Kept external (shipped in node_modules, required at run time): electron itself; serialport and its
 * @serialport/* packages (the native binding is located relative to its own package folder, unpacked from the asar);
 * electron-log (it finds its helper files relative to its package).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const outDir = path.resolve(REPO, argValue('--out') ?? 'dist');
const withRenderer = !process.argv.includes('--no-renderer');
// Electron 45 ships Node 22 and Chromium 140.
const NODE_TARGET = 'node22';
const CHROME_TARGET = 'chrome140';

const shared = {
  absWorkingDir: REPO,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
  tsconfig: path.join(REPO, 'tsconfig.node.json'),
};

async function buildMain() {
  await build({
    ...shared,
    entryPoints: ['src-main/hosts/electron/main.ts'],
    outfile: path.join(outDir, 'main', 'electron.cjs'),
    target: NODE_TARGET,
    external: ['electron', 'serialport', '@serialport/*', 'electron-log', 'electron-log/*'],
    // ES-module code (e.g. createRequire(import.meta.url) to find esptool-js's stub images) runs as CommonJS here:
    // give it the bundle's own file URL, from which node_modules resolves as usual.
    define: { 'import.meta.url': '__kilnImportMetaUrl' },
    banner: { js: 'const __kilnImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
}

async function buildPreload() {
  await build({
    ...shared,
    entryPoints: ['src-main/hosts/electron/preload.ts'],
    outfile: path.join(outDir, 'main', 'preload.cjs'),
    target: CHROME_TARGET,
    // The sandboxed preload may require only 'electron' (and a few built-ins); everything else is bundled in.
    external: ['electron'],
  });
}

function buildRenderer() {
  const vite = path.join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--outDir', path.join(outDir, 'renderer'), '--emptyOutDir', '--logLevel', 'warn'],
    {
      cwd: REPO,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status})`);
}

const started = Date.now();
rmSync(path.join(outDir, 'main'), { recursive: true, force: true });
mkdirSync(path.join(outDir, 'main'), { recursive: true });
await Promise.all([buildMain(), buildPreload()]);
if (withRenderer) buildRenderer();
const size = (f) => `${(statSync(path.join(outDir, 'main', f)).size / 1024).toFixed(1)} KB`;
console.log(
  `build: ${path.relative(REPO, outDir) || outDir}/main/electron.cjs ${size('electron.cjs')}, preload.cjs ${size('preload.cjs')}` +
    `${withRenderer ? ', renderer/' : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
