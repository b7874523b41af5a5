/**
 * `kiln` as an installed copy runs it: the compiled bundle with the production dependencies only. A tree is put
 * together from bin/, the bundle loader and dist/cli/ (built by the global setup), and a node_modules holding only
 * the package-lock entries that are not dev-only — so tsx, esbuild and TypeScript are absent, and a bundle that
 * still needed them would fail here.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from './helpers/cli-run';
import { firmwarePath } from '../helpers/shared';

interface LockEntry {
  dev?: boolean;
  link?: boolean;
}

/** Top-level package folders (`node_modules/x`, `node_modules/@s/x`) that a production install holds. */
function productionPackageDirs(): string[] {
  const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  return Object.entries(lock.packages)
    .filter(([key, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) && !entry.dev)
    .map(([key]) => key);
}

let tree: string;

function kiln(...argv: string[]) {
  return spawnSync(process.execPath, [path.join(tree, 'bin', 'kiln.mjs'), ...argv], {
    cwd: tree,
    env: { ...process.env, KILN_DATA_DIR: tempDir('kiln-prod-data-') },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

beforeAll(() => {
  tree = tempDir('kiln-prod-install-');
  for (const dir of ['bin', 'dist/cli'])
    cpSync(path.join(repoRoot, dir), path.join(tree, dir), { recursive: true });
  mkdirSync(path.join(tree, 'scripts', 'lib'), { recursive: true });
  cpSync(path.join(repoRoot, 'scripts/lib/cli-bundle.mjs'), path.join(tree, 'scripts/lib/cli-bundle.mjs'));
  cpSync(path.join(repoRoot, 'package.json'), path.join(tree, 'package.json'));
  for (const dir of productionPackageDirs()) {
    mkdirSync(path.dirname(path.join(tree, dir)), { recursive: true });
    symlinkSync(path.join(repoRoot, dir), path.join(tree, dir), 'dir');
  }
});

describe('an installed kiln (production dependencies only)', () => {
  it('has no TypeScript tooling to lean on', () => {
    const req = createRequire(path.join(tree, 'package.json'));
    for (const dev of ['tsx', 'esbuild', 'typescript']) expect(() => req.resolve(dev)).toThrow();
  });

  it('answers --version with the package version', () => {
    const r = kiln('--version');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(
      (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version,
    );
    expect(r.status).toBe(0);
  });

  it('flashes and verifies a virtual board', () => {
    const r = kiln(
      'flash',
      '--port',
      'sim:esp8266',
      '--baud',
      '921600',
      '--json',
      firmwarePath('esp8266_deepsleep.bin'),
    );
    const final = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ok: boolean; regions?: unknown[] };
    expect(r.status).toBe(0);
    expect(final.ok).toBe(true);
  });
});
