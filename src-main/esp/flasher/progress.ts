/**
 * Progress as the device acknowledges it: bytes done, total, and a smoothed rate measured on the session's
 * Clock (so a virtual-clock run reports modelled, not wall-clock, speed).
 */
import type { Clock } from '../../core/clock';
import type { EngineHooks, Phase } from '../api';

const SMOOTHING = 0.3;

export class ProgressMeter {
  private readonly start: number;
  private lastAt: number;
  private lastDone = 0;
  private rate = 0;
  done = 0;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: EngineHooks,
    readonly phase: Phase,
    readonly total: number,
    private readonly region?: number,
  ) {
    this.start = clock.now();
    this.lastAt = this.start;
  }

  /** Reports `done` bytes so far (monotonic). */
  update(done: number): void {
    this.done = Math.min(Math.max(done, this.done), this.total);
    const now = this.clock.now();
    const dt = (now - this.lastAt) / 1000;
    if (dt > 0) {
      const instant = (this.done - this.lastDone) / dt;
      this.rate = this.rate === 0 ? instant : this.rate + SMOOTHING * (instant - this.rate);
      this.lastAt = now;
      this.lastDone = this.done;
    }
    this.hooks.onProgress?.({
      phase: this.phase,
      bytesDone: this.done,
      bytesTotal: this.total,
      bytesPerSecond: Math.round(this.rate),
      ...(this.region === undefined ? {} : { region: this.region }),
    });
  }

  add(bytes: number): void {
    this.update(this.done + bytes);
  }

  /** Average rate since the meter started, bytes/s. */
  get averageRate(): number {
    const s = (this.clock.now() - this.start) / 1000;
    return s > 0 ? this.done / s : 0;
  }
}
