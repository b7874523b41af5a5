/**
 * Browser e2e for the Station screen at 1366×768: the built renderer served by the real browser-mode host (in this
 * process, so the test can read the virtual boards' flash), driven in Debian Chromium with playwright-core. A profile
 * is made from the Flash screen ("Save this Flash setup as a profile") in the editor, which is the Flash screen's
 * firmware list and options (boot check on by default); the station starts
 * in auto mode, and four virtual ESP8266 boards are "plugged in" from the screen: three good ones and one with TX
 * and RX swapped. The counters must count boards (3 verified · 1 failed), also after "Retry failed" makes the faulty
 * board fail a second time (5 attempts, still 4 boards). Every state visited is audited by axe-core (light + dark).
 *
 * Screenshots (in `screenshotDir`): station-profile.png (the editor), station.png, the whole screen at full width,
 * and station-2m.png, the same PNG drawn by the browser at 30 % of its size: what a technician sees from two metres.
 * Skipped with a message where /usr/bin/chromium is missing.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger } from '../../src-main/service/deps';
import { smallImage } from '../station/virtual-bench';
import { expectNoAxeViolations } from './helpers/axe';
import {
  CHROMIUM,
  haveChromium,
  openBrowserHost,
  screenshotDir,
  pageUrl,
  type BrowserHost,
} from './helpers/browser-host';

if (!haveChromium) console.warn(`station e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const VIEWPORT = { width: 1366, height: 768 };
/** The page's globals the test reads (this file compiles without the DOM library). */
interface PageGlobals {
  getComputedStyle(e: unknown): { fontSize: string; lineHeight: string };
  document: { documentElement: { scrollWidth: number } };
  scrollTo(x: number, y: number): void;
}

