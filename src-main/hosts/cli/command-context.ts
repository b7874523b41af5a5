/**
 * What every command gets: the process I/O, the reporter, the service (created on first use with the ports the
 * command names) and Ctrl-C handling. The first Ctrl-C asks the running job to cancel (the service closes the
 * port and the job ends with CANCELLED); a second one leaves at once.
 */
import { KilnError, type ErrorDetails } from '../../core/errors';
import type { EventPayload, MethodOutput } from '../../service/contract';
import type { JobDone } from '../../service/jobs';
import type { KilnService } from '../../service/service';
import { servicePortName, type ServiceFactory } from './cli-service';
import { EXIT } from './exit-codes';
import type { CliIo } from './io';
import type { Reporter } from './reporter';

export interface CommandContext {
  io: CliIo;
  reporter: Reporter;
  verbose: boolean;
  /** The service; `ports` are the device paths this command names (see cli-service.ts). */
  service(ports?: string[]): KilnService;
  /** A typed port → the name the service accepts. */
  portName(typed: string): string;
  /** Runs until Ctrl-C (or SIGTERM) once, then resolves; the caller tidies up. */
  untilInterrupted(): Promise<'SIGINT' | 'SIGTERM'>;
  /** Leaves the process at once (a second Ctrl-C). */
  forceExit(code: number): void;
  /** Called by the top level on exit. */
  dispose(): Promise<void>;
}

export interface ContextOptions {
  io: CliIo;
  reporter: Reporter;
  verbose: boolean;
  createService: ServiceFactory;
  /** Leaves the process immediately (second Ctrl-C). */
  forceExit(code: number): void;
}

export function createCommandContext(o: ContextOptions): CommandContext {
  let service: KilnService | undefined;
  const cleanups: (() => void)[] = [];
  return {
    io: o.io,
    reporter: o.reporter,
    verbose: o.verbose,
    service(ports = []) {
      service ??= o.createService({ io: o.io, namedPorts: ports, verbose: o.verbose });
      return service;
    },
    portName: (typed) => servicePortName(typed, o.io.cwd),
    untilInterrupted() {
      return new Promise((resolve) => {
        const offs = (['SIGINT', 'SIGTERM'] as const).map((sig) =>
          o.io.onSignal(sig, () => {
            for (const off of offs) off();
            resolve(sig);
          }),
        );
        cleanups.push(...offs);
      });
    },
    forceExit: o.forceExit,
    async dispose() {
      for (const c of cleanups.splice(0)) c();
      await service?.shutdown();
    },
  };
}

/**
 * Starts a job and relays its events to the reporter until its jobDone. Events that arrive before the job id
 * is known (the service emits jobStarted synchronously) are held and replayed.
 */
export async function runJob(ctx: CommandContext, service: KilnService, start: () => Promise<MethodOutput<'startFlash'>>): Promise<JobDone> {
  let jobId: string | undefined;
  const early: [string, unknown][] = [];
  const relay = (event: string, payload: unknown) => {
    const p = payload as { jobId?: string };
    if (p.jobId !== jobId) return;
    if (event === 'jobStarted') {
      const s = payload as EventPayload<'jobStarted'>;
      ctx.reporter.event('job', { jobId: s.jobId, kind: s.kind, port: s.port });
    } else if (event === 'jobPhase') ctx.reporter.phase(payload as EventPayload<'jobPhase'>);
    else if (event === 'jobProgress') ctx.reporter.progress(payload as EventPayload<'jobProgress'>);
    else if (event === 'jobLog') ctx.reporter.log(payload as EventPayload<'jobLog'>);
  };
  const unsubscribe = service.subscribe((event, payload) => {
    if (jobId === undefined) early.push([event, payload]);
    else relay(event, payload);
  });

  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1 || jobId === undefined) {
      ctx.reporter.note('Stopping now.');
      void ctx.dispose().finally(() => ctx.forceExit(EXIT.CANCELLED));
      return;
    }
    ctx.reporter.note('Cancelling… (Ctrl-C again to quit at once)');
    void service.call('cancelJob', { jobId }).catch(() => undefined);
  };
  const offs = [ctx.io.onSignal('SIGINT', onInterrupt), ctx.io.onSignal('SIGTERM', onInterrupt)];
  try {
    jobId = (await start()).jobId;
    for (const [event, payload] of early.splice(0)) relay(event, payload);
    return await service.waitForJob(jobId);
  } finally {
    for (const off of offs) off();
    unsubscribe();
    ctx.reporter.close();
  }
}

/** A failed jobDone as a thrown error, keeping the diagnosis for the reporter. */
export class JobFailed extends KilnError {
  constructor(readonly done: JobDone) {
    const e = done.error ?? { code: 'INTERNAL' as const, message: 'The job failed without an error.' };
    const opts: ConstructorParameters<typeof KilnError>[2] = {};
    if (e.hint !== undefined) opts.hint = e.hint;
    if (e.details !== undefined) opts.details = e.details as ErrorDetails;
    super(e.code, e.message, opts);
  }
}
