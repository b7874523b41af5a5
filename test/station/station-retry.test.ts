import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReport, Station } from '../../src-main/station';
import { smallImage, VirtualBench } from './virtual-bench';

let bench: VirtualBench;
afterEach(() => bench?.cleanup());

function setup(faulty: Record<number, object>, policy?: { stopAfterConsecutiveFailures?: number }) {
  bench = new VirtualBench();
  const sha = bench.addFirmware(smallImage(5));
  const ports = [1, 2, 3, 4].map((i) => `sim:esp8266?seed=${20 + i}`);
  ports.forEach((p, i) => bench.board(p, { seed: 20 + i + 1, faults: faulty[i] ?? {} }));
  const profile = bench.profile({
    name: 'retry',
    images: [{ sha256: sha, offset: 0, name: 'fw.bin' }],
    ...(policy ? { policy } : {}),
  });
  return { ports, profile };
}

describe('station: failures, retry, halt', () => {
  it('one board with TX/RX swapped fails with its diagnosis while three complete; retry completes it once fixed', async () => {
    const { ports, profile } = setup({ 1: { swapTxRx: true } });
    const station = await Station.open(bench.deps(), {
      profile,
      stationName: 's',
      reportFile: bench.reportFile,
      mode: { kind: 'ports', ports: ports.map((path) => ({ path })) },
    });
    station.start();
    await station.whenIdle();

    let { records } = parseReport(readFileSync(bench.reportFile, 'utf8'));
    expect(records).toHaveLength(4);
    const failed = records.filter((r) => r.result === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.port).toBe(ports[1]);
    expect(failed[0]!.error?.code).toBe('SYNC_FAILED');
    // Silence on the line: the doctor reads it as a wiring/power problem.
    expect(failed[0]!.diagnosis?.code).toBe('NO_RESPONSE_WIRING');
    expect(
      records
        .filter((r) => r.result === 'verified')
        .map((r) => r.port)
        .sort(),
    ).toEqual([ports[0], ports[2], ports[3]].sort());
    const slot = station.snapshot().slots.find((s) => s.port === ports[1])!;
    expect(slot.state).toBe('failed');
    expect(slot.diagnosis?.code).toBe('NO_RESPONSE_WIRING');

    // The technician re-seats the wires; retry runs only the failed slot.
    bench.boards.get(ports[1]!)!.setFaults({});
    const before = bench.opened.length;
    expect(station.retryFailed()).toBe(1);
    await station.whenIdle();
    await station.stop();
    expect(bench.opened.slice(before)).toEqual([ports[1]]);

    ({ records } = parseReport(readFileSync(bench.reportFile, 'utf8')));
    expect(records).toHaveLength(5);
    expect(records[4]).toMatchObject({ port: ports[1], result: 'verified', attempt: 2 });
    expect(records[4]!.mac).toBe(bench.boards.get(ports[1]!)!.mac);
    // Boards, not attempts: the retried board is one verified board; the report keeps its failed attempt.
    expect(station.snapshot().summary).toMatchObject({ boards: 4, verified: 4, failed: 0, attempts: 5 });
  });

  it('halts after N consecutive failures: waiting boards do not start until "retry failed" resumes the station', async () => {
    const dead = { unpowered: true };
    const { ports, profile } = setup(
      { 0: dead, 1: dead, 2: dead, 3: dead },
      { stopAfterConsecutiveFailures: 2 },
    );
    const station = await Station.open(bench.deps(), {
      profile,
      stationName: 's',
      reportFile: bench.reportFile,
      concurrency: 1,
      mode: { kind: 'ports', ports: ports.map((path) => ({ path })) },
    });
    station.start();
    await station.whenIdle();
    const snap = station.snapshot();
    expect(snap.status).toBe('halted');
    expect(snap.consecutiveFailures).toBe(2);
    expect(bench.opened).toEqual([ports[0], ports[1]]);
    expect(snap.slots.map((s) => s.state)).toEqual(['failed', 'failed', 'waiting', 'waiting']);
    expect(parseReport(readFileSync(bench.reportFile, 'utf8')).records.map((r) => r.error?.code)).toEqual([
      'SYNC_FAILED',
      'SYNC_FAILED',
    ]);

    // Power fixed on all boards; retry lifts the halt, re-runs the two failed slots and starts the two left waiting.
    for (const d of bench.boards.values()) d.setFaults({});
    expect(station.retryFailed()).toBe(4);
    await station.whenIdle();
    await station.stop();
    expect(station.snapshot().status).toBe('stopped');
    const records = parseReport(readFileSync(bench.reportFile, 'utf8')).records;
    expect(records.slice(2).map((r) => [r.port, r.result, r.attempt])).toEqual([
      [ports[0], 'verified', 2],
      [ports[1], 'verified', 2],
      [ports[2], 'verified', 1],
      [ports[3], 'verified', 1],
    ]);
  });
});
