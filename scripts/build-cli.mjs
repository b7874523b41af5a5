#!/usr/bin/env node
/**
 * Compiles the `kiln` command line and browser mode into two ES-module bundles (esbuild), so that starting
 * them costs no TypeScript compilation:
 *   dist/cli/kiln.mjs   the CLI (`bin/kiln.mjs` runs it)
 *   dist/cli/web.mjs    browser mode (`npm run web`, and `npm start` without an Electron runtime)
 * `npm ci` runs this through `prepare`; `bin/kiln.mjs` runs it again when a source is newer than the bundle (a
 * development checkout), so editing and running stay one step.
 *
 * Pure-JavaScript dependencies are bundled in; modules behind a dynamic `import()` (the service, the simulator,
 * the station, the doctor) are only evaluated when a command needs them, which keeps `kiln --version` fast.
 * Kept external: @serialport/bindings-cpp (its native binding is found relative to its own package folder) and
 * esptool-js (read as data: the flasher stub images, located through its package.json). An external ES import
 * would be loaded at start whatever imports it, so only CommonJS-required packages may stay external.
 *
 * Each bundle is written beside its final name and renamed over it, so concurrent builds (several `kiln`
 * children in a test run) never expose a half-written file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BUNDLE_DIR = path.join(REPO, 'dist', 'cli');

/** Entry points, by output name. */
const ENTRIES = {
  kiln: 'src-main/hosts/cli/main.ts',
  web: 'src-main/hosts/web/main.ts',
};

/** Builds both bundles; resolves with their paths. Needs esbuild (a development dependency). */
export async function buildCli({ outDir = CLI_BUNDLE_DIR } = {}) {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: REPO,
    entryPoints: ENTRIES,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(REPO, 'tsconfig.node.json'),
    // serialport's JavaScript is bundled (its require() of the native binding then runs only when a port is
    // used); the binding package stays outside because it finds its prebuilt .node file from its own folder.
    external: ['@serialport/bindings-cpp', 'esptool-js', 'esptool-js/*'],
    // Bundled CommonJS packages (commander, ws, cli-progress) call require() for Node built-ins; an ES module
    // has no require, so give the bundle one.
    banner: {
      js: "import { createRequire as __kilnCreateRequire } from 'node:module'; const require = __kilnCreateRequire(import.meta.url);",
    },
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  mkdirSync(outDir, { recursive: true });
  const written = [];
  for (const file of result.outputFiles) {
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
    written.push(file.path);
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const files = await buildCli();
  console.log(
    `build-cli: ${files.map((f) => path.relative(REPO, f)).join(', ')} in ${Date.now() - started} ms`,
  );
}
