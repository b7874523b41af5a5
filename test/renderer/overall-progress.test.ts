import { JOB_PHASES } from '../../src-main/vocabulary';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  OverallProgress,
  type ByteSample,
  type RunEvent,
  type RunPlan,
} from '../../src-renderer/lib/overall-progress';
import type { JobPhase } from '../../src-renderer/api/types';

const KIB = 1024;
const PLAN: RunPlan = {
  regionSizes: [163 * KIB],
  baud: 460800,
  skipUnchanged: true,
  backup: false,
  bootCheck: true,
  chip: 'esp8266',
};

/** Feeds events one per 100 ms (unless given a time) and records every reading. */
function run(plan: RunPlan, events: (Omit<RunEvent, 'at'> & { at?: number })[]) {
  const p = new OverallProgress(plan);
  let t = 1000;
  const readings = events.map((e) => {
    t = e.at ?? t + 100;
    p.apply({ ...e, at: t } as RunEvent);
    return { at: t, ...p.read(t) };
  });
  return { p, readings, t };
}
const phase = (ph: JobPhase) => ({ kind: 'phase' as const, phase: ph });
const bytes = (ph: JobPhase, done: number, total: number, rate = 0, region = 0) => ({
  kind: 'progress' as const,
  sample: { phase: ph, bytesDone: done, bytesTotal: total, bytesPerSecond: rate, region },
});