describe.skipIf(!haveChromium)('Station screen e2e (Chromium + virtual boards)', () => {
  let host: BrowserHost;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const deps = { ...defaultDeps({ logger: silentLogger }) };
    delete deps.watchPorts; // boards arrive as virtual plug-ins only; no real hot-plug in CI
    host = await openBrowserHost({ tmpPrefix: 'kiln-station-e2e-', deps, viewport: VIEWPORT });
    page = host.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    mkdirSync(screenshotDir, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await host?.close();
  });

  const slot = (n: number) => page.locator('article.slot').nth(n - 1);
  const stateOf = (n: number) => slot(n).getAttribute('data-state');

  it('four boards, one with TX/RX swapped: board counts, jig advice, readable at 30 %, axe on every state', async () => {
    const image = smallImage(21);
    await page.goto(pageUrl(host.server, 'station'));
    await page.getByRole('tab', { name: 'Station', exact: true }).click();
    await expectNoAxeViolations(page, 'station, no profile yet');

    // "Save this Flash setup as a profile": the firmware added on the Flash screen opens the Station's editor,
    // which is the Flash screen's own firmware list, board picker and options (boot check on by default).
    await page.getByRole('tab', { name: 'Flash', exact: true }).click();
    await page
      .locator('input[type=file]')
      .first()
      .setInputFiles({ name: 'fw.bin', mimeType: 'application/octet-stream', buffer: image });
    const saveSetup = page.getByRole('button', { name: 'Save this Flash setup as a profile' });
    await expect.poll(() => saveSetup.isEnabled(), { timeout: 20_000 }).toBe(true);
    await expectNoAxeViolations(page, 'flash screen with a firmware, before saving it as a profile');
    await saveSetup.click();
    expect(await page.getByRole('tab', { name: 'Station', exact: true }).getAttribute('aria-selected')).toBe('true');
    const editor = page.getByRole('form', { name: 'New profile' });
    expect(await editor.getByLabel('1. Name').inputValue()).toBe('fw');
    // The file comes back from Kiln's cache by its SHA-256, inspected again, at the Flash screen's offset.
    await expect.poll(() => editor.getByLabel('Offset (hex)').inputValue(), { timeout: 20_000 }).toBe('0x0');
    expect(await editor.getByText('fw.bin').count()).toBeGreaterThan(0);
    await editor.getByLabel('1. Name').fill('E2E bench');
    expect(await editor.getByLabel(/Check that the board boots afterwards/).isChecked()).toBe(true);
    const bauds = await editor
      .getByRole('combobox', { name: 'Baud rate' })
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(bauds).toContain('2000000');
    await editor.getByRole('combobox', { name: 'Baud rate' }).selectOption('921600');
    await expectNoAxeViolations(page, 'profile editor with a firmware file');
    await editor.screenshot({ path: path.join(screenshotDir, 'station-profile.png') });
    await editor.getByRole('button', { name: 'Save profile' }).click();
    await editor.waitFor({ state: 'detached' });
    expect(await page.getByRole('combobox', { name: 'Profile', exact: true }).inputValue()).toBe('E2E bench');

    await page.getByRole('radio', { name: /Auto/ }).check();
    await page.getByLabel('Station name').fill('e2e-bench');
    await page.getByRole('button', { name: 'Start station' }).click();
    const plug = page.getByRole('button', { name: 'Plug in a virtual board' });
    await plug.click();
    await plug.click();
    await page.getByRole('combobox', { name: 'Kind' }).selectOption('swap-txrx');
    await plug.click();
    await page.getByRole('combobox', { name: 'Kind' }).selectOption('good');
    await plug.click();

    const slots = page.locator('article.slot');
    await expect.poll(() => slots.count(), { timeout: 20_000 }).toBe(4);
    // The board with swapped wires keeps its slot busy for seconds of handshakes: the "flashing" colours are audited.
    await expect
      .poll(() => page.locator('article.slot.busy').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await expectNoAxeViolations(page, 'station running, boards busy');

    await expect
      .poll(async () => [await stateOf(1), await stateOf(2), await stateOf(3), await stateOf(4)], {
        timeout: 120_000,
        interval: 500,
      })
      .toEqual(['verified', 'verified', 'failed', 'verified']);
    await expect.poll(() => page.getByTestId('count-verified').textContent()).toBe('3 verified');
    expect(await page.getByTestId('count-failed').textContent()).toBe('1 failed');

    // The failed slot: plain words first, "reseat" as the first step on a jig, the code behind a disclosure.
    const failed = slot(3);
    expect(await failed.getAttribute('data-port')).toBe('sim:esp8266?seed=3&fault=swap-txrx');
    expect(await failed.getByTestId('first-step').textContent()).toMatch(
      /^Try first: Reseat the board in the jig/,
    );
    expect(await failed.locator('details.code').getAttribute('open')).toBeNull();
    await expectNoAxeViolations(page, 'station: three verified, one failed');

    // Retry the faulty board: it fails again. Two attempts, still one board: the counters must not move.
    await page.getByRole('button', { name: 'Retry failed (1)' }).click();
    await expect
      .poll(async () => (await host.service.call('stationReport', {})).records.length, { timeout: 90_000 })
      .toBe(5);
    await expect.poll(() => stateOf(3), { timeout: 10_000 }).toBe('failed');
    const rate = async () => (await page.getByTestId('rate').textContent())?.replace(/\s+/g, ' ').trim();
    await expect.poll(rate).toMatch(/^4 boards \(5 attempts\) · [\d.]+ verified per hour over \d+ s$/);
    expect(await page.getByTestId('count-verified').textContent()).toBe('3 verified');
    expect(await page.getByTestId('count-failed').textContent()).toBe('1 failed');

    // Read from two metres: big type, ports on one line, nothing wider than the window.
    const style = (sel: string) =>
      slot(1)
        .locator(sel)
        .evaluate((el) => {
          const cs = (globalThis as unknown as PageGlobals).getComputedStyle(el);
          return { fontSize: parseFloat(cs.fontSize), lineHeight: parseFloat(cs.lineHeight) };
        });
    expect((await style('.num')).fontSize).toBeGreaterThanOrEqual(44);
    expect((await style('.word')).fontSize).toBeGreaterThanOrEqual(32);
    const port = slot(1).locator('.port');
    expect(Math.round((await port.boundingBox())!.height / (await style('.port')).lineHeight)).toBe(1);
    expect(await port.getAttribute('title')).toBe('sim:esp8266?seed=1');
    const scrollWidth = await page.evaluate(
      () => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth,
    );
    expect(scrollWidth).toBeLessThanOrEqual(VIEWPORT.width);
    // Full width, not the other screens' column.
    expect((await page.locator('.grid').boundingBox())!.width).toBeGreaterThan(VIEWPORT.width * 0.9);

    await page.getByRole('button', { name: 'Open report' }).click();
    await expect.poll(() => page.locator('tr[data-result=failed]').count(), { timeout: 10_000 }).toBe(2);
    await expectNoAxeViolations(page, 'station with the report open');
    await page.getByRole('button', { name: 'Hide report' }).click();
    await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
    const shot = path.join(screenshotDir, 'station.png');
    await page.screenshot({ path: shot, fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(screenshotDir, 'station-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    // The 2 m view: the same PNG drawn by Chromium at 30 % (no new dependency), screenshotted as it is drawn.
    const png = readFileSync(shot);
    const far = await page.context().newPage();
    try {
      const size = { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
      const w = Math.round(size.width * 0.3);
      const h = Math.round(size.height * 0.3);
      await far.setViewportSize({ width: w, height: h });
      await far.setContent(
        `<body style="margin:0"><img alt="" width="${w}" height="${h}" src="data:image/png;base64,${png.toString('base64')}"></body>`,
      );
      await far.locator('img').evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
      await far.locator('img').screenshot({ path: path.join(screenshotDir, 'station-2m.png') });
    } finally {
      await far.close();
    }

    // Behind the screen: four boards with distinct MACs; the three good ones hold the image.
    const report = await host.service.call('stationReport', {});
    expect(report.records.map((r) => r.result).sort()).toEqual([
      'failed',
      'failed',
      'verified',
      'verified',
      'verified',
    ]);
    expect(report.records.every((r) => r.station === 'e2e-bench')).toBe(true);
    expect(new Set(report.records.map((r) => r.mac)).size).toBe(4);
    for (const r of report.records.filter((x) => x.result === 'verified'))
      expect(Buffer.from(host.service.virtualDevice(r.port).readFlash(0, image.length)).equals(image)).toBe(
        true,
      );
    expect(report.records.filter((r) => r.result === 'failed').map((r) => r.error?.code)).toEqual([
      'SYNC_FAILED',
      'SYNC_FAILED',
    ]);

    await page.getByRole('button', { name: 'Stop station' }).click();
    await expect
      .poll(() => page.getByRole('button', { name: 'Start station' }).count(), { timeout: 10_000 })
      .toBe(1);
    await expectNoAxeViolations(page, 'station stopped');
    expect(pageErrors).toEqual([]);
  }, 400_000);
});
