/**
 * Browser e2e of the whole-flash backup and restore on the Flash screen: virtual board A (256 KB, its own content)
 * is backed up from "Back up or restore the whole flash"; a firmware file offered as a backup is refused in plain
 * words; A's backup is restored onto board B (another MAC, other content), and B's flash is then byte-equal to A's.
 * axe-core audits every state (light and dark). Screenshots backup-1…3 in `screenshotDir` (docs/screenshots/ with
 * KILN_UPDATE_SCREENSHOTS=1). Skipped where /usr/bin/chromium is missing.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { buildImage } from '../../src-main/esp/image';
import type { EventPayload } from '../../src-main/service/contract';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger } from '../../src-main/service/deps';
import type { KilnService } from '../../src-main/service/service';
import { pattern } from '../service/fakes';
import { expectNoAxeViolations } from './helpers/axe';
import {
  CHROMIUM,
  haveChromium,
  openBrowserHost,
  screenshotDir,
  type BrowserHost,
} from './helpers/browser-host';

const A = 'sim:esp8266?flash=256K&mac=18:fe:34:00:0a:0a';
const B = 'sim:esp8266?flash=256K&mac=18:fe:34:00:0b:0b';
const KB256 = 256 * 1024;

function appImage(seed: number): Buffer {
  return buildImage({
    chip: 'esp8266',
    entry: 0x40100004,
    segments: [{ address: 0x40100000, data: pattern(3000, seed) }],
    mode: 'dout',
    freq: '40m',
    size: '256KB',
  });
}

/** A firmware at 0x0 and data further in, written through the service (the GUI's own flash is not under test). */
async function giveContent(service: KilnService, port: string, seed: number): Promise<void> {
  const images = [];
  for (const [name, bytes, offset] of [
    [`app-${seed}.bin`, appImage(seed), 0],
    [`data-${seed}.bin`, pattern(0x8000, seed + 50), 0x20000],
  ] as const) {
    const { sha256 } = await service.call('inspectFirmware', { name, bytes });
    images.push({ sha256, name, offset });
  }
  const { jobId } = await service.call('startFlash', { port, images, options: { bootCheck: false } });
  const done = (await service.waitForJob(jobId)) as EventPayload<'jobDone'>;
  if (!done.ok) throw new Error(JSON.stringify(done.error));
}

if (!haveChromium) console.warn(`backup e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!haveChromium)('browser e2e: back up the whole flash, restore it onto another board', () => {
  let host: BrowserHost;
  let page: Page;

  beforeAll(async () => {
    host = await openBrowserHost({
      tmpPrefix: 'kiln-e2e-backup-',
      deps: defaultDeps({ logger: silentLogger }),
      viewport: { width: 1366, height: 768 },
    });
    page = host.page;
    await giveContent(host.service, A, 1);
    await giveContent(host.service, B, 2);
    await page.goto(host.server.url);
    mkdirSync(screenshotDir, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await host?.close();
  });

  /** The panel alone: it sits at the foot of the Flash screen, and what it says is the point of the picture. */
  const shot = (name: string) =>
    page.getByTestId('whole-flash').screenshot({ path: path.join(screenshotDir, `${name}.png`) });

  /** Waits for the outcome card; a failure card instead ends the test with its words. */
  async function finished(card: Locator): Promise<void> {
    const failure = page.getByTestId('whole-flash').getByTestId('failure');
    await card.or(failure).waitFor({ timeout: 120_000 });
    if (await failure.isVisible()) throw new Error(`failed: ${await failure.textContent()}`);
  }

  async function usePort(url: string): Promise<void> {
    const field = page.getByLabel('Port path or address');
    // "Other port…" is a disclosure that stays open once used.
    if (!(await field.isVisible())) await page.getByText('Other port…').click();
    await field.fill(url);
    await page.getByRole('button', { name: 'Use this port' }).click();
  }

  it('backs up A, refuses a firmware file, restores onto B: B holds exactly A', async () => {
    const a = Buffer.from(host.service.virtualDevice(A).readFlash(0, KB256));
    expect(Buffer.from(host.service.virtualDevice(B).readFlash(0, KB256)).equals(a)).toBe(false);

    await page.getByRole('tab', { name: 'Flash' }).waitFor();
    await usePort(A);
    const panel = page.getByTestId('whole-flash');
    await panel.getByText('Back up or restore the whole flash').click();
    await panel.getByRole('button', { name: 'Back up the whole flash' }).waitFor();
    await expectNoAxeViolations(page, 'whole-flash panel open');

    await panel.getByRole('button', { name: 'Back up the whole flash' }).click();
    const done = panel.getByTestId('backup-done');
    await finished(done);
    expect(await done.getByRole('heading').textContent()).toBe('The whole flash is backed up');
    const file = (await done.locator('dd.file').last().textContent())!.trim();
    expect(path.basename(file)).toMatch(/^18fe34000a0a-\d{8}-\d{6}-full\.bin$/);
    expect(readFileSync(file).equals(a)).toBe(true);
    const md5 = await done.getByTestId('backup-md5').textContent();
    expect(md5).toMatch(/^[0-9a-f]{32}$/);
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'The whole flash is backed up.' }).count())
      .toBe(1);
    await expectNoAxeViolations(page, 'whole-flash backup done');
    await shot('backup-1-done');

    // A firmware file is not a backup: refused before the board is touched, in words first.
    await usePort(B);
    const firmware = path.join(host.tmp, 'app.bin');
    writeFileSync(firmware, appImage(3));
    await panel.getByLabel('Restore a backup…').setInputFiles(firmware);
    await panel.getByTestId('restore-confirm').waitFor();
    await panel.getByRole('button', { name: 'Restore the whole flash' }).click();
    const failure = panel.getByTestId('failure');
    await failure.waitFor();
    expect(await failure.getByRole('heading').textContent()).toBe('The backup was not restored');
    expect(await failure.getByTestId('failure-message').textContent()).toMatch(
      /^app\.bin is \d+ bytes: a whole-flash backup is exactly the size of a flash chip/,
    );
    expect(await failure.getByTestId('error-code').textContent()).toBe('NOT_A_FULL_BACKUP');
    await expectNoAxeViolations(page, 'restore refused (not a whole flash)');
    await shot('backup-2-refused');

    await panel.getByLabel('Restore a backup…').setInputFiles(file);
    const confirm = panel.getByTestId('restore-confirm');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('256 KiB backup');
    await expectNoAxeViolations(page, 'restore confirmation');
    await panel.getByRole('button', { name: 'Restore the whole flash' }).click();
    const restored = panel.getByTestId('restore-done');
    await finished(restored);
    expect(await restored.getByRole('heading').textContent()).toBe('Restored and verified');
    expect(await restored.textContent()).toContain('18:fe:34:00:0b:0b');
    await expectNoAxeViolations(page, 'restore done');
    await shot('backup-3-restored');

    expect(Buffer.from(host.service.virtualDevice(B).readFlash(0, KB256)).equals(a)).toBe(true);
  }, 180_000);
});
