import { describe, expect, it } from 'vitest';
import { VirtualClock, preciseClock, realClock, simulatorClock } from '../../src-main/core/clock';
import { isKilnError } from '../../src-main/core/errors';

describe('VirtualClock', () => {
  it('fires timers in time order and advances now() to each', async () => {
    const clock = new VirtualClock();
    const seen: [string, number][] = [];
    const a = clock.sleep(300).then(() => seen.push(['a', clock.now()]));
    const b = clock.sleep(100).then(() => seen.push(['b', clock.now()]));
    const c = clock.sleep(200).then(() => seen.push(['c', clock.now()]));
    await Promise.all([a, b, c]);
    expect(seen).toEqual([
      ['b', 100],
      ['c', 200],
      ['a', 300],
    ]);
  });

  it('models an hour of waiting in far less wall time', async () => {
    const clock = new VirtualClock();
    const wall = Date.now();
    for (let i = 0; i < 60; i++) await clock.sleep(60_000);
    expect(clock.now()).toBe(3_600_000);
    expect(Date.now() - wall).toBeLessThan(60_000); // sanity bound only: a real hour would be 3.6e6 ms
  });

  it('does not jump over tracked outside work', async () => {
    const clock = new VirtualClock();
    let timedOut = false;
    const cancel = clock.setTimer(1000, () => (timedOut = true));
    // Real I/O-like work that takes real milliseconds but must count as no virtual time.
    await clock.track(new Promise((r) => setTimeout(r, 30)));
    expect(timedOut).toBe(false);
    expect(clock.now()).toBe(0);
    cancel();
  });

  it('rejects a sleep with CANCELLED when aborted, and the timer no longer fires', async () => {
    const clock = new VirtualClock();
    const ac = new AbortController();
    const p = clock.sleep(5000, ac.signal);
    ac.abort();
    const err = await p.catch((e) => e);
    expect(isKilnError(err, 'CANCELLED')).toBe(true);
    expect(clock.pending).toBe(0);
  });
});

describe('realClock', () => {
  it('rejects an already-aborted sleep at once', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await realClock.sleep(10_000, ac.signal).catch((e) => e);
    expect(isKilnError(err, 'CANCELLED')).toBe(true);
  });
});

describe('preciseClock (the simulator on the real clock)', () => {
  it('never fires a timer before it is due, for sub-millisecond and longer delays', async () => {
    const fired: { id: number; due: number; at: number }[] = [];
    const plan = [3.2, 0.2, 1.7, 12];
    await new Promise<void>((resolve) => {
      for (const [id, ms] of plan.entries()) {
        const due = performance.now() + ms;
        preciseClock.setTimer(ms, () => {
          fired.push({ id, due, at: performance.now() });
          if (fired.length === plan.length) resolve();
        });
      }
    });
    // Their order is the next test's: here the timers are set out of order, so a busy host may shift their dues.
    for (const f of fired) expect(f.at).toBeGreaterThanOrEqual(f.due);
    expect(fired.map((f) => f.id).sort()).toEqual([0, 1, 2, 3]);
  });

  it('keeps due order when the event loop was held up past several of them (line slices stay in order)', async () => {
    const fired: number[] = [];
    await new Promise<void>((resolve) => {
      const n = 12;
      // As the line model schedules one reply: slices 2.78 ms apart, all set at once.
      for (let i = 0; i < n; i++)
        preciseClock.setTimer(2.78 * (i + 1), () => {
          fired.push(i);
          if (fired.length === n) resolve();
        });
      // A busy process just before the first slice falls due (the first already waits in the immediate queue):
      // several more fall due meanwhile, and their timers come round before that queue does.
      setTimeout(
        () =>
          setImmediate(() => {
            const until = performance.now() + 20;
            while (performance.now() < until);
          }),
        2,
      );
    });
    expect(fired).toEqual([...Array(12).keys()]);
  });

  it('a cancelled timer does not fire; an aborted sleep rejects with CANCELLED', async () => {
    let ran = false;
    const cancel = preciseClock.setTimer(0.5, () => (ran = true));
    cancel();
    await preciseClock.sleep(5);
    expect(ran).toBe(false);
    const ac = new AbortController();
    const pending = preciseClock.sleep(10_000, ac.signal).catch((e) => e);
    ac.abort();
    expect(isKilnError(await pending, 'CANCELLED')).toBe(true);
  });

  it('is what a simulator gets instead of the real clock; a virtual clock stays itself', () => {
    const virtual = new VirtualClock();
    expect(simulatorClock(realClock)).toBe(preciseClock);
    expect(simulatorClock(virtual)).toBe(virtual);
  });
});