describe('overall progress of a flash', () => {
  it('compare → write does not go back to 0 %, and the ETA covers verify and the boot check', () => {
    const size = 163 * KIB;
    const { readings } = run(PLAN, [
      phase('connecting'),
      phase('detecting'),
      phase('stub'),
      phase('planning'),
      bytes('planning', 0.22 * size, size, 400_000),
      bytes('planning', size, size, 400_000),
      bytes('writing', 0, size),
      bytes('writing', size / 2, size, 60_000),
    ]);
    const compared = readings[5]!;
    const writeStart = readings[6]!;
    const halfWritten = readings[7]!;
    // Without the clamp: the raw figure at the start of the write is already past the compare's.
    expect(writeStart.fraction).toBeGreaterThanOrEqual(compared.fraction);
    expect(halfWritten.fraction).toBeGreaterThan(compared.fraction);
    expect(halfWritten.fraction).toBeLessThan(0.9);
    // Half of 163 KiB at 60 000 B/s ≈ 1.4 s, plus verify (163 KiB at the compare's measured 400 000 B/s ≈ 0.4 s),
    // the restart (0.6 s) and the ESP8266's boot check (5 s): about 7.4 s in all, not the write's 1.4 s alone.
    const writeLeft = (size / 2 / 60_000) * 1000;
    expect(halfWritten.etaMs).toBeGreaterThan(writeLeft + 5000);
    expect(halfWritten.etaMs).toBeLessThan(writeLeft + 5000 + 600 + 2000);
  });

  it('the boot check advances with time but only "done" reaches 100 %', () => {
    const p = new OverallProgress(PLAN);
    p.apply({ kind: 'phase', phase: 'verifying', at: 0 });
    p.apply({ kind: 'phase', phase: 'boot-check', at: 1000 });
    const early = p.read(1500).fraction;
    const late = p.read(5000).fraction;
    const overdue = p.read(60_000).fraction;
    expect(late).toBeGreaterThan(early);
    expect(overdue).toBeGreaterThan(late);
    expect(overdue).toBeLessThan(1);
    p.apply({ kind: 'done', at: 60_001 });
    expect(p.read(60_001)).toMatchObject({ fraction: 1, etaMs: 0 });
  });

  it('a resumed write says how much was already on the board, and starts further along than a fresh one', () => {
    const size = 163 * KIB;
    const events = (toWrite: number) => [
      phase('connecting'),
      bytes('planning', size, size, 500_000),
      bytes('writing', 0, toWrite),
    ];
    const fresh = run(PLAN, events(size)).readings.at(-1)!;
    const resumed = run(PLAN, events(64 * KIB)).readings.at(-1)!;
    expect(fresh).toMatchObject({ resuming: false, bytesAlreadyThere: 0 });
    expect(resumed).toMatchObject({ resuming: true, bytesAlreadyThere: size - 64 * KIB });
    expect(resumed.fraction).toBeGreaterThan(fresh.fraction);
    expect(resumed.etaMs!).toBeLessThan(fresh.etaMs!);
  });

  it('a region already on the board is passed over: no write time is left for it', () => {
    const plan = { ...PLAN, regionSizes: [4 * KIB, 100 * KIB] };
    const { p, t } = run(plan, [
      bytes('planning', 4 * KIB, 4 * KIB, 500_000, 0),
      bytes('planning', 0, 100 * KIB, 500_000, 1),
    ]);
    const eta = p.read(t).etaMs!;
    // Region 1: compare 100 KiB (0.2 s) + write (100 KiB at 69 120 B/s ≈ 1.5 s) + verify both; region 0 no write.
    const withRegion0Write = eta + ((4 * KIB) / (46_080 * 1.5)) * 1000;
    expect(eta).toBeLessThan(withRegion0Write);
    expect(eta).toBeGreaterThan(1000);
  });

  it('a two-region flash alternating compare and write never goes backwards', () => {
    const plan = { ...PLAN, regionSizes: [32 * KIB, 600 * KIB], chip: 'esp32' };
    const { readings } = run(plan, [
      phase('connecting'),
      phase('detecting'),
      phase('stub'),
      phase('baud'),
      bytes('planning', 32 * KIB, 32 * KIB, 800_000, 0),
      bytes('writing', 0, 32 * KIB, 0, 0),
      bytes('writing', 32 * KIB, 32 * KIB, 90_000, 0),
      bytes('planning', 0, 600 * KIB, 0, 1),
      bytes('planning', 600 * KIB, 600 * KIB, 800_000, 1),
      bytes('writing', 100 * KIB, 600 * KIB, 90_000, 1),
      bytes('writing', 600 * KIB, 600 * KIB, 90_000, 1),
      bytes('verifying', 32 * KIB, 32 * KIB, 800_000, 0),
      bytes('verifying', 600 * KIB, 600 * KIB, 800_000, 1),
      phase('resetting'),
      phase('boot-check'),
      { kind: 'done' },
    ]);
    const fractions = readings.map((r) => r.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    // Writing region 1 moves the bar on (it is not held by the clamp).
    expect(fractions[10]!).toBeGreaterThan(fractions[9]!);
    expect(fractions[9]!).toBeGreaterThan(fractions[8]!);
  });

  it('a read job (no images) counts its read: the time left is the bytes left at the read rate', () => {
    const plan = { regionSizes: [], baud: 921600, skipUnchanged: false, backup: false, bootCheck: false };
    const { p, t } = run(plan, [phase('connecting'), bytes('reading', 1024 * KIB, 4096 * KIB, 80_000)]);
    const r = p.read(t);
    // 3 MiB left at 80 000 B/s ≈ 39.3 s, plus the restart.
    expect(r.etaMs!).toBeGreaterThan(39_000);
    expect(r.etaMs!).toBeLessThan(41_000);
  });

  it('property: for any sequence of events and times, the fraction never decreases and stays in 0…1', () => {
    const phases: readonly JobPhase[] = JOB_PHASES;
    const sample: fc.Arbitrary<ByteSample> = fc
      .record({
        phase: fc.constantFrom(...phases),
        bytesTotal: fc.integer({ min: 0, max: 4 * 1024 * 1024 }),
        part: fc.double({ min: 0, max: 1.2, noNaN: true }),
        bytesPerSecond: fc.integer({ min: 0, max: 2_000_000 }),
        region: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      })
      .map(({ part, ...s }) => ({ ...s, bytesDone: Math.round(s.bytesTotal * part) }));
    const event = fc.oneof(
      fc.record({ kind: fc.constant('phase' as const), phase: fc.constantFrom(...phases) }),
      fc.record({ kind: fc.constant('progress' as const), sample }),
      fc.record({ kind: fc.constant('done' as const) }),
    );
    const step = fc.record({
      event,
      dt: fc.integer({ min: 0, max: 30_000 }),
      readLater: fc.integer({ min: 0, max: 30_000 }),
    });
    const plan = fc.record({
      regionSizes: fc.array(fc.integer({ min: 0, max: 4 * 1024 * 1024 }), { minLength: 1, maxLength: 4 }),
      baud: fc.constantFrom(9600, 115200, 460800, 921600, 2000000),
      skipUnchanged: fc.boolean(),
      backup: fc.boolean(),
      bootCheck: fc.boolean(),
      chip: fc.option(fc.constantFrom('esp8266', 'esp32', 'esp32c3'), { nil: undefined }),
    });
    fc.assert(
      fc.property(plan, fc.array(step, { maxLength: 40 }), (pl, steps) => {
        const p = new OverallProgress(pl);
        let t = 0;
        let last = 0;
        for (const s of steps) {
          t += s.dt;
          p.apply({ ...s.event, at: t } as RunEvent);
          // A reading at the event and another later (the screen's clock ticks between events).
          for (const at of [t, t + s.readLater]) {
            const r = p.read(at);
            expect(r.fraction).toBeGreaterThanOrEqual(last);
            expect(r.fraction).toBeLessThanOrEqual(1);
            if (r.etaMs !== undefined) expect(r.etaMs).toBeGreaterThanOrEqual(0);
            last = r.fraction;
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
