/**
 * One job (flash, read, erase, whole-flash backup or restore) as the screen sees it: phase, progress from the bytes the device acknowledged,
 * log, and the outcome (result, or error + connection diagnosis). Events for other jobs are ignored; events that
 * arrive before `startFlash` has returned the job id are held and replayed, so a fast job loses nothing.
 */
import type {
  BackupJobResult,
  Diagnosis,
  EventName,
  EventPayload,
  FlashJobResult,
  JobLog,
  JobPhase,
  JobProgress,
  JobResult,
  JobSummary,
  KilnApi,
  MethodInput,
  UiError,
} from '../api/types';
import { toUiError } from '../lib/errors';
import { OverallProgress, type OverallReading, type RunPlan } from '../lib/overall-progress';

export type JobStatus = 'idle' | 'starting' | 'running' | 'succeeded' | 'failed' | 'cancelled';

const MAX_LOG_LINES = 2000;
const JOB_EVENTS = ['jobPhase', 'jobProgress', 'jobLog', 'jobDone'] as const;
type JobEventName = (typeof JOB_EVENTS)[number];
type HeldEvent = { [E in JobEventName]: { event: E; payload: EventPayload<E> } }[JobEventName];

/** What each phase is called on screen: plain words, no protocol names (no "stub", no "MD5", no "SYNC"). */
export const PHASE_LABELS: Record<JobPhase, string> = {
  connecting: 'Connecting to the board',
  detecting: 'Reading what chip it is',
  stub: 'Preparing the board for fast writing',
  baud: 'Speeding up the connection',
  backup: 'Saving the bytes this flash overwrites',
  planning: 'Checking what is already on the board',
  erasing: 'Erasing',
  writing: 'Writing the firmware',
  verifying: 'Checking what was written',
  reading: 'Reading',
  resetting: 'Restarting the board',
  'boot-check': 'Checking that the firmware starts',
  done: 'Done',
};

/** A job this page did not start (attached after a reload), or a read/erase: no sizes known. */
const UNKNOWN_PLAN: RunPlan = {
  regionSizes: [],
  baud: 115200,
  skipUnchanged: false,
  backup: false,
  bootCheck: false,
};

export class FlashJobState {
  status = $state<JobStatus>('idle');
  jobId = $state<string | undefined>(undefined);
  phase = $state<JobPhase | undefined>(undefined);
  /** The current phase's own words (the guided download mode's instruction in force). */
  phaseMessage = $state<string | undefined>(undefined);
  progress = $state<JobProgress | undefined>(undefined);
  log = $state<JobLog[]>([]);
  result = $state<JobResult | undefined>(undefined);
  error = $state<UiError | undefined>(undefined);
  diagnosis = $state<Diagnosis | undefined>(undefined);
  cancelRequested = $state(false);
  /** Port and time the job began (for the result card). */
  port = $state<string | undefined>(undefined);
  startedAt = $state<number | undefined>(undefined);

  readonly active = $derived(this.status === 'starting' || this.status === 'running');
  /** Wall-clock time the overall progress is read at; `tick()` moves it while the job runs. */
  now = $state(Date.now());
  /** Bumped on every event the overall progress took in, so `overall` is read again. */
  #events = $state(0);
  #overall: OverallProgress | undefined;
  /** One figure for the whole job (connect to boot check) that never goes back, and the time left for all of it. */
  readonly overall = $derived.by((): OverallReading | undefined => {
    void this.#events;
    return this.#overall?.read(this.now);
  });
  readonly flashResult = $derived(
    this.result?.kind === 'flash' ? (this.result as FlashJobResult) : undefined,
  );
  readonly backupResult = $derived(
    this.result?.kind === 'backup' ? (this.result as BackupJobResult) : undefined,
  );

  readonly #api: KilnApi;
  readonly #unsubscribers: (() => void)[] = [];
  #held: HeldEvent[] = [];

  constructor(api: KilnApi) {
    this.#api = api;
    for (const event of JOB_EVENTS) {
      this.#unsubscribers.push(
        api.on(event as EventName, (payload) => this.#receive({ event, payload } as HeldEvent)),
      );
    }
  }

  /** `plan` (image sizes, baud, options) lets the overall progress weigh the stages; without it, it still moves. */
  async startFlash(input: MethodInput<'startFlash'>, plan?: RunPlan): Promise<void> {
    await this.#start(input.port, () => this.#api.startFlash(input), plan);
  }

  async startRead(input: MethodInput<'startRead'>): Promise<void> {
    await this.#start(input.port, () => this.#api.startRead(input));
  }

