import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runScript } from './run-script';

const CHECK = 'scripts/checks/builder-config.mjs';
let work: string;
const original = readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8');

/** A copy of the config beside copies of the files it names, so relative paths resolve as in the repo. */
function variant(name: string, edit: (yml: string) => string): string {
  const text = edit(original);
  expect(text, `edit for ${name} changed nothing`).not.toBe(original);
  const file = path.join(work, `${name}.yml`);
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'kiln-ebcfg-'));
  cpSync(path.join(REPO, 'assets'), path.join(work, 'assets'), { recursive: true });
  cpSync(path.join(REPO, 'THIRD_PARTY_NOTICES.md'), path.join(work, 'THIRD_PARTY_NOTICES.md'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('electron-builder.yml check', () => {
  it('passes on the real config', async () => {
    const result = await runScript(CHECK);
    expect(result.output).toContain('is valid');
    expect(result.code).toBe(0);
  });

  it('fails on a misspelt key (schema from app-builder-lib)', async () => {
    const result = await runScript(CHECK, [
      variant('typo', (y) => y.replace('  afterRemove:', '  afterRemov:')),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/deb must NOT have additional properties "afterRemov"');
  });

  it('fails on an unknown top-level key', async () => {
    const result = await runScript(CHECK, [
      variant('toplevel', (y) => y.replace('npmRebuild: false', 'npmRebuild: false\nnpmRebiuld: true')),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"npmRebiuld"');
  });

  it('fails when a security fuse is flipped, even though the schema allows it', async () => {
    const result = await runScript(CHECK, [
      variant('fuse', (y) => y.replace('runAsNode: false', 'runAsNode: true')),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('electronFuses.runAsNode must be false');
    expect(result.stderr).not.toContain('schema:');
  });

  it('fails when NSIS becomes one-click or the serial binding stays in the asar', async () => {
    const file = variant('policy', (y) =>
      y
        .replace('oneClick: false', 'oneClick: true')
        .replace('  - node_modules/@serialport/bindings-cpp/**\n', '  - node_modules/nothing/**\n'),
    );
    const result = await runScript(CHECK, [file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nsis.oneClick must be false');
    expect(result.stderr).toContain('asarUnpack must include node_modules/@serialport/bindings-cpp/**');
  });

  it('fails when a named file is missing', async () => {
    const result = await runScript(CHECK, [
      variant('missing', (y) =>
        y.replace('entitlements: assets/mac/entitlements.mac.plist', 'entitlements: assets/mac/nope.plist'),
      ),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('mac.entitlements names a missing file: assets/mac/nope.plist');
  });
});
