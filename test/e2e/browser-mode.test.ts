/**
 * Browser e2e: the built renderer, served by the real browser-mode host (in this process, so the test can read the
 * virtual board's flash), driven in Debian Chromium with playwright-core. Writes the screenshots in
 * `screenshotDir` (docs/screenshots/ with KILN_UPDATE_SCREENSHOTS=1). Skipped with a message where /usr/bin/chromium is missing (`apt-get install -y chromium`).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger } from '../../src-main/service/deps';
import { firmwarePath, readFirmware } from '../helpers/shared';
import { debianWithCh340, type FixtureTree } from '../doctor/fixture-tree';
import {
  CHROMIUM,
  haveChromium,
  openBrowserHost,
  screenshotDir,
  startWebHost,
  pageUrl,
  type BrowserHost,
} from './helpers/browser-host';
import { expectNoAxeViolations } from './helpers/axe';

const IMAGE = 'esp8266_deepsleep.bin';
/** The window the Flash screen must fit (issue 17): a common laptop. Screenshots are taken at this size. */
const VIEWPORT = { width: 1366, height: 768 };

/**
 * What the in-page functions below touch. This file compiles without DOM types, and the page's CSP forbids string
 * evaluation, so they are real functions that reach the page's globals through a cast (they run in the page, so
 * they cannot call helpers defined here).
 */
