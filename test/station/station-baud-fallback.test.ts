/**
 * The station's baud fallback, as a single flash has it: a board whose cable corrupts bytes at 921600 fails its
 * first run with data errors, runs again at the next lower baud (460800 for an adapter Kiln does not know) and is
 * verified there — in one attempt of the slot, with the lower rate in its record and the image in its flash.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReport, Station } from '../../src-main/station';
import { smallImage, VirtualBench } from './virtual-bench';

let bench: VirtualBench;
afterEach(() => bench?.cleanup());

describe('station baud fallback', () => {
  it('data errors at 921600 make the slot retry at 460800, where the board verifies', async () => {
    bench = new VirtualBench();
    const image = smallImage(7, 48 * 1024, 'esp32c3');
    const sha = bench.addFirmware(image);
    const port = 'sim:esp32c3?seed=81';
    const board = bench.board(port, {
      chip: 'esp32c3',
      seed: 81,
      noisyAbove: { baud: 460800, noiseRate: 0.02 },
    });
    const profile = bench.profile({
      name: 'fallback',
      images: [{ sha256: sha, offset: 0x10000, name: 'app.bin' }],
    });
    expect(profile.baud).toBe(921600);

    const st = await Station.open(bench.deps(), {
      profile,
      stationName: 's',
      reportFile: bench.reportFile,
      mode: { kind: 'ports', ports: [{ path: port }] },
    });
    st.start();
    await st.whenIdle();
    await st.stop();

    const { records } = parseReport(readFileSync(bench.reportFile, 'utf8'));
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r.error).toBeUndefined();
    expect(r.result).toBe('verified');
    expect(r.attempt).toBe(1);
    expect(r.baud).toBe(460800);
    expect(r.retriedAtBaud).toBe(460800);
    // The port was opened twice: the run at 921600 that hit the data errors, then the one at 460800.
    expect(bench.opened).toEqual([port, port]);
    expect(board.flash.subarray(0x10000, 0x10000 + image.length).equals(image)).toBe(true);
  });

  it('the same board on a clean cable is verified at 921600 without a retry', async () => {
    bench = new VirtualBench();
    const sha = bench.addFirmware(smallImage(7, 48 * 1024, 'esp32c3'));
    const port = 'sim:esp32c3?seed=81';
    bench.board(port, { chip: 'esp32c3', seed: 81 });
    const st = await Station.open(bench.deps(), {
      profile: bench.profile({ name: 'clean', images: [{ sha256: sha, offset: 0x10000, name: 'app.bin' }] }),
      stationName: 's',
      reportFile: bench.reportFile,
      mode: { kind: 'ports', ports: [{ path: port }] },
    });
    st.start();
    await st.whenIdle();
    await st.stop();
    const [r] = parseReport(readFileSync(bench.reportFile, 'utf8')).records;
    expect(r).toMatchObject({ result: 'verified', baud: 921600 });
    expect(r!.retriedAtBaud).toBeUndefined();
    expect(bench.opened).toEqual([port]);
  });
});
