/**
 * One overall progress for a whole flash: connect, (backup), compare, write, verify, restart and boot check as one
 * bar that only moves forward, with one time-left figure for all of it.
 *
 * How: the time left is the sum of what every remaining stage still needs — bytes left at the rate the board
 * reports for that stage (or an estimate from the baud before it has one), or a fixed allowance for the stages
 * without bytes. The bar is `elapsed / (elapsed + time left)`, so the bar and the time left always agree, and a
 * stage that turns out shorter (blocks already on the board, a faster link) moves the bar forward in a jump. When
 * an estimate turns out too short the raw figure could dip; the bar then holds still until the run catches up
 * (`read` never returns less than it returned before).
 *
 * Pure (times come in with the events), so it is tested with arbitrary event sequences.
 */
import type { JobPhase } from '../api/types';
import { JOB_PHASES } from '../../src-main/vocabulary';

/** What is known when the flash starts. */
export interface RunPlan {
  /** Image sizes in flash order (the engine's region index). */
  regionSizes: number[];
  baud: number;
  /** Blocks already on the board are compared first and skipped ("Skip what the board already holds"). */
  skipUnchanged: boolean;
  /** The original firmware is read before writing. */
  backup: boolean;
  /** A boot check is expected after the restart. */
  bootCheck: boolean;
  /** When known (after Identify): the ESP8266's boot check listens at two bauds, so it takes longer. */
  chip?: string | undefined;
}

/** A `jobProgress` event's figures. */
export interface ByteSample {
  phase: JobPhase;
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  region?: number | undefined;
}

export type RunEvent =
  | { kind: 'phase'; phase: JobPhase; at: number }
  | { kind: 'progress'; sample: ByteSample; at: number }
  | { kind: 'done'; at: number };

export interface OverallReading {
  /** 0…1, never less than any earlier reading. */
  fraction: number;
  /** Time left for the whole run, ms; undefined before the run has begun. */
  etaMs: number | undefined;
  /** The write continues a flash cut short: part of the firmware is already on the board and is not sent again. */
  resuming: boolean;
  /** Bytes of the firmware already on the board and skipped (when resuming). */
  bytesAlreadyThere: number;
}

/** Allowances for the stages without byte counts (ms). [guess] from the virtual and real boards' logs. */
export const CONNECT_MS = 2500;
export const RESET_MS = 600;
/** The boot check listens to the ROM (3.5 s at 74880 on an ESP8266) and then the app (1.5 s): see boot-listen.ts. */
export const BOOT_CHECK_MS = { esp8266: 5000, other: 3000 } as const;
/** Flash MD5 on the board (compare, verify) before the board reports its own rate, bytes/s. [guess] */
export const MD5_BYTES_PER_SECOND = 1_000_000;
/** Compressed firmware goes over the wire about this much faster than its size suggests. [guess] */
const COMPRESSION_GAIN = 1.5;

const CONNECT_STEPS: Partial<Record<JobPhase, number>> = {
  connecting: 0,
  detecting: 0.4,
  stub: 0.6,
  baud: 0.85,
};
const ORDER: readonly JobPhase[] = JOB_PHASES;

/** One byte-counted piece of work (a region's compare, write or verify; one backup read). */
interface Meter {
  done: number;
  total: number;
}

export class OverallProgress {
  readonly #plan: RunPlan;
  readonly #imageBytes: number;
  #startedAt: number | undefined;
  #phase: JobPhase | undefined;
  #phaseAt = 0;
  /** Furthest phase reached, by ORDER (the engine alternates compare and write per region; stages do not). */
  #furthest = -1;
  #finished = false;
  #rates: Partial<Record<JobPhase, number>> = {};
  #compare = new Map<number, Meter>();
  #write = new Map<number, Meter>();
  #verify = new Map<number, Meter>();
  #backup: Meter[] = [];
  /** A read job's (whole-flash backup) reads: their size comes with the first event. */
  #reads: Meter[] = [];
  #shown = 0;

  constructor(plan: RunPlan) {
    this.#plan = plan;
    this.#imageBytes = plan.regionSizes.reduce((n, s) => n + Math.max(0, s), 0);
  }

  apply(e: RunEvent): void {
    this.#startedAt ??= e.at;
    if (e.kind === 'done') {
      this.#finished = true;
      return;
    }
    const phase = e.kind === 'phase' ? e.phase : e.sample.phase;
    if (phase !== this.#phase) {
      this.#phase = phase;
      this.#phaseAt = e.at;
      this.#furthest = Math.max(this.#furthest, ORDER.indexOf(phase));
    }
    if (e.kind === 'progress') this.#sample(e.sample);
  }

