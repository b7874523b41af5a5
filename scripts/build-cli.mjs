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
 * the station, the doctor) are split into chunks (dist/cli/chunks/, shared by both entries) that are only read
 * and evaluated when a command needs them: `kiln --version` parses about 1 MB instead of the whole 2.9 MB.
 * Kept external: @serialport/bindings-cpp (its native binding is found relative to its own package folder) and
 * esptool-js (read as data: the flasher stub images, located through its package.json). An external ES import
 * would be loaded at start whatever imports it, so only CommonJS-required packages may stay external.
 *
 * Each bundle is written beside its final name and renamed over it, so concurrent builds (several `kiln`
 * children in a test run) never expose a half-written file.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BUNDLE_DIR = path.join(REPO, 'dist', 'cli');

/** Entry points, by output name. */
const ENTRIES = {
  kiln: 'src-main/hosts/cli/main.ts',
  web: 'src-main/hosts/web/main.ts',
};

/**
 * zod re-exports every message locale (`z.locales`, about 40 languages, two thirds of its code) although only
 * English is ever configured; Kiln never reads `z.locales`. Bundling just English spares every command that
 * loads the service from parsing the rest.
 */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)
        ? { path: path.join(path.dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-en' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

/** Builds both bundles; resolves with their paths. Needs esbuild (a development dependency). */
export async function buildCli({ outDir = CLI_BUNDLE_DIR, metafile } = {}) {
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
    plugins: [englishOnlyZod],
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
    metafile: metafile !== undefined,
  });
  if (metafile !== undefined) writeFileSync(metafile, JSON.stringify(result.metafile));
  const chunkDir = path.join(outDir, 'chunks');
  mkdirSync(chunkDir, { recursive: true });
  const written = [];
  // Chunks first (their names carry a hash of their content, so one already there is the same file), entries
  // last: an entry never names a chunk that is not yet complete.
  const outputs = [...result.outputFiles].sort(
    (a, b) => Number(path.dirname(b.path) === chunkDir) - Number(path.dirname(a.path) === chunkDir),
  );
  for (const file of outputs) {
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
    written.push(file.path);
  }
  removeOldChunks(chunkDir, new Set(written));
  return written;
}

/** A day: a `kiln` still running from an older build (a station) may yet import its chunks lazily. */
const STALE_CHUNK_MS = 24 * 60 * 60 * 1000;

/** Chunks of earlier builds, once no process can still be running from them. */
function removeOldChunks(chunkDir, current) {
  for (const name of readdirSync(chunkDir)) {
    const file = path.join(chunkDir, name);
    if (current.has(file)) continue;
    try {
      if (Date.now() - statSync(file).mtimeMs > STALE_CHUNK_MS) rmSync(file, { force: true });
    } catch {
      // Removed meanwhile by a concurrent build: nothing to do.
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  // --metafile FILE: esbuild's record of which source went into which output (what the entry loads at start).
  const at = process.argv.indexOf('--metafile');
  const files = await buildCli(at > 0 ? { metafile: path.resolve(process.argv[at + 1] ?? 'meta.json') } : {});
  const entries = files.filter((f) => path.dirname(f) === CLI_BUNDLE_DIR);
  console.log(
    `build-cli: ${entries.map((f) => path.relative(REPO, f)).join(', ')} and ${files.length - entries.length} chunks in ${Date.now() - started} ms`,
  );
}
