/**
 * Smoke test of the real desktop app, for machines that have an Electron runtime (this project's build machines do
 * not: the electron package installs without its binary, so here the test reports itself skipped with the reason).
 *
 * It starts the packaged app's code (release/<platform>-unpacked/resources/app.asar when a package was built, else
 * the `npm run build` output) with Playwright's `_electron`, checks what the page can and cannot reach, and flashes
 * the virtual ESP8266 through `window.kiln` exactly as the renderer does, then checks the verified result.
 *
 * Why the stock Electron binary and not the packaged executable: Playwright drives Electron's main process through
 * the Node inspector, which the packaged binary's fuses switch off (enableNodeCliInspectArguments: false) on
 * purpose. The code under test (asar contents) is the same.
 *
 * Environment: ELECTRON_BINARY overrides the binary; KILN_APP overrides the app path (an app.asar or a folder).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { methods } from '../../src-main/service/contract';
import { readFirmware } from '../helpers/shared';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function electronBinary(): { path: string } | { reason: string } {
  const fromEnv = process.env.ELECTRON_BINARY;
  if (fromEnv)
    return existsSync(fromEnv) ? { path: fromEnv } : { reason: `ELECTRON_BINARY=${fromEnv} does not exist` };
  const pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = path.join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      reason:
        'no Electron runtime here: node_modules/electron was installed without its binary (no path.txt) and ELECTRON_BINARY is not set',
    };
  }
  const binary = path.join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary } : { reason: `the Electron binary ${binary} is missing` };
}

function appUnderTest(): { path: string; packaged: boolean } | { reason: string } {
  if (process.env.KILN_APP)
    return { path: process.env.KILN_APP, packaged: process.env.KILN_APP.endsWith('.asar') };
  const release = path.join(REPO, 'release');
  if (existsSync(release)) {
    for (const dir of readdirSync(release).filter((d) => d.endsWith('-unpacked'))) {
      const asar = path.join(release, dir, 'resources', 'app.asar');
      if (existsSync(asar)) return { path: asar, packaged: true };
    }
  }
  if (existsSync(path.join(REPO, 'dist', 'main', 'electron.cjs'))) return { path: REPO, packaged: false };
  return { reason: 'no packaged app (release/*-unpacked) and no build (run npm run build)' };
}

describe('desktop app smoke test (Playwright _electron)', () => {
  it('starts, exposes only window.kiln, and flashes the virtual ESP8266 with a verified result', async (ctx) => {
    const binary = electronBinary();
    if ('reason' in binary) ctx.skip(binary.reason);
    const app = appUnderTest();
    if ('reason' in app) ctx.skip(app.reason);
    if ('reason' in binary || 'reason' in app) return;

    const { _electron } = await import('playwright-core');
    const userData = mkdtempSync(path.join(tmpdir(), 'kiln-smoke-'));
    const electronApp = await _electron.launch({
      executablePath: binary.path,
      args: [app.path, `--user-data-dir=${userData}`],
      timeout: 60_000,
    });
    try {
      const page = await electronApp.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      expect(page.url()).toBe('kiln://app/index.html');

      // What the page can reach: the one bridge object, no Node.
      const surface = await page.evaluate(() => {
        const w = globalThis as unknown as Record<string, unknown>;
        return {
          require: typeof w.require,
          process: typeof w.process,
          kiln: Object.keys(w.kiln as object).sort(),
        };
      });
      expect(surface.require).toBe('undefined');
      expect(surface.process).toBe('undefined');
      expect(surface.kiln).toEqual([...Object.keys(methods), 'on'].sort());

      // The bridge object cannot be replaced or extended by the page (contextBridge hands over a frozen copy).
      const tamper = await page.evaluate(() => {
        const k = (globalThis as unknown as { kiln: Record<string, unknown> }).kiln;
        try {
          k.listPorts = () => 'hijacked';
        } catch {
          // strict-mode assignment to a frozen object throws; either way the value must not change
        }
        return (
          typeof k.listPorts === 'function' &&
          (k.listPorts as () => unknown).toString() !== "() => 'hijacked'"
        );
      });
      expect(tamper).toBe(true);

      const image = readFirmware('esp8266_deepsleep.bin');
      const outcome = await page.evaluate(
        async (bytes: number[]) => {
          type Api = {
            inspectFirmware(i: { name: string; bytes: Uint8Array }): Promise<{ sha256: string }>;
            startFlash(i: {
              port: string;
              images: { sha256: string; offset: number; name: string }[];
            }): Promise<{ jobId: string }>;
            on(
              event: 'jobDone',
              cb: (p: { jobId: string; ok: boolean; result?: unknown; error?: unknown }) => void,
            ): () => void;
          };
          const kiln = (globalThis as unknown as { kiln: Api }).kiln;
          const summary = await kiln.inspectFirmware({
            name: 'esp8266_deepsleep.bin',
            bytes: new Uint8Array(bytes),
          });
          const finished: Array<{ jobId: string; ok: boolean; result?: unknown; error?: unknown }> = [];
          const off = kiln.on('jobDone', (p) => finished.push(p));
          const { jobId } = await kiln.startFlash({
            port: 'sim:esp8266',
            images: [{ sha256: summary.sha256, offset: 0, name: 'esp8266_deepsleep.bin' }],
          });
          const deadline = Date.now() + 120_000;
          while (!finished.some((f) => f.jobId === jobId) && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 100));
          off();
          return { sha256: summary.sha256, done: finished.find((f) => f.jobId === jobId) ?? null };
        },
        [...image],
      );

      expect(outcome.done, 'no jobDone within 120 s').not.toBeNull();
      expect(outcome.done!.error).toBeUndefined();
      expect(outcome.done!.ok).toBe(true);
      const result = outcome.done!.result as {
        kind: string;
        regions: { offset: number; size: number; verified: boolean; sha256?: string }[];
      };
      expect(result.kind).toBe('flash');
      expect(result.regions).toHaveLength(1);
      expect(result.regions[0]).toMatchObject({ offset: 0, verified: true });
      expect(result.regions[0]!.size).toBeGreaterThanOrEqual(image.length);
    } finally {
      await electronApp.close();
      rmSync(userData, { recursive: true, force: true });
    }
  }, 180_000);
});
