/**
 * Browser e2e at 1366×768 of an ESP Web Tools manifest and the serial console, against virtual boards:
 * - a manifest with ESP32 and ESP8266 builds on `sim:esp8266`: the ESP8266 build is chosen from the board's chip
 *   (no Identify), the ESP32 parts are set aside, and only the ESP8266 app lands in flash, verified;
 * - a manifest missing a part keeps Flash off with the reason in words; its `new_install_prompt_erase` shows the
 *   erase choice, and chosen, the whole flash is erased before the write (the old app's tail is gone);
 * - the Monitor on a blank board at 115200 shows the ROM's 74880-baud text as garbage, offers 74880, and the button
 *   switches and shows the boot text; a flash on the console's port closes it, and it is open again (same baud)
 *   when the flash ends.
 * Images are written with Kiln's own image writer (buildImage). axe-core audits every state, light and dark.
 * Screenshots manifest-*.png and monitor-hint*.png in `screenshotDir`. Skipped where /usr/bin/chromium is missing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildImage } from '../../src-main/esp/image';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger } from '../../src-main/service/deps';
import { noiseBytes } from '../helpers/sim-bench';
import { expectNoAxeViolations } from './helpers/axe';
import {
  CHROMIUM,
  haveChromium,
  openBrowserHost,
  screenshotDir,
  type BrowserHost,
} from './helpers/browser-host';

import { esp8266App } from '../helpers/images';
const BOARD = 'sim:esp8266';
/** A second, blank ESP8266 for the console (its own URL, so the flashes above do not touch it). */
const BLANK_BOARD = 'sim:esp8266?seed=17';

// ESP32 build: a bootloader and an app laid out as ESP-IDF does (as in test/integration/cli-manifest.test.ts).
const BOOT32 = buildImage({
  chip: 'esp32',
  entry: 0x40080400,
  segments: [
    { address: 0x3fff0030, data: noiseBytes(2000, 2) },
    { address: 0x40078000, data: noiseBytes(1500, 4) },
    { address: 0x40080400, data: noiseBytes(800, 5) },
  ],
  mode: 'dio',
  freq: '40m',
  size: '4MB',
});
const APP32 = buildImage({
  chip: 'esp32',
  entry: 0x400d0018,
  segments: [{ address: 0x3f400020, data: noiseBytes(9000, 3) }],
  mode: 'dio',
  freq: '40m',
  size: '4MB',
});
/** Long enough (20 KB) that the shorter app of the second manifest leaves its tail, unless the flash is erased. */
const LAMP = esp8266App(20_000, 11);
const LAMP2 = esp8266App(6_000, 12);
/** A data part (a file system image) for the second manifest: any bytes. */
const FS = noiseBytes(8192, 13);
const FS_OFFSET = 0x100000;