  /** The reading at `now` (the boot check and the connect advance with time, not bytes). */
  read(now: number): OverallReading {
    const resumed = this.#resumedBytes();
    if (this.#finished) {
      this.#shown = 1;
      return { fraction: 1, etaMs: 0, resuming: resumed > 0, bytesAlreadyThere: resumed };
    }
    if (this.#startedAt === undefined) {
      return { fraction: this.#shown, etaMs: undefined, resuming: false, bytesAlreadyThere: 0 };
    }
    const eta = this.#timeLeft(now);
    const elapsed = Math.max(0, now - this.#startedAt);
    const raw = elapsed + eta > 0 ? elapsed / (elapsed + eta) : 0;
    // Only "done" is 100 %: a run that outlives every estimate creeps toward it without reaching it.
    this.#shown = Math.max(this.#shown, Math.min(raw, 0.99));
    return { fraction: this.#shown, etaMs: eta, resuming: resumed > 0, bytesAlreadyThere: resumed };
  }

  #sample(s: ByteSample): void {
    if (s.bytesPerSecond > 0) this.#rates[s.phase] = s.bytesPerSecond;
    const meter = {
      done: Math.min(Math.max(0, s.bytesDone), Math.max(0, s.bytesTotal)),
      total: Math.max(0, s.bytesTotal),
    };
    const region = s.region ?? 0;
    if (s.phase === 'planning') this.#compare.set(region, merge(this.#compare.get(region), meter));
    else if (s.phase === 'writing') this.#write.set(region, merge(this.#write.get(region), meter));
    else if (s.phase === 'verifying') this.#verify.set(region, merge(this.#verify.get(region), meter));
    else if (s.phase === 'backup' || s.phase === 'reading') {
      // One meter per read, without a region index: a smaller count or another total starts the next one.
      const list = s.phase === 'backup' ? this.#backup : this.#reads;
      const last = list.at(-1);
      if (last && last.total === meter.total && meter.done >= last.done) last.done = meter.done;
      else list.push(meter);
    }
  }

  /** Bytes of the firmware found already on the board in regions that are being written only in part. */
  #resumedBytes(): number {
    let n = 0;
    for (const [region, w] of this.#write) {
      const size = this.#plan.regionSizes[region];
      if (size !== undefined && w.total > 0 && w.total < size) n += size - w.total;
    }
    return n;
  }

  #past(phase: JobPhase): boolean {
    return this.#furthest > ORDER.indexOf(phase);
  }

  #timeLeft(now: number): number {
    const plan = this.#plan;
    const wire = Math.max(1, plan.baud / 10);
    const inPhase = Math.max(0, now - this.#phaseAt);
    let ms = 0;

    // Connect: by how far along the connect steps the run is.
    if (this.#furthest < ORDER.indexOf('backup')) {
      const step = this.#phase ? (CONNECT_STEPS[this.#phase] ?? 0) : 0;
      ms += Math.max(
        CONNECT_MS * (1 - step) - (this.#phase === 'connecting' ? inPhase : 0),
        CONNECT_MS * 0.1,
      );
    }

    if ((plan.backup || this.#backup.length > 0) && !this.#past('backup')) {
      const read = this.#backup.reduce((n, m) => n + m.done, 0);
      const current = this.#backup.at(-1);
      const left = Math.max(
        plan.backup ? this.#imageBytes - read : 0,
        current ? current.total - current.done : 0,
      );
      ms += msFor(left, this.#rates.backup ?? wire);
    }

    const md5Rate = (phase: JobPhase): number => this.#rates[phase] ?? MD5_BYTES_PER_SECOND;
    const writeRate = this.#rates.writing ?? wire * COMPRESSION_GAIN;
    // Regions the plan names, and any the events name beyond it (a job attached after a reload has no plan).
    const seen = [...this.#compare.keys(), ...this.#write.keys(), ...this.#verify.keys()];
    const regionCount = Math.max(plan.regionSizes.length, ...seen.map((r) => r + 1));
    for (let region = 0; region < regionCount; region++) {
      const size =
        plan.regionSizes[region] ??
        this.#write.get(region)?.total ??
        this.#compare.get(region)?.total ??
        this.#verify.get(region)?.total ??
        0;
      const compare = this.#compare.get(region);
      const write = this.#write.get(region);
      // Past this region: a later region is compared or written, or verifying began. A region passed over
      // without a write was already on the board.
      const movedOn =
        [...this.#compare.keys(), ...this.#write.keys()].some((r) => r > region) || this.#past('writing');
      // Compare: the engine hashes each region just before writing it.
      if (plan.skipUnchanged && !write && !movedOn)
        ms += msFor(compare ? compare.total - compare.done : size, md5Rate('planning'));
      if (write) ms += msFor(write.total - write.done, writeRate);
      else if (!movedOn) ms += msFor(size, writeRate);
      // Verify: every region's MD5 once all are written.
      const verify = this.#verify.get(region);
      if (verify) ms += msFor(verify.total - verify.done, md5Rate('verifying'));
      else if (!this.#past('verifying')) ms += msFor(size, md5Rate('verifying'));
    }

    const lastRead = this.#reads.at(-1);
    if (lastRead) ms += msFor(lastRead.total - lastRead.done, this.#rates.reading ?? wire);

    if (!this.#past('resetting'))
      ms += this.#phase === 'resetting' ? Math.max(RESET_MS - inPhase, RESET_MS * 0.1) : RESET_MS;

    if (plan.bootCheck) {
      const boot =
        plan.chip === 'esp8266'
          ? BOOT_CHECK_MS.esp8266
          : plan.chip
            ? BOOT_CHECK_MS.other
            : BOOT_CHECK_MS.esp8266;
      // The check ends when the board has spoken; until then it is allowed its listening window.
      if (this.#phase === 'boot-check') ms += Math.max(boot - inPhase, boot * 0.1);
      else if (!this.#past('boot-check')) ms += boot;
    }
    return ms;
  }
}

function merge(prev: Meter | undefined, next: Meter): Meter {
  if (!prev || prev.total !== next.total) return next;
  return { done: Math.max(prev.done, next.done), total: next.total };
}

function msFor(bytes: number, bytesPerSecond: number): number {
  return bytes > 0 ? (bytes / bytesPerSecond) * 1000 : 0;
}
