import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runScript } from './run-script';

const CHECK = 'scripts/checks/build-output.mjs';
let work: string;
let dist: string;

/** A copy of the real build with one deliberate defect. */
function brokenCopy(name: string, breakIt: (dir: string) => void): string {
  const dir = path.join(work, name);
  cpSync(dist, dir, { recursive: true });
  breakIt(dir);
  return dir;
}

function editFile(file: string, edit: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  writeFileSync(file, after);
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'kiln-build-'));
  dist = path.join(work, 'dist');
  const build = await runScript('scripts/build.mjs', ['--out', dist]);
  if (build.code !== 0) throw new Error(`npm run build failed:\n${build.output}`);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('build output check', () => {
  it('passes on a real build and prints the bundle sizes against their budgets', async () => {
    const result = await runScript(CHECK, [dist]);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(
      /renderer JS: [\d.]+ KB \([\d.]+ KB gzip\) in \d+ file\(s\) \(budget 350 KB\)/,
    );
    expect(result.stdout).toMatch(/preload: [\d.]+ KB \(budget 16 KB\)/);
  });

  it('fails when the preload bundle is missing', async () => {
    const dir = brokenCopy('no-preload', (d) => rmSync(path.join(d, 'main', 'preload.cjs')));
    const result = await runScript(CHECK, [dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('missing or empty: main/preload.cjs');
  });

  it('fails when the renderer HTML has no CSP', async () => {
    const dir = brokenCopy('no-csp', (d) =>
      editFile(path.join(d, 'renderer', 'index.html'), (h) =>
        h.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''),
      ),
    );
    const result = await runScript(CHECK, [dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('index.html has no Content-Security-Policy meta tag');
  });

  it('fails when the CSP allows inline scripts, and on an inline <script>', async () => {
    const dir = brokenCopy('weak-csp', (d) =>
      editFile(path.join(d, 'renderer', 'index.html'), (h) =>
        h
          .replace('script-src &#39;self&#39;', 'script-src &#39;self&#39; &#39;unsafe-inline&#39;')
          .replace('</body>', '<script>alert(1)</script></body>'),
      ),
    );
    const result = await runScript(CHECK, [dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("CSP script-src allows more than 'self'");
    expect(result.stderr).toContain('inline <script>');
  });

  it('fails when the preload requires a Node module (it would not load in the sandbox)', async () => {
    const dir = brokenCopy('preload-fs', (d) =>
      appendFileSync(path.join(d, 'main', 'preload.cjs'), '\nrequire("fs");\n'),
    );
    const result = await runScript(CHECK, [dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('preload: requires fs');
  });

  it('fails when the renderer bundle exceeds its budget', async () => {
    const dir = brokenCopy('too-big', (d) => {
      const assets = path.join(d, 'renderer', 'assets');
      const js = readdirSync(assets).find((f) => f.endsWith('.js'))!;
      appendFileSync(path.join(assets, js), `\n/*${'x'.repeat(400 * 1024)}*/\n`);
    });
    const result = await runScript(CHECK, [dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/renderer: JS \d+ bytes exceeds the 358400-byte budget/);
  });
});

describe('electronegativity check', () => {
  it('passes on the real sources and bundles with zero HIGH findings, from its parsed CSV report', async () => {
    const report = path.join(work, 'eneg-real.csv');
    const result = await runScript('scripts/checks/electronegativity.mjs', [
      '--dist',
      dist,
      '--report',
      report,
    ]);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/electronegativity: \d+ files scanned, \d+ finding\(s\)/);
    const csv = readFileSync(report, 'utf8');
    expect(csv.split('\n')[0]).toBe(
      'issue, severity, confidence, filename, location, sample, description, url',
    );
    expect(csv).not.toMatch(/^[A-Z_]+,"HIGH"/m);
  }, 120_000);

  it('fails when the real window code regresses to contextIsolation: false', async () => {
    const sources = path.join(work, 'electron-host');
    cpSync(path.join(REPO, 'src-main', 'hosts', 'electron'), sources, { recursive: true });
    editFile(path.join(sources, 'main.ts'), (t) =>
      t.replace('contextIsolation: true,', 'contextIsolation: false,'),
    );
    const report = path.join(work, 'eneg-bad.csv');
    const result = await runScript('scripts/checks/electronegativity.mjs', [
      '--dist',
      dist,
      '--sources',
      sources,
      '--report',
      report,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/1 HIGH finding\(s\)/);
    expect(result.stderr).toMatch(/CONTEXT_ISOLATION_JS_CHECK in sources\/electron-host\/main\.ts:\d+:\d+/);
    expect(readFileSync(report, 'utf8')).toMatch(/^CONTEXT_ISOLATION_JS_CHECK,"HIGH"/m);
  }, 120_000);
});
