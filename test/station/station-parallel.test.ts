import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReport, Station } from '../../src-main/station';
import { smallImage, VirtualBench } from './virtual-bench';

let bench: VirtualBench;
afterEach(() => bench?.cleanup());

describe('station: four boards in parallel', () => {
  it('flashes four simulated boards at once into a report of four verified records with distinct MACs', async () => {
    bench = new VirtualBench();
    const image = smallImage(3);
    const sha = bench.addFirmware(image);
    const ports = [
      'sim:esp8266?seed=11',
      'sim:esp8266?seed=12',
      'sim:esp8266?seed=13',
      'sim:esp8266?seed=14',
    ];
    ports.forEach((p, i) => bench.board(p, { seed: 11 + i }));
    const profile = bench.profile({
      name: 'sonoff-basic',
      images: [{ sha256: sha, offset: 0, name: 'app.bin' }],
    });
    // Boards between connecting and their result, at each event: 4 at once proves they ran in parallel.
    const busy = new Map<string, boolean>();
    let mostAtOnce = 0;
    const station = await Station.open(bench.deps(), {
      profile,
      stationName: 'bench-1',
      reportFile: bench.reportFile,
      mode: { kind: 'ports', ports: ports.map((path) => ({ path })) },
      onEvent: (e) => {
        if (e.kind !== 'slot') return;
        busy.set(e.slot.port, ['connecting', 'writing', 'verifying'].includes(e.slot.state));
        mostAtOnce = Math.max(mostAtOnce, [...busy.values()].filter(Boolean).length);
      },
    });
    station.start();
    await station.whenIdle();
    await station.stop();

    const { records, partialLine, invalidLines } = parseReport(readFileSync(bench.reportFile, 'utf8'));
    expect(partialLine).toBeUndefined();
    expect(invalidLines).toEqual([]);
    expect(records).toHaveLength(4);
    expect(records.map((r) => r.result)).toEqual(['verified', 'verified', 'verified', 'verified']);
    const macs = records.map((r) => r.mac);
    expect(new Set(macs).size).toBe(4);
    expect(new Set(records.map((r) => r.port))).toEqual(new Set(ports));
    for (const r of records) {
      const device = bench.boards.get(r.port)!;
      expect(r.mac).toBe(device.mac);
      expect(r.chip).toBe('esp8266');
      expect(r.station).toBe('bench-1');
      expect(r.firmware).toEqual([{ sha256: sha, name: 'app.bin', offset: 0 }]);
      expect(r.bytesSent).toBeGreaterThan(0);
      expect(r.flashSize).toBe(4 * 1024 * 1024);
      // What the board holds is the image (its header flash mode kept: 'keep').
      const padded = Buffer.concat([image, Buffer.alloc((4 - (image.length % 4)) % 4, 0xff)]);
      expect(Buffer.from(device.flash.subarray(0, padded.length)).equals(padded)).toBe(true);
    }
    expect(mostAtOnce).toBe(4);
    const snap = station.snapshot();
    expect(snap.summary).toMatchObject({ boards: 4, verified: 4, failed: 0, skipped: 0, attempts: 4 });
    expect(snap.slots.map((s) => s.state)).toEqual(['verified', 'verified', 'verified', 'verified']);
  });
});
