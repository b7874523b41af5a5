/**
 * Runs once before the Node-side tests: compiles the CLI bundle (scripts/build-cli.mjs), so the `kiln` children
 * the tests spawn run the code under test and never race to rebuild it.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const r = spawnSync(process.execPath, [path.join(repo, 'scripts', 'build-cli.mjs')], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`scripts/build-cli.mjs failed:\n${r.stderr}${r.stdout}`);
}
