/**
 * Finds the compiled CLI/browser-mode bundle (dist/cli/<name>.mjs) for the entry points in bin/, rebuilding it
 * first when this is a development checkout (src-main/ present) and a source file is newer than the bundle.
 * An installed copy (no sources, no esbuild) runs the bundle it was installed with.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCES = [path.join(REPO, 'src-main'), path.join(REPO, 'package.json')];

/** Newest modification time (ms) of a file or of any file below a folder; 0 when missing. */
function newestMtime(p) {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted or renamed file shows as a newer folder
  for (const entry of readdirSync(p, { withFileTypes: true })) {
    newest = Math.max(newest, newestMtime(path.join(p, entry.name)));
  }
  return newest;
}

function bundleMtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** URL of dist/cli/<name>.mjs, fresh; throws with the command to run when it is missing and cannot be built. */
export async function cliBundleUrl(name) {
  const file = path.join(REPO, 'dist', 'cli', `${name}.mjs`);
  const developing = existsSync(SOURCES[0]);
  if (developing && bundleMtime(file) < Math.max(...SOURCES.map(newestMtime))) {
    try {
      const { buildCli } = await import('../build-cli.mjs');
      await buildCli();
    } catch (e) {
      if (!existsSync(file)) throw new Error(`Kiln is not built and could not be built (${e.message}).`);
      // A stale bundle still runs; say why it was not refreshed.
      process.stderr.write(`kiln: running an older build (rebuild failed: ${e.message})\n`);
    }
  }
  if (!existsSync(file)) {
    throw new Error(
      `Kiln is not built: ${path.relative(process.cwd(), file)} is missing. Run: npm run build:cli`,
    );
  }
  return pathToFileURL(file).href;
}
