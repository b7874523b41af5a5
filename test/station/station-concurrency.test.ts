/**
 * The station's concurrency limit: with a limit of 2 and four boards, never more than two boards hold a port or
 * show a working state at once, the limit is actually used (two at once, not one after another), and every board
 * is still flashed and recorded. The same limit through the service (`stationStart { concurrency }`), with its range.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { KilnService } from '../../src-main/service/service';
import { parseReport, Station, type StationSnapshot } from '../../src-main/station';
import { tempDir } from '../service/fakes';
import { virtualClockService } from '../service/helpers/sim-service';
import { smallImage, VirtualBench } from './virtual-bench';

const IDLE_STATES = ['waiting', 'verified', 'failed', 'skipped', 'cancelled'];

let bench: VirtualBench | undefined;
let service: KilnService | undefined;
let dir: string | undefined;
afterEach(async () => {
  bench?.cleanup();
  await service?.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
  bench = service = dir = undefined;
});

/** Tracks how many slots are working (connecting … boot check) at each snapshot, and the most at once. */
function workingCounter() {
  const working = new Map<string, boolean>();
  let most = 0;
  return {
    see(port: string, state: string) {
      working.set(port, !IDLE_STATES.includes(state));
      most = Math.max(most, [...working.values()].filter(Boolean).length);
    },
    get most() {
      return most;
    },
  };
}

describe('station: concurrency limit', () => {
  it('with concurrency 2 and four boards, never more than two flash at once, and all four are verified', async () => {
    const b = (bench = new VirtualBench());
    const sha = b.addFirmware(smallImage(7));
    const ports = [21, 22, 23, 24].map((seed) => `sim:esp8266?seed=${seed}`);
    ports.forEach((p, i) => b.board(p, { seed: 21 + i }));
    // Ports held open at once, counted at the transport (independent of the slot states the station reports).
    let open = 0;
    let mostOpen = 0;
    const deps = b.deps();
    const openPort = deps.openPort;
    deps.openPort = async (port) => {
      const t = await openPort(port);
      mostOpen = Math.max(mostOpen, ++open);
      const close = t.close.bind(t);
      let closed = false;
      t.close = async () => {
        if (!closed) open--;
        closed = true;
        await close();
      };
      return t;
    };
    const slots = workingCounter();
    const station = await Station.open(deps, {
      profile: b.profile({ name: 'two-at-a-time', images: [{ sha256: sha, offset: 0, name: 'app.bin' }] }),
      stationName: 'bench',
      reportFile: b.reportFile,
      mode: { kind: 'ports', ports: ports.map((path) => ({ path })) },
      concurrency: 2,
      onEvent: (e) => {
        if (e.kind === 'slot') slots.see(e.slot.port, e.slot.state);
      },
    });
    station.start();
    // Right after the start: two boards took their places, two wait.
    expect(
      station
        .snapshot()
        .slots.filter((s) => s.state === 'waiting')
        .map((s) => s.port),
    ).toEqual(ports.slice(2));
    await station.whenIdle();
    await station.stop();

    expect(slots.most).toBe(2);
    expect(mostOpen).toBe(2);
    expect(open).toBe(0);
    expect(b.opened).toEqual(ports);
    const { records } = parseReport(readFileSync(b.reportFile, 'utf8'));
    expect(records.map((r) => [r.port, r.result])).toEqual(ports.map((p) => [p, 'verified']));
  });
});

describe('stationStart { concurrency } through the service', () => {
  it('passes the limit to the station (at most two of four at once) and refuses 0 and 17', async () => {
    dir = tempDir('kiln-station-concurrency-');
    service = virtualClockService(dir);
    const slots = workingCounter();
    let done = 0;
    service.subscribe((event, payload) => {
      if (event === 'stationUpdate')
        for (const s of (payload as StationSnapshot).slots) slots.see(s.port, s.state);
      if (event === 'stationRecord') done++;
    });
    const { sha256 } = await service.call('inspectFirmware', { name: 'fw.bin', bytes: smallImage(8) });
    await service.call('stationSaveProfile', {
      profile: { name: 'pairs', baud: 921600, images: [{ sha256, offset: 0, name: 'fw.bin' }] },
    });
    const ports = [31, 32, 33, 34].map((seed) => `sim:esp8266?seed=${seed}`);
    for (const concurrency of [0, 17, 1.5]) {
      await expect(
        service.call('stationStart', { profile: 'pairs', ports, concurrency }),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    const started = await service.call('stationStart', { profile: 'pairs', ports, concurrency: 2 });
    expect(started.slots.filter((s) => s.state === 'waiting').map((s) => s.port)).toEqual(ports.slice(2));
    await service.station.whenIdle();
    expect(done).toBe(4);
    expect(slots.most).toBe(2);
    const report = await service.call('stationReport', {});
    expect(report.summary).toMatchObject({ verified: 4, failed: 0 });
  });
});