if (!haveChromium)
  console.warn(`manifest/monitor e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!haveChromium)('manifest and monitor e2e (Chromium, 1366×768, virtual ESP8266)', () => {
  let host: BrowserHost;
  let page: Page;
  let files: string;
  const pageErrors: string[] = [];
  const file = (name: string) => path.join(files, name);

  beforeAll(async () => {
    files = mkdtempSync(path.join(os.tmpdir(), 'kiln-manifest-files-'));
    writeFileSync(file('lamp-esp32-bootloader.bin'), BOOT32);
    writeFileSync(file('lamp-esp32.bin'), APP32);
    writeFileSync(file('lamp-esp8266.bin'), LAMP);
    writeFileSync(file('lamp2-esp8266.bin'), LAMP2);
    writeFileSync(file('lamp2-fs.bin'), FS);
    writeFileSync(
      file('manifest.json'),
      JSON.stringify({
        name: 'Lamp',
        version: '2.1',
        builds: [
          {
            chipFamily: 'ESP32',
            parts: [
              { path: 'lamp-esp32-bootloader.bin', offset: 0x1000 },
              { path: 'lamp-esp32.bin', offset: 0x10000 },
            ],
          },
          { chipFamily: 'ESP8266', parts: [{ path: 'lamp-esp8266.bin', offset: 0 }] },
        ],
      }),
    );
    mkdirSync(file('v2'));
    writeFileSync(
      file('v2/manifest.json'),
      JSON.stringify({
        name: 'Lamp',
        version: '3.0',
        new_install_prompt_erase: true,
        builds: [
          {
            chipFamily: 'ESP8266',
            parts: [
              { path: 'lamp2-esp8266.bin', offset: 0 },
              { path: 'lamp2-fs.bin', offset: FS_OFFSET },
            ],
          },
        ],
      }),
    );
    host = await openBrowserHost({
      tmpPrefix: 'kiln-manifest-e2e-',
      deps: defaultDeps({ logger: silentLogger }),
      viewport: { width: 1366, height: 768 },
    });
    page = host.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(host.server.url);
    mkdirSync(screenshotDir, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await host?.close();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  /** A screenshot of the window as a 1366×768 user sees it, with `what` scrolled into view; then axe, light and dark. */
  async function shot(name: string, what: ReturnType<Page['getByTestId']>): Promise<void> {
    await what.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
    await expectNoAxeViolations(page, name);
  }

  const flashButton = () => page.getByRole('button', { name: 'Flash', exact: true });

  async function pickBoard(): Promise<void> {
    await page.getByRole('tab', { name: 'Flash' }).click();
    await page
      .getByRole('radio', { name: /Virtual ESP8266/ })
      .first()
      .check();
  }

  it('ESP32 + ESP8266 manifest on a virtual ESP8266: its build chosen, ESP32 parts set aside, flashed and verified', async () => {
    await pickBoard();
    await page
      .locator('input[type=file]')
      .setInputFiles([
        file('manifest.json'),
        file('lamp-esp32-bootloader.bin'),
        file('lamp-esp32.bin'),
        file('lamp-esp8266.bin'),
      ]);
    const manifest = page.getByTestId('manifest');
    await manifest.waitFor();
    await page.getByTestId('image-info').waitFor();
    // Chosen from the board's chip, before any Identify.
    expect(await page.getByLabel('Build').locator('option:checked').textContent()).toBe('ESP8266');
    expect(await manifest.textContent()).toContain('chosen for this ESP8266 board');
    expect(await page.getByTestId('other-builds').textContent()).toContain(
      'Also in this manifest: ESP32 build (not for this board; 2 of its files set aside)',
    );
    const listed = await page.getByTestId('firmware-item').locator('.name').allTextContents();
    expect(listed).toEqual(['lamp-esp8266.bin']);
    expect(await flashButton().isEnabled()).toBe(true);
    await shot('manifest-1-build-chosen', manifest);

    await flashButton().click();
    const result = page.getByTestId('result');
    await result.waitFor({ timeout: 120_000 });
    expect(await result.textContent()).toContain('verified');
    await shot('manifest-2-verified', result);

    const flash = Buffer.from(host.service.virtualDevice(BOARD).readFlash(0, 0x20000));
    expect(flash.subarray(0, LAMP.length).equals(LAMP)).toBe(true);
    // The ESP32 app went nowhere: 0x10000 holds what the ESP8266 app left there (erased), not APP32.
    expect(flash.subarray(0x10000, 0x10000 + APP32.length).every((b) => b === 0xff)).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 200_000);

  it('a missing part keeps Flash off with the reason; the manifest’s erase prompt, chosen, erases the whole flash', async () => {
    await page.getByRole('button', { name: 'Forget manifest' }).click();
    const removes = page.getByRole('button', { name: /^Remove / });
    while ((await removes.count()) > 0) await removes.first().click();
    await page
      .locator('input[type=file]')
      .setInputFiles([file('v2/manifest.json'), file('lamp2-esp8266.bin')]);
    const manifest = page.getByTestId('manifest');
    await manifest.filter({ hasText: 'Lamp 3.0' }).waitFor();
    await page.getByTestId('image-info').waitFor();

    const reason = 'Part of the firmware is missing: add lamp2-fs.bin (named in the manifest).';
    await page.getByText(reason).waitFor();
    expect(await flashButton().isDisabled()).toBe(true);
    const describedBy = await flashButton().getAttribute('aria-describedby');
    expect(await page.locator(`#${describedBy}`).textContent()).toContain(reason);
    const erase = page.getByRole('checkbox', { name: 'Erase the whole flash before writing' });
    expect(await erase.isChecked()).toBe(false);
    expect(await page.getByTestId('erase-prompt').textContent()).toContain(
      'Erasing also removes the settings saved on the board',
    );
    await shot('manifest-3-part-missing', manifest);

    await page.locator('input[type=file]').setInputFiles(file('lamp2-fs.bin'));
    await page.getByTestId('firmware-item').nth(1).getByTestId('image-info').waitFor();
    await erase.check();
    expect(await flashButton().isEnabled()).toBe(true);
    await flashButton().click();
    const result = page.getByTestId('result');
    await result.waitFor({ timeout: 180_000 });
    expect(await result.textContent()).toContain('verified');
    await shot('manifest-4-erased-and-verified', result);

    const flash = Buffer.from(host.service.virtualDevice(BOARD).readFlash(0, FS_OFFSET + FS.length));
    expect(flash.subarray(0, LAMP2.length).equals(LAMP2)).toBe(true);
    expect(flash.subarray(FS_OFFSET, FS_OFFSET + FS.length).equals(FS)).toBe(true);
    // Erased first: where the longer old app went on past the new one's sectors, the flash is blank.
    const afterNew = Math.ceil(LAMP2.length / 0x1000) * 0x1000;
    expect(flash.subarray(afterNew, LAMP.length).every((b) => b === 0xff)).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it('Monitor: garbage from a blank board at 115200 brings the 74880 hint; its button switches and shows the boot text', async () => {
    await page.getByRole('tab', { name: 'Flash' }).click();
    await page.getByText('Other port…').click();
    await page.getByLabel('Port path or address').fill(BLANK_BOARD);
    await page.getByRole('button', { name: 'Use this port' }).click();
    await page.getByRole('tab', { name: 'Monitor' }).click();
    const baud = page.getByLabel('Baud');
    await baud.selectOption('115200');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('button', { name: 'Close', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Reset board' }).click();
    const hint = page.getByTestId('baud-hint');
    await hint.waitFor({ timeout: 30_000 });
    expect(await hint.textContent()).toContain(
      'This looks like the ESP8266 boot text at 74880 baud — switch to 74880?',
    );
    const output = page.getByTestId('monitor-output');
    expect(await output.textContent()).not.toContain('boot mode');
    await shot('monitor-hint-74880', hint);

    await hint.getByRole('button', { name: 'Switch to 74880' }).click();
    await output.filter({ hasText: /rst cause:2, boot mode:\(3,\d\)/ }).waitFor({ timeout: 30_000 });
    expect(await baud.inputValue()).toBe('74880');
    expect(await hint.count()).toBe(0);
    await shot('monitor-hint-switched', output);

    // The baud is the console's, not the tab's: it is still 74880 after a visit to the Flash tab.
    await page.getByRole('tab', { name: 'Flash' }).click();
    await page.getByRole('tab', { name: 'Monitor' }).click();
    expect(await page.getByLabel('Baud').inputValue()).toBe('74880');

    // A flash on the console's port takes it over; when the flash ends the console is open again, same baud.
    await page.getByRole('tab', { name: 'Flash' }).click();
    await page.getByRole('button', { name: 'Forget manifest' }).click();
    const removes = page.getByRole('button', { name: /^Remove / });
    while ((await removes.count()) > 0) await removes.first().click();
    await page.getByLabel(/Erase the whole flash first/).uncheck();
    await page.locator('input[type=file]').setInputFiles(file('lamp2-esp8266.bin'));
    await page.getByTestId('image-info').waitFor();
    await flashButton().click();
    await page.getByTestId('result').waitFor({ timeout: 120_000 });
    const flashed = Buffer.from(host.service.virtualDevice(BLANK_BOARD).readFlash(0, LAMP2.length));
    expect(flashed.equals(LAMP2)).toBe(true);
    await page.getByRole('tab', { name: 'Monitor' }).click();
    await page.getByRole('button', { name: 'Close', exact: true }).waitFor({ timeout: 10_000 });
    expect(await page.getByLabel('Baud').inputValue()).toBe('74880');
    await page.getByRole('button', { name: 'Reset board' }).click();
    await output
      .filter({ hasText: /rst cause:2, boot mode:\(3,\d\)[\s\S]*rst cause:2, boot mode:\(3,\d\)/ })
      .waitFor({ timeout: 30_000 });
    await shot('monitor-reopened-after-flash', output);
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