  async startErase(input: MethodInput<'startErase'>): Promise<void> {
    await this.#start(input.port, () => this.#api.startErase(input));
  }

  async startBackup(input: MethodInput<'startBackup'>): Promise<void> {
    await this.#start(input.port, () => this.#api.startBackup(input));
  }

  async startRestore(input: MethodInput<'startRestore'>): Promise<void> {
    await this.#start(input.port, () => this.#api.startRestore(input));
  }

  async cancel(): Promise<void> {
    if (!this.jobId || !this.active) return;
    this.cancelRequested = true;
    try {
      await this.#api.cancelJob({ jobId: this.jobId });
    } catch (e) {
      this.cancelRequested = false;
      this.error = toUiError(e);
    }
  }

  /**
   * Follows a job that is already running on the service (the page was reloaded, or browser mode reconnected):
   * its later events update this state as if this page had started it.
   */
  attach(summary: JobSummary): void {
    if (this.active || !summary.running) return;
    this.reset();
    this.jobId = summary.jobId;
    this.port = summary.port;
    this.phase = summary.phase;
    this.startedAt = summary.startedAt;
    this.#overall = new OverallProgress(UNKNOWN_PLAN);
    this.#feed({ kind: 'phase', phase: summary.phase, at: Date.now() });
    this.status = 'running';
  }

  /** Back to idle (the result card's "Flash another"). */
  reset(): void {
    if (this.active) return;
    this.status = 'idle';
    this.jobId = undefined;
    this.phase = undefined;
    this.phaseMessage = undefined;
    this.progress = undefined;
    this.result = undefined;
    this.error = undefined;
    this.diagnosis = undefined;
    this.cancelRequested = false;
    this.log = [];
    this.#overall = undefined;
    this.#events++;
  }

  /** Moves the overall progress's clock (the boot check and the connect advance with time, not bytes). */
  tick(now = Date.now()): void {
    this.now = now;
  }

  destroy(): void {
    for (const off of this.#unsubscribers.splice(0)) off();
  }

  async #start(
    port: string,
    begin: () => Promise<{ jobId: string }>,
    plan: RunPlan = UNKNOWN_PLAN,
  ): Promise<void> {
    if (this.active) return;
    this.reset();
    this.#overall = new OverallProgress(plan);
    this.#events++;
    this.status = 'starting';
    this.port = port;
    this.startedAt = Date.now();
    this.#held = [];
    try {
      const { jobId } = await begin();
      this.jobId = jobId;
      if (this.status === 'starting') this.status = 'running';
      const held = this.#held;
      this.#held = [];
      for (const h of held) if (h.payload.jobId === jobId) this.#apply(h);
    } catch (e) {
      this.status = 'failed';
      this.error = toUiError(e);
      const details = this.error.details as { diagnosis?: Diagnosis } | undefined;
      if (details?.diagnosis) this.diagnosis = details.diagnosis;
    }
  }

  #receive(h: HeldEvent): void {
    if (this.status === 'starting' && this.jobId === undefined) {
      this.#held.push(h);
      return;
    }
    if (h.payload.jobId !== this.jobId) return;
    this.#apply(h);
  }

  #feed(e: Parameters<OverallProgress['apply']>[0]): void {
    if (!this.#overall) return;
    this.#overall.apply(e);
    this.now = e.at;
    this.#events++;
  }

  #apply(h: HeldEvent): void {
    switch (h.event) {
      case 'jobPhase':
        this.phase = h.payload.phase;
        this.phaseMessage = h.payload.message;
        this.#feed({ kind: 'phase', phase: h.payload.phase, at: Date.now() });
        break;
      case 'jobProgress':
        this.phase = h.payload.phase;
        this.progress = h.payload;
        this.#feed({ kind: 'progress', sample: h.payload, at: Date.now() });
        break;
      case 'jobLog':
        this.log.push(h.payload);
        if (this.log.length > MAX_LOG_LINES) this.log.splice(0, this.log.length - MAX_LOG_LINES);
        break;
      case 'jobDone': {
        const p = h.payload;
        this.result = p.result;
        this.error = p.error;
        this.diagnosis =
          p.diagnosis ?? (p.error?.details as { diagnosis?: Diagnosis } | undefined)?.diagnosis;
        this.status = p.ok ? 'succeeded' : p.error?.code === 'CANCELLED' ? 'cancelled' : 'failed';
        if (p.ok) {
          this.phase = 'done';
          this.#feed({ kind: 'done', at: Date.now() });
        }
        this.cancelRequested = false;
        break;
      }
    }
  }
}
