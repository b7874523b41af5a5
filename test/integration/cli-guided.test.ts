/**
 * `kiln flash --before manual` — the founding story through the CLI: a Sonoff with no auto-reset wiring, the
 * user's hands scripted in the `sim:` URL (seconds from the port opening), run in-process on the real engine and
 * simulator with a VirtualClock. A good board flashes in DOUT and verifies; swapped TX/RX ends in exit 7 with the
 * wiring diagnosis at high confidence, because the user's power cycle was the experiment.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/hosts/cli/exit-codes';
import { runInProcess, virtualCliService } from '../cli/helpers/cli-run';
import { firmwarePath } from '../helpers/shared';

const FIRMWARE = firmwarePath('esp8266_deepsleep.bin');

describe('kiln flash --before manual on a virtual Sonoff', () => {
  it('button held through a power cycle: exit 0, every region verified, DOUT on the chip, then booted', async () => {
    const r = await runInProcess(
      [
        'flash',
        '--port',
        'sim:esp8266?board=sonoff&wiring=dout&hands=hold@0.5,power@1,release@3,power@20',
        '--before',
        'manual',
        '--listen',
        '30',
        '--flash-mode',
        'dout',
        '--json',
        `${FIRMWARE}@0x0`,
      ],
      { createService: virtualCliService },
    );
    expect(r.code).toBe(EXIT.OK);
    expect(r.final.ok).toBe(true);
    const regions = r.final.regions as { verified: boolean; size: number }[];
    expect(regions.map((g) => g.verified)).toEqual([true]);
    expect(regions[0]!.size).toBe(readFileSync(FIRMWARE).length);
    const phases = r.lines.filter((l) => l.event === 'phase').map((l) => String(l.message ?? ''));
    expect(phases[phases.findIndex((m) => m.startsWith('Hold the button (GPIO0).'))]).toMatch(
      /keep holding\. \(listening at 74880 baud\)$/,
    );
    const heard = r.lines.filter((l) => l.event === 'log').map((l) => String(l.message));
    expect(heard.some((m) => /^Heard at 74880 baud: .*rst cause:1, boot mode:\(1,\d\)$/.test(m))).toBe(true);
    // Then the second power cycle (scripted at 20 s, while Kiln waits for it): the boot check hears the ROM
    // start the new firmware from flash.
    expect(phases).toContain(
      'Let go of the button (GPIO0), then unplug the board\u2019s power and plug it back in (or press RESET) so Kiln can watch it start. (listening at 74880 baud)',
    );
    expect(r.final.boot).toMatchObject({ verdict: 'booted', baud: 74880 });
    expect((r.final.boot as { evidence: string[] }).evidence[0]).toContain('boot mode:(3,6)');
  }, 30_000);

  it('swapped TX/RX: exit 7, "nothing reached the adapter" at high confidence, swap TX and RX first', async () => {
    const r = await runInProcess(
      [
        'flash',
        '--port',
        'sim:esp8266?board=sonoff&fault=swap-txrx&hands=hold@0.5,power@1,release@3',
        '--before',
        'manual',
        '--listen',
        '10',
        `${FIRMWARE}@0x0`,
      ],
      { createService: virtualCliService },
    );
    expect(r.code).toBe(EXIT.SYNC);
    expect(r.stderr).toContain('Hold the button (GPIO0).');
    expect(r.stderr).toContain('Nothing reached the adapter: a powered-up ESP always prints its banner');
    expect(r.stderr).toMatch(/high confidence/i);
    expect(r.stderr).toContain('Swap TX and RX');
    expect(r.stderr).not.toContain('Heard at');
  }, 30_000);

  it('--board sonoff-basic: the wiring card first, guided mode, DOUT and 1 MB written into the header', async () => {
    const port = 'sim:esp8266?board=sonoff&wiring=dout&hands=hold@0.5,power@1,release@3';
    const r = await runInProcess(
      ['flash', '--port', port, '--board', 'sonoff-basic', '--listen', '30', `${FIRMWARE}@0x0`],
      { createService: virtualCliService },
    );
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toContain('Wiring for Sonoff Basic');
    expect(r.stderr).toMatch(/adapter TX +\u2192 board RX/);
    expect(r.stderr).toContain('Use 3.3 V only');
    expect(r.stderr).toContain('Hold the button (GPIO0).');
    // What reached the chip: the image with DOUT (byte 2 = 3) and 1 MB (ESP8266 size code 2, high nibble of byte 3).
    const expected = Buffer.from(readFileSync(FIRMWARE));
    expected[2] = 3;
    expected[3] = (2 << 4) | (expected[3]! & 0x0f);
    const md5 = createHash('md5').update(expected).digest('hex');
    expect(r.stdout).toContain(`md5 ${md5}`);
    expect(r.stdout).toContain('verified');
  }, 30_000);

  it('--listen without --before manual is a usage error', async () => {
    const r = await runInProcess(['flash', '--port', 'sim:esp8266', '--listen', '5', FIRMWARE], {
      createService: virtualCliService,
    });
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toContain('--listen only applies with --before manual.');
  });
});
