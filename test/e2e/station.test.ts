/**
 * Browser e2e for the Station screen: the built renderer served by the real browser-mode host (in this process, so
 * the test can read the virtual boards' flash), driven in Debian Chromium with playwright-core. A profile is made in
 * the editor (firmware added through the file input), the station starts in auto mode, two virtual ESP8266 boards
 * are "plugged in" from the screen, and both slots must end verified. Screenshot: docs/screenshots/station.png.
 * Skipped with a message where /usr/bin/chromium is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger } from '../../src-main/service/deps';
import { createService, type KilnService } from '../../src-main/service/service';
import { startWebServer, type WebServer } from '../../src-main/hosts/web/server';
import { smallImage } from '../station/virtual-bench';

const CHROMIUM = '/usr/bin/chromium';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const screenshotDir = path.join(repoRoot, 'docs', 'screenshots');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`station e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!haveChromium)('Station screen e2e (Chromium + virtual boards)', () => {
  let tmp: string;
  let service: KilnService;
  let server: WebServer;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'kiln-station-e2e-'));
    const rendererDir = path.join(tmp, 'renderer');
    const vite = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
    const build = spawnSync(
      process.execPath,
      [vite, 'build', '--logLevel', 'warn', '--outDir', rendererDir, '--emptyOutDir'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    if (build.status !== 0) throw new Error(`renderer build failed:\n${build.stdout}\n${build.stderr}`);
    const dataDir = path.join(tmp, 'data');
    const deps = { ...defaultDeps({ logger: silentLogger }) };
    delete deps.watchPorts; // boards arrive as virtual plug-ins only; no real hot-plug in CI
    service = createService(deps, {
      host: 'web',
      appName: 'Kiln',
      appVersion: '0.0.0-e2e',
      dataDir,
      logDir: path.join(dataDir, 'logs'),
      logger: silentLogger,
    });
    server = await startWebServer({ service, rendererDir, logger: silentLogger });
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1100, height: 1000 },
      colorScheme: 'light',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    mkdirSync(screenshotDir, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    await service?.shutdown();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('makes a profile, runs a two-board batch on virtual boards to completion, shows the report', async () => {
    const image = smallImage(21);
    const u = new URL(server.url);
    await page.goto(`${u.origin}${u.pathname}${u.search}#station`);
    await page.getByRole('tab', { name: 'Station' }).click();

    await page.getByRole('button', { name: 'New profile' }).click();
    const editor = page.getByRole('form', { name: 'Profile editor' });
    await editor.getByLabel('Name').fill('E2E bench');
    await editor
      .getByLabel('Add firmware files')
      .setInputFiles({ name: 'fw.bin', mimeType: 'application/octet-stream', buffer: image });
    await expect
      .poll(() => editor.getByLabel('Offset of fw.bin').inputValue(), { timeout: 20_000 })
      .toBe('0x0');
    await editor.getByLabel('Baud').selectOption('921600');
    await editor.getByRole('button', { name: 'Save profile' }).click();
    await editor.waitFor({ state: 'detached' });
    expect(await page.getByRole('combobox', { name: 'Profile', exact: true }).inputValue()).toBe('E2E bench');

    await page.getByRole('radio', { name: /Auto/ }).check();
    await page.getByLabel('Station name').fill('e2e-bench');
    await page.getByRole('button', { name: 'Start station' }).click();
    await page.getByRole('button', { name: 'Plug in a virtual board' }).click();
    await page.getByRole('button', { name: 'Plug in a virtual board' }).click();

    const slots = page.locator('article.slot');
    await expect.poll(() => slots.count(), { timeout: 20_000 }).toBe(2);
    await expect
      .poll(() => page.locator('article.slot[data-state=verified]').count(), { timeout: 60_000 })
      .toBe(2);
    expect(await page.getByTestId('count-verified').textContent()).toBe('2 verified');
    await page.getByRole('button', { name: 'Open report' }).click();
    await expect.poll(() => page.locator('tr[data-result=verified]').count(), { timeout: 10_000 }).toBe(2);
    await page.screenshot({ path: path.join(screenshotDir, 'station.png'), fullPage: true });

    // Behind the screen: two verified records, distinct MACs, and each virtual board holds the image.
    const report = await service.call('stationReport', {});
    expect(report.records.map((r) => r.result)).toEqual(['verified', 'verified']);
    expect(report.records.every((r) => r.station === 'e2e-bench')).toBe(true);
    expect(new Set(report.records.map((r) => r.mac)).size).toBe(2);
    for (const r of report.records)
      expect(Buffer.from(service.virtualDevice(r.port).readFlash(0, image.length)).equals(image)).toBe(true);

    await page.getByRole('button', { name: 'Stop station' }).click();
    await expect
      .poll(() => page.getByRole('button', { name: 'Start station' }).count(), { timeout: 10_000 })
      .toBe(1);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
