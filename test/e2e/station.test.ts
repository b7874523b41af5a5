/**
 * Browser e2e for the Station screen: the built renderer served by the real browser-mode host (in this process, so
 * the test can read the virtual boards' flash), driven in Debian Chromium with playwright-core. A profile is made in
 * the editor (firmware added through the file input), the station starts in auto mode, two virtual ESP8266 boards
 * are "plugged in" from the screen, and both slots must end verified. Screenshot: station.png in `screenshotDir`.
 * Skipped with a message where /usr/bin/chromium is missing.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger } from '../../src-main/service/deps';
import { smallImage } from '../station/virtual-bench';
import {
  CHROMIUM,
  haveChromium,
  openBrowserHost,
  screenshotDir,
  pageUrl,
  type BrowserHost,
} from './helpers/browser-host';

if (!haveChromium) console.warn(`station e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!haveChromium)('Station screen e2e (Chromium + virtual boards)', () => {
  let host: BrowserHost;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const deps = { ...defaultDeps({ logger: silentLogger }) };
    delete deps.watchPorts; // boards arrive as virtual plug-ins only; no real hot-plug in CI
    host = await openBrowserHost({
      tmpPrefix: 'kiln-station-e2e-',
      deps,
      viewport: { width: 1100, height: 1000 },
    });
    page = host.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    mkdirSync(screenshotDir, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await host?.close();
  });

  it('makes a profile, runs a two-board batch on virtual boards to completion, shows the report', async () => {
    const image = smallImage(21);
    await page.goto(pageUrl(host.server, 'station'));
    await page.getByRole('tab', { name: 'Station', exact: true }).click();

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
    const report = await host.service.call('stationReport', {});
    expect(report.records.map((r) => r.result)).toEqual(['verified', 'verified']);
    expect(report.records.every((r) => r.station === 'e2e-bench')).toBe(true);
    expect(new Set(report.records.map((r) => r.mac)).size).toBe(2);
    for (const r of report.records)
      expect(Buffer.from(host.service.virtualDevice(r.port).readFlash(0, image.length)).equals(image)).toBe(
        true,
      );

    await page.getByRole('button', { name: 'Stop station' }).click();
    await expect
      .poll(() => page.getByRole('button', { name: 'Start station' }).count(), { timeout: 10_000 })
      .toBe(1);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
