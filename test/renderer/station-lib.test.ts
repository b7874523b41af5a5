import { describe, expect, it } from 'vitest';
import { countBoards, type CountedRecord } from '../../src-main/vocabulary';
import { RESEAT_STEP, stationFailureSteps } from '../../src-renderer/lib/station-advice';

const T0 = Date.parse('2026-12-06T10:00:00.000Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
const rec = (
  port: string,
  result: CountedRecord['result'],
  startS: number,
  mac?: string,
  durationS = 10,
): CountedRecord => ({
  port,
  result,
  time: at(startS),
  durationMs: durationS * 1000,
  ...(mac ? { mac } : {}),
});

describe('countBoards', () => {
  it('retry case: four boards, one failed then verified → 4 verified · 0 failed (5 attempts)', () => {
    const records = [
      rec('/dev/ttyUSB0', 'verified', 0, '18:fe:34:00:00:01'),
      rec('/dev/ttyUSB1', 'verified', 0, '18:fe:34:00:00:02'),
      rec('/dev/ttyUSB2', 'failed', 0, '18:fe:34:00:00:03'),
      rec('/dev/ttyUSB3', 'verified', 0, '18:fe:34:00:00:04'),
      rec('/dev/ttyUSB2', 'verified', 20, '18:FE:34:00:00:03'),
    ];
    const c = countBoards(records);
    expect(c).toMatchObject({ boards: 4, verified: 4, failed: 0, skipped: 0, attempts: 5 });
    // 4 boards over 30 s (first start to last end) = 480 per hour.
    expect(c.elapsedMs).toBe(30_000);
    expect(c.perHour).toBe(480);
  });

  it('a board failing twice is one failed board; the latest attempt decides, also when it turns bad', () => {
    const c = countBoards([
      rec('a', 'failed', 0, '18:fe:34:00:00:01'),
      rec('a', 'failed', 15, '18:fe:34:00:00:01'),
      rec('b', 'verified', 0, '18:fe:34:00:00:02'),
      rec('b', 'failed', 30, '18:fe:34:00:00:02'),
    ]);
    expect(c).toMatchObject({ boards: 2, verified: 0, failed: 2, attempts: 4 });
  });

  it('a failure before the MAC was read is the board on that port: a later attempt there with a MAC takes it over', () => {
    const c = countBoards([
      rec('sim:esp8266?seed=3', 'failed', 0),
      rec('sim:esp8266?seed=4', 'failed', 0),
      rec('sim:esp8266?seed=3', 'verified', 12, '18:fe:34:00:00:03'),
    ]);
    expect(c).toMatchObject({ boards: 2, verified: 1, failed: 1 });
  });

  it('a duplicate-MAC skip leaves a verified board verified; a board only ever skipped counts as skipped', () => {
    const c = countBoards([
      rec('a', 'verified', 0, '18:fe:34:00:00:01'),
      rec('a', 'skipped', 20, '18:fe:34:00:00:01', 1),
      rec('b', 'skipped', 20, '18:fe:34:00:00:02', 1),
    ]);
    expect(c).toMatchObject({ boards: 2, verified: 1, failed: 0, skipped: 1 });
  });

  it('while running the rate runs to now, so an idle bench lowers it', () => {
    const records = [
      rec('a', 'verified', 0, '18:fe:34:00:00:01', 30),
      rec('b', 'verified', 0, '18:fe:34:00:00:02', 30),
    ];
    expect(countBoards(records).perHour).toBe(240); // 2 boards in 30 s
    const later = countBoards(records, T0 + 3_600_000);
    expect(later.elapsedMs).toBe(3_600_000);
    expect(later.perHour).toBe(2);
  });

  it('no records: nothing counted, no rate', () => {
    expect(countBoards([], T0)).toEqual({
      boards: 0,
      verified: 0,
      failed: 0,
      skipped: 0,
      attempts: 0,
      elapsedMs: 0,
      perHour: 0,
    });
  });
});

describe('stationFailureSteps', () => {
  const loopback = 'Test the adapter alone: unplug it from the board, connect its TX to its RX…';
  it('a board that did not answer: reseat first, then the diagnosis steps in their order', () => {
    expect(
      stationFailureSteps({
        error: { code: 'SYNC_FAILED', message: 'The board did not answer.' },
        diagnosis: { steps: [loopback, 'Swap TX and RX.'] },
      }),
    ).toEqual([RESEAT_STEP, loopback, 'Swap TX and RX.']);
  });

  it('without a diagnosis the hint follows the reseat step', () => {
    expect(
      stationFailureSteps({ error: { code: 'DEVICE_LOST', message: 'Gone.', hint: 'Check the cable.' } }),
    ).toEqual([RESEAT_STEP, 'Check the cable.']);
  });

  it('failures a contact cannot cause keep their own steps', () => {
    expect(
      stationFailureSteps({
        error: { code: 'BOOT_CHECK_FAILED', message: 'Written and verified, but…', hint: 'Try DOUT.' },
      }),
    ).toEqual(['Try DOUT.']);
    expect(stationFailureSteps({ error: { code: 'IMAGE_TOO_LARGE', message: 'Too big.' } })).toEqual([]);
  });
});
