#!/usr/bin/env node
/**
 * `npm start`: the desktop app when the Electron runtime is available, otherwise browser mode.
 *
 * `require('electron')` resolves the runtime's path and, when the binary is missing, tries to download it. That
 * runs in a child process with its output captured, so a failed download (no network, as on the project's build
 * machines) costs one line here rather than a stack trace. With a runtime, the main bundle is built if missing
 * (`scripts/build.mjs`) and Electron is started on the repository (package.json `main`). Without one, browser
 * mode starts (`scripts/web.mjs`, the compiled `src-main/hosts/web/main.ts`, which builds the renderer if needed and prints the URL with its
 * token). Arguments after `--` go to browser mode (e.g. `npm start -- --port 8080`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

/** Runs a child to completion, capturing output; resolves with its status and stdout. */
function capture(command, argv, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => resolve({ status: 127, stdout, stderr: String(e) }));
    child.on('close', (status) => resolve({ status: status ?? 1, stdout, stderr }));
  });
}

/** Path of the Electron executable, or undefined (with the reason) when it is missing and cannot be fetched. */
async function findElectron() {
  // A first start may download the runtime (~100 MB): say so if it takes a while.
  const slow = setTimeout(() => console.log('Kiln: fetching the Electron runtime (first start)…'), 3000);
  const r = await capture(process.execPath, ['-e', "process.stdout.write(require('electron'))"]);
  clearTimeout(slow);
  const exe = r.stdout.trim();
  if (r.status === 0 && exe && existsSync(exe)) return { exe };
  const reason = /Electron failed to install/.test(r.stderr)
    ? 'the download failed'
    : (r.stderr.trim().split('\n').at(-1) ?? 'unknown error');
  return { reason };
}

function run(command, argv) {
  const child = spawn(command, argv, { cwd: REPO, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function main() {
  const found = await findElectron();
  if (found.exe) {
    const mainBundle = path.join(REPO, 'dist', 'main', 'electron.cjs');
    if (!existsSync(mainBundle) || !existsSync(path.join(REPO, 'dist', 'renderer', 'index.html'))) {
      console.log('Kiln: building the app (dist/ is missing)…');
      const build = await capture(process.execPath, [path.join(REPO, 'scripts', 'build.mjs')]);
      if (build.status !== 0) {
        console.error('Kiln: the build failed; run `npm run build` to see why.');
        process.exit(1);
      }
    }
    run(found.exe, [REPO]);
    return;
  }
  console.log(
    `Kiln: the Electron runtime is not installed and could not be fetched (${found.reason}); starting browser mode instead.`,
  );
  run(process.execPath, [path.join(REPO, 'scripts', 'web.mjs'), ...args]);
}

main();
