/**
 * Browser e2e for the Station screen's Fleet tab, against Debian's real mosquitto on a free local port: the built
 * renderer served by the real browser-mode host, driven in Debian Chromium. The tab is reached by keyboard; a wrong
 * broker password is refused in plain words; with the right one, two stations — two `kiln batch` processes, four
 * virtual boards each — publish while the tab watches, and it shows both stations and the eight verified boards;
 * Export CSV downloads the merged stream (eight rows, each board once). Then the GUI's own station joins the fleet
 * and shows online, and goes offline when it stops; the broker stopped and started again shows "connection lost",
 * then connected, the picture kept. Every state is audited by axe-core, light and dark.
 * Screenshot: station-fleet.png (1366×768) in `screenshotDir`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger } from '../../src-main/service/deps';
import { parseProfile, parseReport } from '../../src-main/station';
import { spawnKiln, tempDir } from '../cli/helpers/cli-run';
import { Mosquitto } from '../fleet/helpers/mosquitto';
import { sha256, smallImage } from '../station/virtual-bench';
import { expectNoAxeViolations } from './helpers/axe';
import {
  CHROMIUM,
  haveChromium,
  openBrowserHost,
  pageUrl,
  screenshotDir,
  type BrowserHost,
} from './helpers/browser-host';

if (!haveChromium) console.warn(`fleet e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!haveChromium)(
  'Station screen, Fleet tab e2e (Chromium + mosquitto + two kiln batch processes)',
  () => {
    let host: BrowserHost;
    let page: Page;
    let broker: Mosquitto;
    let dir: string;
    const pageErrors: string[] = [];
    const firmware = smallImage(51);

    beforeAll(async () => {
      broker = new Mosquitto();
      await broker.start();
      dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-fleet-e2e-'));
      writeFileSync(path.join(dir, 'fw.bin'), firmware);
      writeFileSync(
        path.join(dir, 'line.json'),
        JSON.stringify({
          name: 'fleet line',
          baud: 921600,
          images: [{ sha256: sha256(firmware), offset: 0, name: 'fw.bin' }],
        }),
      );
      const deps = { ...defaultDeps({ logger: silentLogger }) };
      delete deps.watchPorts; // boards arrive as virtual plug-ins only; no real hot-plug in CI
      host = await openBrowserHost({
        tmpPrefix: 'kiln-fleet-e2e-',
        deps,
        viewport: { width: 1366, height: 768 },
      });
      page = host.page;
      page.on('pageerror', (e) => pageErrors.push(e.message));
      mkdirSync(screenshotDir, { recursive: true });
    }, 120_000);

    afterAll(async () => {
      await host?.close();
      await broker?.dispose();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** `kiln batch` as its own process: one station of the fleet "shop", four virtual boards. */
    function station(name: string, seeds: number[]) {
      return spawnKiln(
        [
          'batch',
          '--profile',
          path.join(dir, 'line.json'),
          '--ports',
          seeds.map((s) => `sim:esp8266?seed=${s}`).join(','),
          '--report',
          path.join(dir, `${name}.jsonl`),
          '--station',
          name,
          '--broker',
          broker.url,
          '--fleet',
          'shop',
          '--broker-user',
          broker.user,
        ],
        { dataDir: tempDir('kiln-fleet-e2e-data-'), env: { KILN_BROKER_PASSWORD: broker.password } },
      );
    }

    const stationCard = (name: string) => page.locator(`article[data-station="${name}"]`);

    it('watches two stations publish eight boards, exports the merged CSV, refuses a wrong password in words', async () => {
      await page.goto(pageUrl(host.server, 'station'));
      // The Station screen's views are a tablist: Right arrow moves from "This station" to "Fleet" and selects it.
      const thisTab = page.getByRole('tab', { name: 'This station' });
      const fleetTab = page.getByRole('tab', { name: 'Fleet' });
      expect(await thisTab.getAttribute('aria-selected')).toBe('true');
      await thisTab.focus();
      await page.keyboard.press('ArrowRight');
      expect(await fleetTab.getAttribute('aria-selected')).toBe('true');
      expect(await fleetTab.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await page.keyboard.press('ArrowLeft');
      expect(await thisTab.getAttribute('aria-selected')).toBe('true');
      await page.keyboard.press('End');
      expect(await fleetTab.getAttribute('aria-selected')).toBe('true');
      const panel = page.getByRole('tabpanel', { name: 'Fleet' });
      const form = panel.getByRole('form', { name: 'Fleet broker' });
      await form.waitFor();
      await expectNoAxeViolations(page, 'Fleet tab, broker form');

      // A wrong password: refused at once, in plain words, and the form stays for another try.
      await form.getByLabel('Broker address').fill(broker.url);
      await form.getByLabel('Fleet name').fill('shop');
      await form.getByLabel('User').fill(broker.user);
      await form.getByLabel('Password').fill('not-the-password-e2e');
      await form.getByRole('button', { name: 'Watch fleet' }).click();
      const alert = panel.getByTestId('fleet-error');
      await alert.waitFor({ timeout: 15_000 });
      const said = (await alert.textContent())!;
      expect(said).toMatch(
        /^The broker refused the user name or password\. The MQTT broker mqtt:\/\/127\.0\.0\.1:\d+ refused the login: /,
      );
      expect(said).toContain('Check the user name and password, then watch again.');
      expect(said).toContain('Error code: BROKER_AUTH');
      expect(said).not.toContain('not-the-password-e2e');
      expect(await form.getByLabel('Password').inputValue()).toBe('not-the-password-e2e'); // kept to correct
      await expectNoAxeViolations(page, 'Fleet tab, wrong password');

      // The right password: watching, nothing reported yet.
      await form.getByLabel('Password').fill(broker.password);
      await form.getByRole('button', { name: 'Watch fleet' }).click();
      await panel.getByTestId('fleet-connection').waitFor({ timeout: 15_000 });
      expect(await panel.getByTestId('fleet-connection').textContent()).toBe('Connected to the broker');
      expect(await alert.count()).toBe(0);
      await panel.getByText('No station has reported to this fleet yet.').waitFor();
      await expectNoAxeViolations(page, 'Fleet tab, watching an empty fleet');

      // Two stations in two processes flash four virtual boards each while the tab watches.
      const [a, b] = [station('bench-a', [1, 2, 3, 4]), station('bench-b', [5, 6, 7, 8])];
      const [ra, rb] = await Promise.all([a.done, b.done]);
      expect(ra.code, ra.stderr).toBe(0);
      expect(rb.code, rb.stderr).toBe(0);
      const local = ['bench-a', 'bench-b'].flatMap(
        (s) => parseReport(readFileSync(path.join(dir, `${s}.jsonl`), 'utf8')).records,
      );
      expect(local.map((r) => r.result)).toEqual(Array(8).fill('verified'));

      await expect
        .poll(() => panel.getByTestId('fleet-total-verified').textContent(), { timeout: 20_000 })
        .toBe('8');
      await expect
        .poll(() => stationCard('bench-b').getByTestId('station-state').textContent(), { timeout: 20_000 })
        .toBe('Offline — stopped');
      expect(await panel.locator('article[data-station]').count()).toBe(2);
      for (const name of ['bench-a', 'bench-b']) {
        expect(await stationCard(name).getByTestId('station-verified').textContent()).toBe('4');
        expect(await stationCard(name).getByTestId('station-state').textContent()).toBe('Offline — stopped');
      }
      expect(await panel.getByTestId('fleet-total-online').textContent()).toBe('0 of 2');
      const rows = panel.locator('tr[data-result=verified]');
      expect(await rows.count()).toBe(8);
      const shown = (await rows.allTextContents()).join('\n');
      for (const r of local) expect(shown).toContain(r.mac!);

      // Export CSV: the merged stream, a header and one row per board.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        panel.getByRole('button', { name: 'Export CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^fleet-shop-\d{8}-\d{6}\.csv$/);
      const csv = readFileSync((await download.path())!, 'utf8')
        .trimEnd()
        .split('\r\n');
      expect(csv[0]).toMatch(/^time,station,profile,port,/);
      expect(csv).toHaveLength(9);
      for (const r of local) expect(csv.filter((row) => row.includes(r.mac!))).toHaveLength(1);
      expect(csv.slice(1).filter((row) => row.includes(',bench-a,'))).toHaveLength(4);
      expect(csv.slice(1).filter((row) => row.includes(',bench-b,'))).toHaveLength(4);
      await panel.getByRole('status').filter({ hasText: 'Saved fleet-shop-' }).waitFor();
      expect(await panel.getByRole('status').textContent()).toMatch(/\(8 rows\)$/);
      await expectNoAxeViolations(page, 'Fleet tab, two stations and eight boards');
    }, 180_000);

    it("the GUI's own station joins the fleet: online while it runs, offline when it stops; a broker restart is shown", async () => {
      const panel = page.getByRole('tabpanel', { name: 'Fleet' });
      await host.service.firmwareCache.put(firmware);
      const saved = process.env.KILN_BROKER_PASSWORD;
      process.env.KILN_BROKER_PASSWORD = broker.password; // the station's broker password comes from its environment
      try {
        await host.service.station.start({
          profile: parseProfile({
            name: 'fleet line',
            baud: 921600,
            images: [{ sha256: sha256(firmware), offset: 0, name: 'fw.bin' }],
          }),
          auto: {},
          stationName: 'bench-c',
          fleet: { broker: broker.url, fleet: 'shop', user: broker.user },
        });
      } finally {
        if (saved === undefined) delete process.env.KILN_BROKER_PASSWORD;
        else process.env.KILN_BROKER_PASSWORD = saved;
      }
      await expect
        .poll(() => stationCard('bench-c').getByTestId('station-state').textContent(), { timeout: 20_000 })
        .toBe('Online — running');
      expect(await panel.getByTestId('fleet-total-online').textContent()).toBe('1 of 3');
      expect(await panel.getByTestId('fleet-total-verified').textContent()).toBe('8');
      await expectNoAxeViolations(page, 'Fleet tab, one station online');
      await page.screenshot({ path: path.join(screenshotDir, 'station-fleet.png') });

      await host.service.station.stop();
      await expect
        .poll(() => stationCard('bench-c').getByTestId('station-state').textContent(), { timeout: 20_000 })
        .toBe('Offline — stopped');
      expect(await panel.getByTestId('fleet-total-online').textContent()).toBe('0 of 3');
      await expectNoAxeViolations(page, 'Fleet tab, every station stopped');

      // The broker goes away: the tab says so and keeps what it saw; back, and it is connected again.
      const connection = panel.getByTestId('fleet-connection');
      await broker.stop();
      await expect
        .poll(() => connection.textContent(), { timeout: 20_000 })
        .toBe('Connection lost — reconnecting');
      expect(await panel.getByTestId('fleet-total-verified').textContent()).toBe('8');
      await expectNoAxeViolations(page, 'Fleet tab, connection lost');
      await broker.start();
      await expect.poll(() => connection.textContent(), { timeout: 20_000 }).toBe('Connected to the broker');
      expect(await panel.getByTestId('fleet-total-verified').textContent()).toBe('8');

      await panel.getByRole('button', { name: 'Stop watching' }).click();
      await panel.getByRole('form', { name: 'Fleet broker' }).waitFor();
      expect(pageErrors).toEqual([]);
    }, 120_000);
  },
);