interface PageDocument {
  body: unknown;
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelector(selector: string): { textContent: string | null; value?: number } | null;
}
type PageGlobals = {
  document: PageDocument;
  getComputedStyle(e: unknown): { backgroundColor: string };
  scrollTo(x: number, y: number): void;
  setInterval(f: () => void, ms: number): number;
  clearInterval(id: number): void;
  /** The overall progress sampled in the page while a flash runs: [percent, step heading, resuming note]. */
  kilnSamples?: Sample[];
  kilnSampler?: number;
};
type Sample = [number, string, string];
if (!haveChromium) console.warn(`browser e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!haveChromium)('browser mode e2e (Chromium + virtual devices)', () => {
  let host: BrowserHost;
  let page: Page;
  /** Console errors of the page: a CSP violation or a failed asset load shows up here. */
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    host = await openBrowserHost({
      tmpPrefix: 'kiln-e2e-',
      deps: defaultDeps({ logger: silentLogger }),
      viewport: VIEWPORT,
    });
    page = host.page;
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    // No smooth scrolling (the screen honours the system's reduced motion), so a screenshot never catches a scroll.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(host.server.url);
    mkdirSync(screenshotDir, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await host?.close();
  });

  /**
   * Every state worth a screenshot is also audited by axe-core (light and dark). The Flash screen's shots show the
   * window as a user sees it at 1366×768 (what is below the fold is not in the picture); `fullPage` for the rest.
   */
  async function shot(name: string, o: { fullPage?: boolean } = {}): Promise<void> {
    await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: o.fullPage ?? false });
    await expectNoAxeViolations(page, name);
  }

  /** The Flash button is in the window without scrolling: the page at the top, the button's box inside the viewport. */
  async function expectFlashButtonInView(): Promise<void> {
    await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
    const box = await page.getByRole('button', { name: 'Flash', exact: true }).boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(VIEWPORT.height);
    expect(box!.x + box!.width).toBeLessThanOrEqual(VIEWPORT.width);
  }

  /** Samples the overall progress bar in the page every 50 ms (in the page, so no sample is lost to the round trip). */
  async function startSampling(): Promise<void> {
    await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      g.kilnSamples = [];
      g.kilnSampler = g.setInterval(() => {
        const bar = g.document.querySelector('[data-testid=overall-progress]');
        const step = g.document.querySelector('[data-testid=job-progress] h3');
        const resuming = g.document.querySelector('[data-testid=resuming]');
        if (bar && typeof bar.value === 'number')
          g.kilnSamples!.push([bar.value, step?.textContent ?? '', resuming?.textContent ?? '']);
      }, 50);
    });
  }
  async function stopSampling(): Promise<Sample[]> {
    return page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      g.clearInterval(g.kilnSampler!);
      return g.kilnSamples ?? [];
    });
  }

  async function addFirmware(): Promise<void> {
    await page.locator('input[type=file]').setInputFiles(firmwarePath(IMAGE));
    await page.getByTestId('image-info').waitFor();
  }

  it('the production build carries the CSP and has no inline script or style', () => {
    const dir = host.rendererDir;
    const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/
      .exec(html)?.[1]
      ?.replace(/&#39;/g, "'");
    expect(csp).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; base-uri 'none'; form-action 'none'",
    );
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style="/);
    const assets = readdirSync(path.join(dir, 'assets'));
    expect(assets.some((f) => f.endsWith('.css'))).toBe(true);
  });

  it('flashes sim:esp8266 and the simulated flash equals the image', async () => {
    await page.getByRole('tab', { name: 'Flash' }).waitFor();
    await page
      .getByRole('radio', { name: /Virtual ESP8266/ })
      .first()
      .check();
    await page.getByRole('button', { name: 'Identify' }).click();
    const board = page.getByRole('definition').filter({ hasText: /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/ });
    await board.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('device').textContent()).toMatch(/ESP8266[\s\S]*4\.00 MiB/);
    await addFirmware();
    expect(await page.getByLabel('Offset (hex)').inputValue()).toBe('0x0');
    // Port → file → Flash at 1366×768 without scrolling.
    await expectFlashButtonInView();
    await shot('flash-idle');

    await startSampling();
    await page.getByRole('button', { name: 'Flash', exact: true }).click();
    await page.getByTestId('job-progress').waitFor();
    // Screenshot once the write is well under way (the step's own bytes past the first block).
    await page.getByRole('heading', { name: 'Writing the firmware' }).waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () =>
        /^[1-9]/.test(
          (globalThis as unknown as PageGlobals).document.querySelector('[data-testid=bytes]')?.textContent ??
            '',
        ),
      undefined,
      { timeout: 60_000 },
    );
    await shot('flash-progress');

    const result = page.getByTestId('result');
    await result.waitFor({ timeout: 90_000 });
    const samples = await stopSampling();
    await expect(result.textContent()).resolves.toContain('Written, verified and booted');
    await expect(result.getByText('verified', { exact: true }).count()).resolves.toBe(1);
    // One overall progress through compare, write, verify and the boot check, never going back.
    const values = samples.map(([v]) => v);
    const steps = new Set(samples.map(([, step]) => step));
    console.log(
      `overall progress: ${samples.length} samples, steps ${[...steps].join(' → ')}, values ${[...new Set(values)].join(' ')}`,
    );
    expect(values.length).toBeGreaterThan(10);
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    expect(steps).toContain('Writing the firmware');
    expect(steps).toContain('Checking that the firmware starts');
    // It moved during the boot check too (not an indeterminate bar).
    const boot = samples.filter(([, step]) => step === 'Checking that the firmware starts').map(([v]) => v);
    expect(boot.at(-1)!).toBeGreaterThan(boot[0]!);
    expect(values.at(-1)!).toBeGreaterThanOrEqual(90);
    await page.getByTestId('bar-outcome').waitFor();
    await expectFlashButtonInView();
    // As the user sees it when the job ends: the result card scrolled into view, the bar at the bottom.
    await result.scrollIntoViewIfNeeded();
    await shot('flash-success');

    const image = readFirmware(IMAGE);
    const flash = host.service.virtualDevice('sim:esp8266').readFlash(0, image.length);
    expect(Buffer.from(flash).equals(image)).toBe(true);
  }, 150_000);

  it('sim:esp8266?fault=swap-txrx shows the wiring diagnosis by itself', async () => {
    await page.getByText('Other port…').click();
    await page.getByLabel('Port path or address').fill('sim:esp8266?fault=swap-txrx');
    await page.getByRole('button', { name: 'Use this port' }).click();
    await page.getByRole('button', { name: 'Flash', exact: true }).click();
    const failure = page.getByTestId('failure');
    await failure.waitFor({ timeout: 120_000 });
    const diagnosis = failure.getByTestId('diagnosis');
    await diagnosis.waitFor();
    const text = (await diagnosis.textContent()) ?? '';
    expect(text).toMatch(/TX/);
    expect(text).toMatch(/RX/);
    expect(await failure.locator('blockquote').count()).toBeGreaterThan(0);
    expect(await failure.locator('ol li').count()).toBeGreaterThan(0);
    // One failure card, action first, the code behind the disclosure, and a Try again button.
    expect(await page.getByTestId('failure').count()).toBe(1);
    await failure.getByRole('button', { name: 'Try again' }).waitFor();
    expect(await failure.getByTestId('error-code').isVisible()).toBe(false);
    await shot('flash-failure-diagnosis');

    // The step Kiln can take itself is a button: the adapter self-test on the Doctor screen.
    await failure.getByRole('button', { name: 'Run the adapter self-test' }).click();
    await page.getByRole('tab', { name: 'Doctor', selected: true }).waitFor();
    await page
      .locator('#adapter-self-test')
      .getByRole('button', { name: /Test the adapter/ })
      .waitFor();
    await expectNoAxeViolations(page, 'doctor opened from a failure card');
    await page.getByRole('tab', { name: 'Flash' }).click();
  }, 150_000);

  it('cancel during the write leaves the app ready for the next flash, which resumes (says so) and ends verified', async () => {
    await page
      .getByRole('radio', { name: /Virtual ESP8266/ })
      .first()
      .check();
    // Write everything again (the board already holds this image) and slowly enough to cancel mid-write.
    await page.getByLabel(/Skip what the board already holds/).uncheck();
    await page.getByLabel('Baud rate').selectOption('115200');
    await page.getByRole('button', { name: 'Flash', exact: true }).click();
    await page.getByRole('heading', { name: 'Writing the firmware' }).waitFor({ timeout: 60_000 });
    // Past the first 64 KiB block, so the next flash finds part of the firmware in place.
    await page.waitForFunction(
      () =>
        Number.parseFloat(
          /^([\d.]+) KiB/.exec(
            (globalThis as unknown as PageGlobals).document.querySelector('[data-testid=bytes]')
              ?.textContent ?? '',
          )?.[1] ?? '0',
        ) >= 80,
      undefined,
      { timeout: 60_000 },
    );
    // Focus moved to Cancel when the flash started (keyboard users press Enter or Space to stop).
    const cancel = page.getByRole('button', { name: 'Cancel' });
    await expect(
      cancel.evaluate((e) => e === (e.ownerDocument as { activeElement: unknown }).activeElement),
    ).resolves.toBe(true);
    await cancel.click();
    const cancelled = page.getByTestId('cancelled');
    await cancelled.waitFor({ timeout: 30_000 });
    expect(await cancelled.textContent()).toContain(
      'The board now holds a partial firmware and will not start until it is flashed again.',
    );
    await cancelled.getByRole('button', { name: 'Try again' }).waitFor();
    await shot('flash-cancelled');

    // Flash again, comparing first: the blocks written before the cancel are not sent again, and the bar says so.
    await page.getByLabel(/Skip what the board already holds/).check();
    await page.getByLabel('Baud rate').selectOption('921600');
    await startSampling();
    await page.getByRole('button', { name: 'Flash', exact: true }).click();
    const result = page.getByTestId('result');
    await result.waitFor({ timeout: 90_000 });
    const samples = await stopSampling();
    await expect(result.textContent()).resolves.toContain('Written, verified and booted');
    const resuming = samples.map(([, , note]) => note).filter((n) => n !== '');
    console.log(`resumed run: ${resuming[0] ?? '(no resuming note)'}`);
    expect(resuming[0]).toMatch(/^Resuming: [\d.]+ KiB of the firmware is already on the board$/);
    const values = samples.map(([v]) => v);
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    const image = readFirmware(IMAGE);
    expect(
      Buffer.from(host.service.virtualDevice('sim:esp8266').readFlash(0, image.length)).equals(image),
    ).toBe(true);
  }, 180_000);

  it('Monitor: the freshly flashed virtual ESP8266 prints its ROM boot line at 74880 baud after Reset', async () => {
    await page
      .getByRole('radio', { name: /Virtual ESP8266/ })
      .first()
      .check();
    await page.getByRole('tab', { name: 'Monitor' }).click();
    await page.getByLabel('Baud').selectOption('74880');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('button', { name: 'Close', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Reset board' }).click();
    const output = page.getByLabel('Serial output');
    await page.waitForFunction(
      () =>
        /boot mode:\(\d/.test(
          (globalThis as unknown as PageGlobals).document.querySelector('[data-testid=monitor-output]')
            ?.textContent ?? '',
        ),
      undefined,
      { timeout: 30_000 },
    );
    expect(await output.textContent()).toMatch(/rst cause:\d, boot mode:\(3,\d\)/);
    await shot('monitor');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Save log' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^kiln-monitor-sim_esp8266-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.log$/,
    );
    const saved = readFileSync(await download.path(), 'utf8');
    expect(saved).toBe(await output.textContent());
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('button', { name: 'Open', exact: true }).waitFor();
  }, 60_000);

  it('dark theme, and 200 % zoom without sideways scrolling', async () => {
    await page.getByRole('tab', { name: 'Flash' }).click();
    await page.emulateMedia({ colorScheme: 'dark' });
    const bg = await page.evaluate(
      () =>
        (globalThis as unknown as PageGlobals).getComputedStyle(
          (globalThis as unknown as PageGlobals).document.body,
        ).backgroundColor,
    );
    expect(bg).toBe('rgb(23, 22, 20)');
    // The top of the screen, as it opens (the last flash's outcome is in the action bar).
    await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
    await page.getByTestId('bar-outcome').waitFor();
    await shot('flash-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // 200 % zoom = half the CSS pixels across: the layout must wrap, not scroll sideways.
    await page.setViewportSize({ width: 550, height: 900 });
    const overflow = await page.evaluate(
      () =>
        (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth -
        (globalThis as unknown as PageGlobals).document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('flash-zoom-200', { fullPage: true });
    await page.setViewportSize(VIEWPORT);
  }, 60_000);

  it('a DOUT-only board flashed in DIO: the title says it does not start; "Use DOUT and flash again" ends booted', async () => {
    const url = 'sim:esp8266?wiring=dout';
    await page.getByText('Other port…').click();
    await page.getByLabel('Port path or address').fill(url);
    await page.getByRole('button', { name: 'Use this port' }).click();
    await page.getByLabel('Flash mode').selectOption('dio');
    await page.getByRole('button', { name: 'Flash', exact: true }).click();
    const result = page.getByTestId('result');
    await result.waitFor({ timeout: 120_000 });
    const title = result.getByRole('heading', { level: 3 });
    expect(await title.textContent()).toMatch(/^Written and verified — but the board does not start/);
    // Focus is on the result's title, and the same words are in the screen's status region.
    await expect(
      title.evaluate((e) => e === (e.ownerDocument as { activeElement: unknown }).activeElement),
    ).resolves.toBe(true);
    expect(await page.getByTestId('outcome-status').textContent()).toBe(await title.textContent());
    // The header on the board asks for DIO (byte 2: 0 QIO, 1 QOUT, 2 DIO, 3 DOUT).
    expect(host.service.virtualDevice(url).readFlash(0, 4)[2]).toBe(2);
    await shot('flash-boot-does-not-start');

    await result.getByRole('button', { name: 'Use DOUT and flash again' }).click();
    await page.getByTestId('job-progress').waitFor();
    expect(await page.getByLabel('Flash mode').inputValue()).toBe('dout');
    await page
      .getByRole('heading', { level: 3, name: 'Written, verified and booted' })
      .waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('boot-check').getAttribute('data-verdict')).toBe('booted');
    expect(host.service.virtualDevice(url).readFlash(0, 4)[2]).toBe(3);
  }, 300_000);

  it('Doctor on a system where the CH340 port is not accessible: finding, evidence, and a fix that shows what it will run', async () => {
    // A second backend whose system view is a fixture tree (Debian desktop, CH340 on ttyUSB0 root:dialout 0660,
    // user not in dialout), so the screen shows a real finding rather than whatever this build machine has.
    const tree: FixtureTree = debianWithCh340();
    const { service: doctorService, server: doctorServer } = await startWebHost(
      defaultDeps({ logger: silentLogger, root: tree.root }),
      path.join(host.tmp, 'data-doctor'),
      host.rendererDir,
    );
    const p = await host.context.newPage();
    try {
      await p.goto(pageUrl(doctorServer, 'doctor'));
      const finding = p.getByTestId('finding').filter({ hasText: 'dialout' }).first();
      await finding.waitFor({ timeout: 30_000 });
      await finding.getByText(/^What Kiln read/).click();
      expect(await finding.locator('blockquote').first().textContent()).toContain('/dev/ttyUSB0');
      await finding.getByRole('button').first().click();
      const dialog = p.getByRole('dialog');
      await dialog.waitFor();
      const commands = (await dialog.getByTestId('fix-commands').textContent()) ?? '';
      expect(commands).toMatch(/^pkexec /);
      await expectNoAxeViolations(p, 'doctor with the fix dialog');
      await p.screenshot({ path: path.join(screenshotDir, 'doctor.png'), fullPage: true });
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect(await p.getByRole('dialog').count()).toBe(0);
    } finally {
      await p.close();
      await doctorServer.close();
      await doctorService.shutdown();
      tree.remove();
    }
  }, 60_000);

  it('refuses the WebSocket without the token (and from another origin)', async () => {
    const { server } = host;
    const origin = `http://127.0.0.1:${server.port}`;
    const statusOf = (url: string, o: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { origin: o });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => resolve(-1));
      });
    expect(await statusOf(`ws://127.0.0.1:${server.port}/api`, origin)).toBe(401);
    expect(await statusOf(`ws://127.0.0.1:${server.port}/api?token=wrong`, origin)).toBe(401);
    expect(
      await statusOf(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, 'http://evil.example'),
    ).toBe(403);
    expect(await statusOf(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, origin)).toBe(101);
    // The token lives only in the page's memory (issue 15, finding 5): not in the address bar, not in a cookie.
    expect(page.url()).not.toContain(server.token);
    expect(
      await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
    ).toBe('');
    expect((await host.context.cookies()).map((c) => c.name)).toEqual([]);
    // And the page itself ran the whole session without a CSP violation or a script error.
    expect(consoleErrors).toEqual([]);
  }, 30_000);
});
