/**
 * Browser e2e of provisioning: flash a Tasmota-marked image to a virtual Sonoff (sim:esp8266?board=sonoff is not
 * needed: the virtual ESP8266 resets itself), send Wi-Fi + MQTT from the panel under the result, and see
 * "Online at <ip>, MQTT connected"; with a wrong password, the firmware's own failure and "Try again". The test
 * password never appears in the page, and the data folder (logs) is searched for it afterwards.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildImage } from '../../src-main/esp/image';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger } from '../../src-main/service/deps';
import { firmwareMarker } from '../../src-main/sim/firmware-marker';
import { SIM_LAB } from '../../src-main/sim/sim-network';
import {
  CHROMIUM,
  haveChromium,
  openBrowserHost,
  screenshotDir,
  type BrowserHost,
} from './helpers/browser-host';

const WIFI = SIM_LAB.accessPoints[0]!;
const BROKER = SIM_LAB.broker;

function everyFile(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? everyFile(p) : [p];
  });
}

if (!haveChromium) console.warn(`provision e2e skipped: ${CHROMIUM} is missing`);

describe.skipIf(!haveChromium)('browser e2e: provisioning after the flash', () => {
  let host: BrowserHost;
  let page: Page;
  let imageFile: string;

  beforeAll(async () => {
    host = await openBrowserHost({
      tmpPrefix: 'kiln-e2e-prov-',
      deps: defaultDeps({ logger: silentLogger }),
      viewport: { width: 1100, height: 1000 },
    });
    page = host.page;
    imageFile = path.join(host.tmp, 'tasmota-sim.bin');
    const data = Buffer.concat([firmwareMarker('tasmota'), Buffer.alloc(8192, 0x5a)]);
    writeFileSync(
      imageFile,
      buildImage({
        chip: 'esp8266',
        entry: 0x40100000,
        segments: [{ address: 0x40100000, data }],
        mode: 'dout',
        freq: '40m',
        size: '1MB',
      }),
    );
    await page.goto(host.server.url);
    mkdirSync(screenshotDir, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await host?.close();
  });

  it('flash, send Wi-Fi + MQTT, see "online at <ip>, MQTT connected"; a wrong password shows the failure and Try again', async () => {
    await page.getByRole('tab', { name: 'Flash' }).waitFor();
    await page
      .getByRole('radio', { name: /Virtual ESP8266/ })
      .first()
      .check();
    await page.locator('input[type=file]').setInputFiles(imageFile);
    await page.getByTestId('image-info').waitFor();
    await page.getByRole('button', { name: 'Flash', exact: true }).click();
    await page.getByTestId('result').waitFor({ timeout: 90_000 });

    const panel = page.getByTestId('provision');
    await panel.waitFor();
    await panel.getByLabel('Wi-Fi network (SSID)').fill(WIFI.ssid);
    await panel.getByLabel('Wi-Fi password').fill('not-the-wifi-pw');
    await panel.getByLabel('MQTT broker (optional)').fill(BROKER.host);
    await panel.getByLabel('MQTT user').fill(BROKER.user);
    await panel.getByLabel('MQTT password').fill(BROKER.password);
    await panel.getByLabel('MQTT topic').fill('sonoff_e2e');
    await panel.getByRole('button', { name: 'Send Wi-Fi settings' }).click();

    const failed = page.getByTestId('provision-error');
    await failed.waitFor({ timeout: 60_000 });
    expect(await failed.textContent()).toContain('Tasmota: Connect failed with AP incorrect password.');
    await panel.getByRole('button', { name: 'Try again' }).waitFor();
    await page.screenshot({ path: path.join(screenshotDir, 'provision-wrong-password.png'), fullPage: true });

    await panel.getByLabel('Wi-Fi password').fill(WIFI.password);
    await panel.getByRole('button', { name: 'Try again' }).click();
    const online = page.getByTestId('provision-online');
    await online.waitFor({ timeout: 60_000 });
    const text = (await online.textContent()) ?? '';
    expect(text).toMatch(/Online at 192\.168\.77\.\d+/);
    expect(text).toContain('MQTT connected');
    await page.screenshot({ path: path.join(screenshotDir, 'provision-online.png'), fullPage: true });

    // The passwords were cleared from the form and are in no text of the page, nor in any file the host wrote.
    const body = (await page.locator('body').textContent()) ?? '';
    for (const secret of [WIFI.password, BROKER.password, 'not-the-wifi-pw']) {
      expect(body).not.toContain(secret);
      for (const f of everyFile(path.join(host.tmp, 'data')))
        expect(readFileSync(f).includes(Buffer.from(secret)), f).toBe(false);
    }
    expect(await panel.getByLabel('Wi-Fi password').inputValue()).toBe('');
  }, 240_000);
});
