/**
 * A scripted stand-in for the service, for tests about the CLI's own behaviour (output shapes, exit codes,
 * Ctrl-C) where a real device adds nothing: a job plays the given events, then ends with the given jobDone.
 */
import type { KilnErrorData } from '../../../src-main/core/errors';
import type { AccessReport, Diagnosis, EventName, JobResult } from '../../../src-main/service/contract';
import type { JobDone } from '../../../src-main/service/jobs';
import type { KilnService } from '../../../src-main/service/service';
import type { ServiceFactory } from '../../../src-main/hosts/cli/cli-service';

export interface FakeScript {
  /** Played (synchronously, in order) when a job starts. */
  events?: { event: EventName; payload: Record<string, unknown> }[];
  result?: JobResult;
  error?: KilnErrorData;
  diagnosis?: Diagnosis;
  /** The job never ends by itself; only cancelJob ends it (CANCELLED). */
  hang?: boolean;
  /** What doctorReport answers. */
  report?: AccessReport;
}

export const JOB_ID = 'job-test000001';

export function fakeService(
  script: FakeScript,
  calls: { method: string; input: unknown }[] = [],
): ServiceFactory {
  return () => {
    const listeners = new Set<(event: EventName, payload: unknown) => void>();
    const emit = (event: EventName, payload: unknown) => {
      for (const l of listeners) l(event, payload);
    };
    let finish!: (d: JobDone) => void;
    const done = new Promise<JobDone>((resolve) => (finish = resolve));
    const startJob = (kind: 'flash' | 'read' | 'erase') => {
      emit('jobStarted', { jobId: JOB_ID, kind, port: 'sim:esp8266' });
      for (const e of script.events ?? []) emit(e.event, { jobId: JOB_ID, ...e.payload });
      if (!script.hang) {
        const d: JobDone = { jobId: JOB_ID, kind, ok: !script.error };
        if (script.result) d.result = script.result;
        if (script.error) d.error = script.error;
        if (script.diagnosis) d.diagnosis = script.diagnosis;
        queueMicrotask(() => finish(d));
      }
      return { jobId: JOB_ID };
    };
    async function call(method: string, input: unknown): Promise<unknown> {
      calls.push({ method, input });
      switch (method) {
        case 'inspectFirmware': {
          const i = input as { name: string; bytes: Uint8Array };
          return {
            sha256: 'a'.repeat(64),
            name: i.name,
            size: i.bytes.byteLength,
            info: { format: 'esp8266', description: 'ESP8266 · image' },
            warnings: [],
          };
        }
        case 'startFlash':
          return startJob('flash');
        case 'startRead':
          return startJob('read');
        case 'startErase':
          return startJob('erase');
        case 'identify':
          if (script.hang) return new Promise(() => undefined);
          throw new Error('fake service: identify not scripted');
        case 'doctorReport':
          if (!script.report) throw new Error('fake service: no report scripted');
          return script.report;
        case 'runFix':
          return { ok: true, status: 'done', output: '$ pkexec usermod -aG dialout ana\n' };
        case 'cancelJob':
          finish({
            jobId: JOB_ID,
            kind: 'flash',
            ok: false,
            error: {
              code: 'CANCELLED',
              message: 'Cancelled by the user.',
              hint: 'Start it again when you are ready.',
            },
          });
          return { cancelled: true };
        default:
          throw new Error(`fake service: ${method} not scripted`);
      }
    }
    const service: Partial<KilnService> = {
      call: call as KilnService['call'],
      subscribe(l) {
        listeners.add(l as (event: EventName, payload: unknown) => void);
        return () => listeners.delete(l as (event: EventName, payload: unknown) => void);
      },
      waitForJob: () => done,
      async shutdown() {},
    };
    return service as KilnService;
  };
}
