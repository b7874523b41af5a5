/**
 * The station's strict boot check with the shared classifier: a DIO image on a board whose flash only answers DOUT
 * is written and verified, then fails BOOT_CHECK_FAILED with the flash-mode advice in the record; the same profile
 * with flash mode DOUT verifies and boots.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReport, Station } from '../../src-main/station';
import { smallImage, VirtualBench } from './virtual-bench';

let bench: VirtualBench;
afterEach(() => bench?.cleanup());

describe('station boot check and flash mode', () => {
  it('DIO image on a DOUT-only board fails the boot check with "try DOUT"; with flash mode DOUT it boots', async () => {
    bench = new VirtualBench();
    const fw = bench.addFirmware(smallImage(5)); // header asks for DIO
    bench.board('sim:esp8266?wiring=dout', { seed: 81, flashWiring: 'dout' });
    for (const flashMode of ['keep', 'dout'] as const) {
      const profile = bench.profile({
        name: `sonoff-${flashMode}`,
        images: [{ sha256: fw, name: 'fw.bin', offset: 0 }],
        bootCheck: true,
        options: { flashMode },
      });
      const st = await Station.open(bench.deps(), {
        profile,
        stationName: 's',
        reportFile: bench.reportFile,
        mode: { kind: 'ports', ports: [{ path: 'sim:esp8266?wiring=dout' }] },
      });
      st.start();
      await st.whenIdle();
      await st.stop();
    }
    const { records } = parseReport(readFileSync(bench.reportFile, 'utf8'));
    expect(records).toHaveLength(2);
    const [dio, dout] = records;
    expect(dio!.result).toBe('failed');
    expect(dio!.error?.code).toBe('BOOT_CHECK_FAILED');
    expect(dio!.error?.hint).toBe('Try the profile with flash mode DOUT; then check the supply.');
    expect(dio!.bootCheck).toMatchObject({ verdict: 'boot-loop', baud: 74880, retryFlashModes: ['dout'] });
    expect(dio!.bootCheck!.evidence).toContain('"csum err" at 74880 baud');
    expect(dio!.bytesSent).toBeGreaterThan(0);

    expect(dout!.result).toBe('verified');
    expect(dout!.bootCheck?.verdict).toBe('booted');
    expect(dout!.bootCheck?.retryFlashModes).toBeUndefined();
  });
});
