/**
 * What every command gets: the process I/O, the reporter, the service (created on first use with the ports the
 * command names) and Ctrl-C handling. Signals go to the innermost handler: during a job the first Ctrl-C asks
 * it to cancel (the service closes the port and the job ends with CANCELLED) and a second one leaves at once;
 * `kiln sim` and `kiln monitor` stop cleanly; anything else gets the top level's handler (CANCELLED, exit 130).
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
  /** The service (made on first call, with the ports named on the command line). */
  service(ports?: string[]): Promise<KilnService>;
  /** A typed port → the name the service accepts. */
  portName(typed: string): string;
  /** Runs until Ctrl-C (or SIGTERM) once, then resolves; the caller tidies up. */
  untilInterrupted(): Promise<'SIGINT' | 'SIGTERM'>;
  /** Makes `handler` receive Ctrl-C/SIGTERM until the returned function is called. */
  onInterrupt(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
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
  let service: Promise<KilnService> | undefined;
  const handlers: ((signal: 'SIGINT' | 'SIGTERM') => void)[] = [];
  const offs = (['SIGINT', 'SIGTERM'] as const).map((sig) =>
    o.io.onSignal(sig, () => handlers.at(-1)?.(sig)),
  );
  const onInterrupt = (handler: (signal: 'SIGINT' | 'SIGTERM') => void) => {
    handlers.push(handler);
    return () => {
      const i = handlers.lastIndexOf(handler);
      if (i >= 0) handlers.splice(i, 1);
    };
  };
  return {
    io: o.io,
    reporter: o.reporter,
    verbose: o.verbose,
    service(ports = []) {
      service ??= Promise.resolve(o.createService({ io: o.io, namedPorts: ports, verbose: o.verbose }));
      return service;
    },
    portName(typed) {
      const name = servicePortName(typed, o.io.cwd);
      // Error messages name the device node; say once which one the typed link stands for.
      if (name !== typed && !name.endsWith(typed.replace(/^\.\//, '')))
        o.reporter.note(`${typed} is ${name}`);
      return name;
    },
    untilInterrupted() {
      return new Promise((resolve) => {
        const off = onInterrupt((sig) => {
          off();
          resolve(sig);
        });
      });
    },
    onInterrupt,
    forceExit: o.forceExit,
    async dispose() {
      for (const off of offs.splice(0)) off();
      handlers.length = 0;
      const made = await service?.catch(() => undefined);
      await made?.shutdown();
    },
  };
}

/**
 * Starts a job and relays its events to the reporter until its jobDone. Events that arrive before the job id
 * is known (the service emits jobStarted synchronously) are held and replayed.
 */
export async function runJob(
  ctx: CommandContext,
  service: KilnService,
  start: () => Promise<MethodOutput<'startFlash'>>,
): Promise<JobDone> {
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
  const offInterrupt = ctx.onInterrupt(onInterrupt);
  try {
    jobId = (await start()).jobId;
    for (const [event, payload] of early.splice(0)) relay(event, payload);
    return await service.waitForJob(jobId);
  } finally {
    offInterrupt();
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
