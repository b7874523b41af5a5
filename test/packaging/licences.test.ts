import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript } from './run-script';

const CHECK = 'scripts/checks/licences.mjs';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface FakePackage {
  name: string;
  license?: string;
  dev?: boolean;
}

/** A project folder with a package-lock.json and installed packages, the shape the check reads. */
function fakeProject(
  packages: FakePackage[],
  allowlist: Record<string, string> = {},
): { root: string; allowlist: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'kiln-lic-'));
  dirs.push(root);
  const lockPackages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0' } };
  for (const p of packages) {
    const location = `node_modules/${p.name}`;
    lockPackages[location] = {
      version: '1.0.0',
      ...(p.license ? { license: p.license } : {}),
      ...(p.dev ? { dev: true } : {}),
    };
    mkdirSync(path.join(root, location), { recursive: true });
    writeFileSync(
      path.join(root, location, 'package.json'),
      JSON.stringify({ name: p.name, version: '1.0.0', ...(p.license ? { license: p.license } : {}) }),
    );
  }
  writeFileSync(
    path.join(root, 'package-lock.json'),
    JSON.stringify({ name: 'app', lockfileVersion: 3, packages: lockPackages }),
  );
  const allowPath = path.join(root, 'allow.json');
  writeFileSync(allowPath, JSON.stringify({ packages: allowlist }));
  return { root, allowlist: allowPath };
}

describe('licence check', () => {
  it('passes on the real production dependencies', async () => {
    const result = await runScript(CHECK);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/licences: \d+ production packages, all redistributable/);
  });

  it('fails on GPL, AGPL and unknown licences in production dependencies, ignoring dev-only ones', async () => {
    const project = fakeProject([
      { name: 'fine', license: 'MIT' },
      { name: 'dual', license: '(MIT OR GPL-3.0-only)' },
      { name: 'gpl', license: 'GPL-3.0-only' },
      { name: 'agpl', license: 'AGPL-3.0-or-later' },
      { name: 'mixed', license: 'MIT AND GPL-2.0' },
      { name: 'none' },
      { name: 'custom', license: 'SEE LICENSE IN LICENSE.txt' },
      { name: 'devtool', license: 'GPL-3.0-only', dev: true },
    ]);
    const result = await runScript(CHECK, [project.root, '--allowlist', project.allowlist]);
    expect(result.code).toBe(1);
    for (const name of ['gpl', 'agpl', 'mixed', 'none', 'custom'])
      expect(result.stderr).toContain(`- ${name}@1.0.0: licence`);
    for (const name of ['fine', 'dual', 'devtool']) expect(result.stderr).not.toContain(`- ${name}@1.0.0`);
    expect(result.stderr).toContain('5 problem(s) among 7 production packages');
  });

  it('accepts a refused licence only when allowlisted with a reason', async () => {
    const withReason = fakeProject([{ name: 'gpl', license: 'GPL-3.0-only' }], {
      gpl: 'Only the build tool is GPL; it never ships (reviewed 2026-11).',
    });
    const ok = await runScript(CHECK, [withReason.root, '--allowlist', withReason.allowlist]);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.stdout).toContain('accepted: gpl@1.0.0 (GPL-3.0-only): allowlisted');

    const noReason = fakeProject([{ name: 'gpl', license: 'GPL-3.0-only' }], { gpl: '' });
    const refused = await runScript(CHECK, [noReason.root, '--allowlist', noReason.allowlist]);
    expect(refused.code).toBe(1);
  });
});
