/**
 * Jobs, owned once for every host: an id, an AbortController, one job per port at a time, phase/progress/log
 * events, and exactly one `jobDone` at the end, whatever happens (success, error, cancel, shutdown).
 * The job body is a plain async function given a JobContext; it never emits events itself.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock';
import { cancelled, KilnError, toErrorData, type KilnErrorData } from '../core/errors';
import type { EngineHooks, LogLevel, ProgressEvent } from '../esp/api';
import type { Diagnosis, EventPayload, JobKind, JobPhase, JobResult, JobSummary } from './contract';
import type { Logger } from './deps';
import type { EventBus } from './event-bus';

/** Progress events are coalesced to at most one per this many ms per job (phase ends always go out). */
export const PROGRESS_INTERVAL_MS = 100;

export interface JobContext {
  readonly jobId: string;
  readonly signal: AbortSignal;
  phase(phase: JobPhase, message?: string): void;
  log(level: LogLevel | 'error', message: string): void;
  /** Engine hooks that turn ProgressEvents into jobPhase/jobProgress; `as` renames the engine's phase (reading → backup). */
  hooks(as?: JobPhase): EngineHooks;
}

/** Turns a failure into the jobDone fields (the service adds the doctor's diagnosis and port holders). */
export type FailureDescriber = (error: unknown) => Promise<{ error: KilnErrorData; diagnosis?: Diagnosis }>;

export type JobDone = EventPayload<'jobDone'>;

interface Job {
  id: string;
  kind: JobKind;
  port: string;
  lockKey: string;
  controller: AbortController;
  phase: JobPhase;
  startedAt: number;
  running: boolean;
  done: Promise<JobDone>;
}

export interface StartJob {
  kind: JobKind;
  /** The port as the client named it. */
  port: string;
  /** The device identity locked for the job's duration. */
  lockKey: string;
  body: (ctx: JobContext) => Promise<JobResult>;
  describeFailure: FailureDescriber;
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  /** Device → what holds it: a job, or a short operation such as identify. */
  private readonly byLock = new Map<string, { id: string; what: string }>();

  constructor(
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly keepFinished = 20,
  ) {}

  /** The running job holding a device, if any. */
  holder(lockKey: string): string | undefined {
    return this.byLock.get(lockKey)?.id;
  }

  /** Holds a device for a short operation that is not a job (identify); returns the release function. */
  reserve(lockKey: string, port: string, what: string): () => void {
    this.assertFree(lockKey, port);
    const claim = { id: `${what}-${randomBytes(4).toString('hex')}`, what };
    this.byLock.set(lockKey, claim);
    return () => {
      if (this.byLock.get(lockKey) === claim) this.byLock.delete(lockKey);
    };
  }

  /** Throws JOB_CONFLICT when a job holds the device. */
  assertFree(lockKey: string, port: string): void {
    const other = this.byLock.get(lockKey);
    if (other !== undefined) {
      throw new KilnError('JOB_CONFLICT', `${port} is busy: ${other.what} is running on it.`, {
        hint: 'Wait for it to finish or cancel it, then start again.',
        details: { port, holder: other.id },
      });
    }
  }

