/**
 * Everything a command says goes through one Reporter, in one of two voices:
 * - `--json`: stdout carries only JSON, one object per line: events `{"event": ...}` while working, then exactly
 *   one final object `{"ok": true, "command", ...}` or `{"ok": false, "command", "error": {...}, "exitCode"}`.
 * - human: results on stdout; progress, logs, warnings and errors on stderr (so `kiln read ... > x` stays clean).
 *   Progress is a cli-progress bar on a TTY and plain, rate-limited lines otherwise.
 */
import cliProgress from 'cli-progress';
import type { KilnErrorData } from '../../core/errors';
import type { Diagnosis, EventPayload, JobPhase } from '../../service/contract';
import { errorLines, formatBytes, formatRate } from './format';
import type { CliIo } from './io';

/** Phases with a byte count worth a bar. */
const DATA_PHASES: ReadonlySet<JobPhase> = new Set(['writing', 'reading', 'backup', 'erasing', 'verifying']);
/** Non-TTY progress: at most one line per this many ms per phase (plus the final one). */
const PLAIN_INTERVAL_MS = 1000;

export interface Reporter {
  readonly json: boolean;
  /** A JSON event line (json mode only; human mode ignores it). */
  event(name: string, fields?: Record<string, unknown>): void;
  /** Result text for people (stdout; ignored in json mode). */
  print(text: string): void;
  /** Status text for people (stderr; ignored in json mode). */
  note(text: string): void;
  phase(p: EventPayload<'jobPhase'>): void;
  progress(p: EventPayload<'jobProgress'>): void;
  log(p: EventPayload<'jobLog'>): void;
  /** The final success object (json) — human output is printed by the command itself. */
  succeed(command: string, fields: Record<string, unknown>): void;
  /** The final failure: JSON object, or the error with hint and diagnosis on stderr. */
  fail(command: string, error: KilnErrorData, exitCode: number, diagnosis?: Diagnosis): void;
  /** Stops any bar (before printing results or on exit). */
  close(): void;
}

export function createReporter(io: CliIo, opts: { json: boolean; verbose?: boolean }): Reporter {
  const line = (o: object) => io.stdout.write(`${JSON.stringify(o)}\n`);
  const tty = !!io.stderr.isTTY && !opts.json;
  let bar: cliProgress.SingleBar | undefined;
  let barPhase: JobPhase | undefined;
  let lastPlain = { phase: '' as string, at: 0, done: -1 };

  const stopBar = () => {
    if (bar) {
      bar.stop();
      bar = undefined;
      barPhase = undefined;
    }
  };

  return {
    json: opts.json,
    event(name, fields = {}) {
      if (opts.json) line({ event: name, ...fields });
    },
    print(text) {
      if (!opts.json) {
        stopBar();
        io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      }
    },
    note(text) {
      if (!opts.json) {
        stopBar();
        io.stderr.write(`${text}\n`);
      }
    },
    phase(p) {
      if (opts.json)
        return line({ event: 'phase', phase: p.phase, ...(p.message ? { message: p.message } : {}) });
      if (p.phase === 'done') return stopBar();
      if (barPhase !== p.phase) stopBar();
      io.stderr.write(`${p.phase}${p.message ? `: ${p.message}` : ''}…\n`);
    },
    progress(p) {
      if (opts.json) {
        const { phase, bytesDone, bytesTotal, bytesPerSecond, region } = p;
        return line({
          event: 'progress',
          phase,
          bytesDone,
          bytesTotal,
          bytesPerSecond,
          ...(region !== undefined ? { region } : {}),
        });
      }
      if (!DATA_PHASES.has(p.phase) || p.bytesTotal <= 0) return;
      const payload = {
        phase: p.phase.padEnd(9),
        speed: formatRate(p.bytesPerSecond),
        done: formatBytes(p.bytesDone),
        all: formatBytes(p.bytesTotal),
      };
      if (tty) {
        if (!bar || barPhase !== p.phase) {
          stopBar();
          bar = new cliProgress.SingleBar(
            {
              format: '{phase} [{bar}] {percentage}% | {done} / {all} | {speed} | ETA {eta_formatted}',
              stream: io.stderr as NodeJS.WritableStream,
              hideCursor: true,
              etaBuffer: 20,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.bytesTotal, p.bytesDone, payload);
          barPhase = p.phase;
        } else {
          bar.setTotal(p.bytesTotal);
          bar.update(p.bytesDone, payload);
        }
        return;
      }
      const now = Date.now();
      const finished = p.bytesDone >= p.bytesTotal;
      const same = lastPlain.phase === p.phase;
      if (same && (p.bytesDone === lastPlain.done || (!finished && now - lastPlain.at < PLAIN_INTERVAL_MS)))
        return;
      lastPlain = { phase: p.phase, at: now, done: p.bytesDone };
      const pct = Math.floor((100 * p.bytesDone) / p.bytesTotal);
      io.stderr.write(`${p.phase}: ${payload.done} / ${payload.all} (${pct}%) at ${payload.speed}\n`);
    },
    log(p) {
      if (opts.json) return line({ event: 'log', level: p.level, message: p.message });
      if (p.level === 'debug' && !opts.verbose) return;
      // The job's closing error line repeats what `fail` prints with its hint and diagnosis.
      if (p.level === 'error') return;
      stopBar();
      io.stderr.write(`${p.level === 'info' ? '' : `${p.level}: `}${p.message}\n`);
    },
    succeed(command, fields) {
      stopBar();
      if (opts.json) line({ ok: true, command, ...fields });
    },
    fail(command, error, exitCode, diagnosis) {
      stopBar();
      if (opts.json) {
        line({ ok: false, command, error, ...(diagnosis ? { diagnosis } : {}), exitCode });
        return;
      }
      io.stderr.write(`${errorLines(error, diagnosis).join('\n')}\n`);
    },
    close: stopBar,
  };
}
