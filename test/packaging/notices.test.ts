import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aboutContent, parseNoticesSummary } from '../../src-main/hosts/electron/about';
import { REPO, runScript } from './run-script';

const notices = readFileSync(path.join(REPO, 'THIRD_PARTY_NOTICES.md'), 'utf8');
const work = mkdtempSync(path.join(tmpdir(), 'kiln-notices-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** name@version of every production package in package-lock.json that is installed. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; dev?: boolean; devOptional?: boolean; optional?: boolean }>;
  };
  const out = new Set<string>();
  for (const [location, entry] of Object.entries(lock.packages)) {
    if (!location || entry.dev || entry.devOptional) continue;
    try {
      const pkg = JSON.parse(readFileSync(path.join(REPO, location, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
      };
      out.add(`${pkg.name}@${pkg.version}`);
    } catch {
      if (!entry.optional) throw new Error(`${location} is in the lockfile but not installed`);
    }
  }
  return [...out];
}

describe('third-party notices', () => {
  it('is up to date with the production dependency tree', async () => {
    const result = await runScript('scripts/notices.mjs', ['--check']);
    expect(result.code, result.output).toBe(0);
  });

  it('fails the check when the file is stale', async () => {
    const stale = path.join(work, 'stale.md');
    writeFileSync(stale, notices.replace(/^\| zod \| .*\n/m, ''));
    const result = await runScript('scripts/notices.mjs', ['--check', '--output', stale]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('stale.md is out of date');
  });

  it('lists every production package with its licence, plus the stub loaders, Electron and the package scripts', () => {
    const entries = parseNoticesSummary(notices);
    const listed = new Set(entries.map((e) => `${e.name}@${e.version}`));
    for (const pkg of productionPackages()) expect(listed, pkg).toContain(pkg);
    const stub = entries.find((e) => e.name === 'esp-flasher-stub');
    expect(stub?.licence).toBe('Apache-2.0 OR MIT');
    expect(stub?.version).toContain('esptool-js 0.7.0');
    expect(entries.find((e) => e.name === 'esptool-js')?.licence).toBe('Apache-2.0');
    expect(entries.find((e) => e.name === 'Electron')?.licence).toBe('MIT');
    for (const e of entries) expect(e.licence, e.name).not.toBe('UNKNOWN');
    // Full licence text, not just the name: the Apache text the stub notice points to is present.
    expect(notices).toContain('Apache License');
    expect(notices).toContain('Version 2.0, January 2004');
  });

  it('feeds the About box', () => {
    const about = aboutContent({ version: '0.1.0', electron: '45.4.1', platform: 'linux x64', notices });
    expect(about.message).toBe('Kiln 0.1.0');
    expect(about.detail).toContain(
      'esp-flasher-stub 1.2.2 (stub images in esptool-js 0.7.0) — Apache-2.0 OR MIT',
    );
    expect(about.detail).toContain('serialport 13.0.0 — MIT');
    expect(
      aboutContent({ version: '0.1.0', electron: '45', platform: 'linux', notices: null }).detail,
    ).toContain('notices file is missing');
  });
});