  /** Starts a job (synchronously claims the port) and returns its id; the body runs in the background. */
  start(spec: StartJob): string {
    this.assertFree(spec.lockKey, spec.port);
    const id = `job-${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    const job: Job = {
      id,
      kind: spec.kind,
      port: spec.port,
      lockKey: spec.lockKey,
      controller,
      phase: 'connecting',
      startedAt: Date.now(),
      running: true,
      done: Promise.resolve(undefined as unknown as JobDone),
    };
    this.jobs.set(id, job);
    this.byLock.set(spec.lockKey, { id, what: `a ${spec.kind} job` });
    this.bus.emit('jobStarted', { jobId: id, kind: spec.kind, port: spec.port });
    this.bus.emit('jobPhase', { jobId: id, phase: job.phase });
    job.done = this.run(job, spec);
    this.prune();
    return id;
  }

  /** Requests cancellation; true when the job was still running. jobDone (CANCELLED) follows. */
  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job) {
      throw new KilnError('NOT_FOUND', `There is no job ${jobId}.`, {
        hint: 'It may have finished before the app restarted.',
        details: { jobId },
      });
    }
    if (!job.running) return false;
    job.controller.abort(cancelled('Cancelled by the user.'));
    return true;
  }

  /** Resolves with the job's jobDone payload (for the CLI and tests). */
  wait(jobId: string): Promise<JobDone> {
    const job = this.jobs.get(jobId);
    if (!job)
      return Promise.reject(new KilnError('NOT_FOUND', `There is no job ${jobId}.`, { details: { jobId } }));
    return job.done;
  }

  list(): JobSummary[] {
    return [...this.jobs.values()].map((j) => ({
      jobId: j.id,
      kind: j.kind,
      port: j.port,
      phase: j.phase,
      startedAt: j.startedAt,
      running: j.running,
    }));
  }

  /** Cancels every running job and waits for each to close its port (bounded, so a stuck driver cannot hang exit). */
  async shutdown(timeoutMs = 5000): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.running);
    for (const j of running) j.controller.abort(cancelled('Kiln is shutting down.'));
    if (running.length === 0) return;
    const all = Promise.all(running.map((j) => j.done));
    let cancelTimer = () => {};
    const timeout = new Promise<void>((resolve) => {
      cancelTimer = this.clock.setTimer(timeoutMs, () => {
        this.logger.warn(`shutdown: ${running.length} job(s) did not finish within ${timeoutMs} ms`);
        resolve();
      });
    });
    await Promise.race([all.then(() => undefined), timeout]);
    cancelTimer();
  }

  private async run(job: Job, spec: StartJob): Promise<JobDone> {
    const ctx = this.contextFor(job);
    let done: JobDone;
    try {
      const result = await spec.body(ctx);
      // A body that swallowed the abort must not report success for a cancelled job.
      if (job.controller.signal.aborted) throw job.controller.signal.reason ?? cancelled();
      ctx.phase('done');
      done = { jobId: job.id, kind: job.kind, ok: true, result };
    } catch (e) {
      const failure = await this.safeDescribe(
        spec.describeFailure,
        job.controller.signal.aborted ? asCancel(e, job) : e,
      );
      done = { jobId: job.id, kind: job.kind, ok: false, error: failure.error };
      if (failure.diagnosis) done.diagnosis = failure.diagnosis;
      ctx.log(
        failure.error.code === 'CANCELLED' ? 'info' : 'error',
        `${failure.error.code}: ${failure.error.message}`,
      );
    } finally {
      job.running = false;
      if (this.byLock.get(job.lockKey)?.id === job.id) this.byLock.delete(job.lockKey);
    }
    this.bus.emit('jobDone', done);
    return done;
  }

  private async safeDescribe(
    describe: FailureDescriber,
    e: unknown,
  ): Promise<{ error: KilnErrorData; diagnosis?: Diagnosis }> {
    try {
      return await describe(e);
    } catch (inner) {
      this.logger.warn(
        `describing a failure failed: ${inner instanceof Error ? inner.message : String(inner)}`,
      );
      return { error: toErrorData(e) };
    }
  }

  private contextFor(job: Job): JobContext {
    let lastEmit = -Infinity;
    let lastEmittedPhase: JobPhase | undefined;
    const bus = this.bus;
    const clock = this.clock;
    const logger = this.logger;

    const phase = (p: JobPhase, message?: string): void => {
      if (p === job.phase && message === undefined) return;
      job.phase = p;
      bus.emit(
        'jobPhase',
        message === undefined ? { jobId: job.id, phase: p } : { jobId: job.id, phase: p, message },
      );
    };
    const log = (level: LogLevel | 'error', message: string): void => {
      logger[level](`[${job.id} ${job.port}] ${message}`);
      bus.emit('jobLog', { jobId: job.id, level, message, time: Date.now() });
    };
    const progress = (e: ProgressEvent, as: JobPhase | undefined): void => {
      const mapped: JobPhase = as ?? e.phase;
      if (mapped !== job.phase) phase(mapped);
      const now = clock.now();
      const finished = e.bytesTotal > 0 && e.bytesDone >= e.bytesTotal;
      // The first event of a phase and the last one always go out; in between, one per interval.
      if (!finished && mapped === lastEmittedPhase && now - lastEmit < PROGRESS_INTERVAL_MS) return;
      lastEmit = now;
      lastEmittedPhase = mapped;
      const payload: EventPayload<'jobProgress'> = {
        jobId: job.id,
        phase: mapped,
        bytesDone: e.bytesDone,
        bytesTotal: e.bytesTotal,
        bytesPerSecond: e.bytesPerSecond,
      };
      if (e.region !== undefined) payload.region = e.region;
      bus.emit('jobProgress', payload);
    };

    return {
      jobId: job.id,
      signal: job.controller.signal,
      phase,
      log,
      hooks: (as) => ({
        onProgress: (e) => progress(e, as),
        onLog: (level, message) => log(level, message),
      }),
    };
  }

  /** Keeps the most recent finished jobs for `listJobs`; running jobs are never dropped. */
  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => !j.running);
    for (const j of finished.slice(0, Math.max(0, finished.length - this.keepFinished)))
      this.jobs.delete(j.id);
  }
}

/** A failure after cancel is reported as the cancel, not as whatever the torn-down port said. */
function asCancel(e: unknown, job: Job): unknown {
  if (e instanceof KilnError && e.code === 'CANCELLED') return e;
  const reason: unknown = job.controller.signal.reason;
  return reason instanceof KilnError ? reason : cancelled();
}
