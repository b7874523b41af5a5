import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePortFilter, parseReport, portMatches, Station } from '../../src-main/station';
import { smallImage, VirtualBench } from './virtual-bench';

let bench: VirtualBench;
afterEach(() => bench?.cleanup());

describe('station: auto mode', () => {
  it('flashes each plugged-in board once, skips a MAC already done, ignores ports outside the filter', async () => {
    bench = new VirtualBench();
    const sha = bench.addFirmware(smallImage(7));
    const a = 'sim:esp8266?mac=18:fe:34:00:00:01';
    const b = 'sim:esp8266?mac=18:fe:34:00:00:02';
    const other = '/dev/ttyACM0';
    bench.board(a, { seed: 1, mac: '18:fe:34:00:00:01' });
    bench.board(b, { seed: 2, mac: '18:fe:34:00:00:02' });
    bench.board(other, { seed: 3 });
    const profile = bench.profile({ name: 'auto', images: [{ sha256: sha, offset: 0, name: 'fw.bin' }] });
    const station = await Station.open(bench.deps(), {
      profile,
      stationName: 's',
      reportFile: bench.reportFile,
      mode: { kind: 'auto', filter: parsePortFilter('sim:*') },
    });
    station.start();
    expect(station.snapshot().slots).toEqual([]);

    expect(station.plug({ path: a })).toBe(true);
    await station.whenIdle();
    expect(station.plug({ path: other })).toBe(false);
    expect(station.plug({ path: b })).toBe(true);
    await station.whenIdle();

    // The first board is unplugged and plugged in again: same MAC, already verified → skipped, not reflashed.
    station.unplug(a);
    expect(station.snapshot().slots.find((s) => s.port === a)?.present).toBe(false);
    expect(station.plug({ path: a })).toBe(true);
    await station.whenIdle();
    await station.stop();

    const { records } = parseReport(readFileSync(bench.reportFile, 'utf8'));
    expect(records.map((r) => [r.port, r.result, r.mac])).toEqual([
      [a, 'verified', '18:fe:34:00:00:01'],
      [b, 'verified', '18:fe:34:00:00:02'],
      [a, 'skipped', '18:fe:34:00:00:01'],
    ]);
    expect(records[2]!.skipReason).toBe('duplicate-mac');
    expect(records[2]!.bytesSent).toBe(0);
    expect(bench.opened).toEqual([a, b, a]);
    // Boards, not attempts: the replugged board's skip leaves it one verified board; the report keeps the skip.
    expect(station.snapshot().summary).toMatchObject({ boards: 2, verified: 2, skipped: 0, attempts: 3 });
  });

  it('a resumed run (same report file) skips boards the report already has as verified', async () => {
    bench = new VirtualBench();
    const sha = bench.addFirmware(smallImage(8));
    const a = 'sim:esp8266?seed=41';
    bench.board(a, { seed: 41 });
    const profile = bench.profile({ name: 'resume', images: [{ sha256: sha, offset: 0, name: 'fw.bin' }] });
    const first = await Station.open(bench.deps(), {
      profile,
      stationName: 's',
      reportFile: bench.reportFile,
      mode: { kind: 'ports', ports: [{ path: a }] },
    });
    first.start();
    await first.whenIdle();
    await first.stop();
    const second = await Station.open(bench.deps(), {
      profile,
      stationName: 's',
      reportFile: bench.reportFile,
      mode: { kind: 'ports', ports: [{ path: a }] },
    });
    second.start();
    await second.whenIdle();
    await second.stop();
    expect(parseReport(readFileSync(bench.reportFile, 'utf8')).records.map((r) => r.result)).toEqual([
      'verified',
      'skipped',
    ]);

    // With "reflash duplicates" on, the same board is written again.
    const again = bench.profile({
      name: 'resume',
      images: [{ sha256: sha, offset: 0, name: 'fw.bin' }],
      policy: { reflashDuplicates: true },
    });
    const third = await Station.open(bench.deps(), {
      profile: again,
      stationName: 's',
      reportFile: bench.reportFile,
      mode: { kind: 'ports', ports: [{ path: a }] },
    });
    third.start();
    await third.whenIdle();
    await third.stop();
    expect(parseReport(readFileSync(bench.reportFile, 'utf8')).records.map((r) => r.result)).toEqual([
      'verified',
      'skipped',
      'verified',
    ]);
  });

  it('matches filters by VID:PID (exact or any product) and by path pattern', () => {
    const f = parsePortFilter('10c4:ea60, 1a86:*, /dev/ttyUSB*');
    expect(portMatches(f, { path: '/dev/ttyACM3', usbId: '10c4:ea60' })).toBe(true);
    expect(portMatches(f, { path: '/dev/ttyACM3', usbId: '1a86:7523' })).toBe(true);
    expect(portMatches(f, { path: '/dev/ttyACM3', usbId: '0403:6001' })).toBe(false);
    expect(portMatches(f, { path: '/dev/ttyUSB7' })).toBe(true);
    expect(portMatches(parsePortFilter(''), { path: 'sim:esp32' })).toBe(true);
    expect(() => parsePortFilter('cp2102')).toThrow(/neither a USB VID:PID nor a port path/);
  });
});
