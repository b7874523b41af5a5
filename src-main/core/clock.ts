/**
 * Time behind a seam (as esp-serial-flasher puts timers behind its port): the engine, the simulator and
 * the line model only ever wait through a Clock. Real runs use `realClock`; in-process tests use
 * `VirtualClock`, which jumps straight to the next timer whenever nothing else is happening, so a
 * 115200-baud flash that would take a minute of wall time is modelled exactly and finishes in a second.
 */
import { cancelled } from './errors';

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolves after `ms`; rejects with CANCELLED when the signal fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Runs `ms` later unless cancelled; returns the cancel function. Used for timeouts that must not keep
   * a virtual clock from advancing while they are pending.
   */
  setTimer(ms: number, fn: () => void): () => void;
  /**
   * Marks asynchronous work that happens outside the clock (zlib in the thread pool, disk I/O) so a
   * virtual clock does not jump over it. The real clock just returns the promise.
   */
  track<T>(work: Promise<T>): Promise<T>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled());
      const t = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = () => {
        clearTimeout(t);
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
  track: (work) => work,
};

/**
 * Node fires a timer up to ~1.5 ms after it is due (setTimeout's 1 ms floor, loop granularity): harmless for a
 * timeout, but the simulator paces every frame with timers, so each request/reply would cost the chip 2–3 ms
 * that no real chip spends (measured on a pty: ~3 ms from a 14-byte READ_REG's arrival to the reply leaving,
 * against 0.3 ms of wire time at 921600). This clock wakes a little early and yields through `setImmediate`
 * (I/O keeps flowing) until the exact time, so the line model's times are kept to ~0.1 ms.
 */
const WAKE_EARLY_MS = 1.5;

interface PreciseTimer {
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * One queue for every precise timer, fired strictly in the order they are due (ties in the order they were set):
 * separate timers would let one that woke in the timers phase overtake an earlier one still waiting in the
 * immediate queue, and the simulator's line slices would reach the host out of order.
 */
class PreciseTimers {
  private queue: PreciseTimer[] = [];
  private seq = 0;
  private coarse: NodeJS.Timeout | undefined;
  private fine: NodeJS.Immediate | undefined;

  add(ms: number, fn: () => void): () => void {
    const t: PreciseTimer = { due: performance.now() + Math.max(0, ms), seq: this.seq++, fn };
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.due > t.due) i--;
    this.queue.splice(i, 0, t);
    if (i === 0) this.arm();
    return () => {
      const at = this.queue.indexOf(t);
      if (at < 0) return;
      this.queue.splice(at, 1);
      if (at === 0) this.arm();
    };
  }

  private arm(): void {
    clearTimeout(this.coarse);
    if (this.fine) clearImmediate(this.fine);
    this.coarse = this.fine = undefined;
    const first = this.queue[0];
    if (!first) return;
    const wait = first.due - performance.now() - WAKE_EARLY_MS;
    if (wait >= 1) this.coarse = setTimeout(this.run, wait);
    else this.fine = setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.coarse = this.fine = undefined;
    try {
      while (this.queue.length > 0 && this.queue[0]!.due <= performance.now()) this.queue.shift()!.fn();
    } finally {
      this.arm();
    }
  };
}

const preciseTimers = new PreciseTimers();
const preciseTimer = (ms: number, fn: () => void) => preciseTimers.add(ms, fn);

/** The real clock with timers kept on time (see WAKE_EARLY_MS): the simulator's clock on the real clock. */
export const preciseClock: Clock = {
  now: () => performance.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled());
      const cancel = preciseTimer(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = () => {
        cancel();
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
  setTimer: preciseTimer,
  track: (work) => work,
};

/** The clock a simulator should pace with: the precise one instead of the real one; a virtual clock as it is. */
export function simulatorClock(clock: Clock): Clock {
  return clock === realClock ? preciseClock : clock;
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A discrete-event clock. Time only moves when the process is idle: after several rounds of
 * `setImmediate` with no tracked work outstanding, it advances to the earliest timer and fires it.
 * Real I/O still works (it simply runs at "time zero cost"), so tracked promises are the only
 * thing that needs care.
 */
export class VirtualClock implements Clock {
  private current = 0;
  private seq = 0;
  private timers: Timer[] = [];
  private busy = 0;
  private pumping = false;
  private idleRounds = 0;

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled());
      const onAbort = () => {
        cancel();
        reject(cancelled());
      };
      const cancel = this.setTimer(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    this.pump();
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.busy++;
    const done = () => {
      this.busy--;
      this.idleRounds = 0;
      this.pump();
    };
    work.then(done, done);
    return work;
  }

  /** Pending timers, for diagnostics. */
  get pending(): number {
    return this.timers.length;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    this.idleRounds = 0;
    setImmediate(() => this.step());
  }

  private step(): void {
    if (this.timers.length === 0) {
      this.pumping = false;
      return;
    }
    if (this.busy > 0) {
      // Outside work in flight: poll again shortly without advancing time.
      setTimeout(() => this.step(), 1);
      return;
    }
    // Let promise chains and same-tick I/O settle for a few rounds before declaring the process idle.
    if (this.idleRounds < 3) {
      this.idleRounds++;
      setImmediate(() => this.step());
      return;
    }
    this.idleRounds = 0;
    let next = this.timers[0]!;
    for (const t of this.timers) if (t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
    this.timers.splice(this.timers.indexOf(next), 1);
    if (next.at > this.current) this.current = next.at;
    next.fn();
    setImmediate(() => this.step());
  }
}
