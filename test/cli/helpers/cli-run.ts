/**
 * Running `kiln` in tests, two ways: in-process (`runCli` with captured streams: fast, same code path from argv
 * to exit code) and as a child process (`node bin/kiln.mjs ...`, exactly as a person runs it). Both give the
 * exit code, the output, and the `--json` lines parsed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { dataDirFor, type ServiceFactory } from '../../../src-main/hosts/cli/cli-service';
import { runCli, type RunCliOptions } from '../../../src-main/hosts/cli/main';
import type { CliIo } from '../../../src-main/hosts/cli/io';
import { virtualClockService } from '../../service/helpers/sim-service';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const kilnBin = path.join(repoRoot, 'bin', 'kiln.mjs');

export function tempDir(prefix = 'kiln-cli-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A `createService` for runInProcess: the real engine and simulator on a VirtualClock, in the CLI's data folder. */
export const virtualCliService: ServiceFactory = ({ io }) => virtualClockService(dataDirFor(io.env));

/** `kiln flash --port PORT --baud 921600 --json IMAGE…`: the fast, machine-read flash the integration tests run. */
export function flashArgv(port: string, ...images: string[]): string[] {
  return ['flash', '--port', port, '--baud', '921600', '--json', ...images];
}

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
  /** Every stdout line parsed as JSON (only meaningful with --json). */
  lines: Record<string, unknown>[];
  /** The last JSON line: the final result object. */
  final: Record<string, unknown> & {
    ok?: boolean;
    error?: { code: string; message: string; hint?: string; details?: Record<string, unknown> };
  };
}

function parseLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function outcome(code: number, stdout: string, stderr: string): CliOutcome {
  const lines = parseLines(stdout);
  return { code, stdout, stderr, lines, final: (lines.at(-1) ?? {}) as CliOutcome['final'] };
}

export interface InProcessOptions extends Omit<RunCliOptions, 'io'> {
  dataDir?: string;
  cwd?: string;
  stdinText?: string;
  /** stdin claims to be a terminal (a person at the keyboard), so commands may ask questions on it. */
  stdinIsTTY?: boolean;
  /** Sees stdout as it grows (e.g. to act on a progress event mid-run). */
  onStdout?: (stdoutSoFar: string) => void;
  /** Called with the fake signal trigger once the CLI is running (e.g. to press Ctrl-C). */
  onStart?: (signal: (s: 'SIGINT' | 'SIGTERM') => void) => void;
}

export async function runInProcess(argv: string[], o: InProcessOptions = {}): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const stdin: PassThrough & { isTTY?: boolean } = new PassThrough();
  if (o.stdinIsTTY) stdin.isTTY = true;
  if (o.stdinText !== undefined) stdin.end(o.stdinText);
  const handlers = new Map<string, Set<() => void>>();
  const io: CliIo = {
    stdout: {
      write: (s: string | Uint8Array) => {
        stdout += typeof s === 'string' ? s : Buffer.from(s).toString('latin1');
        o.onStdout?.(stdout);
        return true;
      },
    },
    stderr: {
      write: (s: string | Uint8Array) =>
        (stderr += typeof s === 'string' ? s : Buffer.from(s).toString('latin1')),
    },
    stdin,
    env: { KILN_DATA_DIR: o.dataDir ?? tempDir('kiln-data-'), HOME: os.tmpdir() },
    cwd: o.cwd ?? repoRoot,
    onSignal(sig, h) {
      const set = handlers.get(sig) ?? new Set();
      handlers.set(sig, set);
      set.add(h);
      return () => set.delete(h);
    },
  };
  o.onStart?.((s) => {
    for (const h of [...(handlers.get(s) ?? [])]) h();
  });
  // A forced exit (the process would end here) counts as the run's end, like process.exit would.
  let forced!: (code: number) => void;
  const forcedExit = new Promise<number>((resolve) => (forced = resolve));
  const opts: RunCliOptions = { io, forceExit: (code) => forced(code) };
  if (o.createService) opts.createService = o.createService;
  const code = await Promise.race([runCli(argv, opts), forcedExit]);
  return outcome(code, stdout, stderr);
}

export interface KilnChild {
  child: ChildProcess;
  /** Resolves with the first stdout line matching, or rejects after `ms`. */
  waitForLine(pred: (line: string) => boolean, ms?: number): Promise<string>;
  /** Resolves when the process has exited. */
  done: Promise<CliOutcome>;
  stdout(): string;
  stderr(): string;
}

/** `node bin/kiln.mjs ...argv` (optionally behind a privilege-dropping prefix such as setpriv). */
export function spawnKiln(
  argv: string[],
  o: { dataDir?: string; cwd?: string; prefix?: string[]; env?: Record<string, string> } = {},
): KilnChild {
  const cmd = [...(o.prefix ?? []), process.execPath, kilnBin, ...argv];
  const child = spawn(cmd[0]!, cmd.slice(1), {
    cwd: o.cwd ?? repoRoot,
    env: { ...process.env, KILN_DATA_DIR: o.dataDir ?? tempDir('kiln-data-'), ...o.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const lines = out.split('\n').slice(0, -1);
    for (const w of [...waiters]) {
      const hit = lines.find(w.pred);
      if (hit !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<CliOutcome>((resolve) =>
    child.once('close', (code, signal) => resolve(outcome(code ?? (signal ? 128 : -1), out, err))),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    waitForLine(pred, ms = 20_000) {
      const existing = out.split('\n').slice(0, -1).find(pred);
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching line within ${ms} ms; stdout: ${out}\nstderr: ${err}`)),
          ms,
        );
        waiters.push({ pred, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void done.then(() =>
          reject(new Error(`kiln exited before a matching line; stdout: ${out}\nstderr: ${err}`)),
        );
      });
    },
  };
}
