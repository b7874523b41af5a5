/**
 * Runs one whole command (a fresh process, start-up included) and notes when each line of its output arrived,
 * on the real clock, from the moment of the spawn.
 */
import { spawn } from 'node:child_process';

export interface TimedLine {
  ms: number;
  text: string;
}

export interface TimedRun {
  ms: number;
  code: number | null;
  lines: TimedLine[];
  stderr: string;
}

/** A command still running after `timeoutMs` is stopped (SIGTERM to its pid) and reported with code null. */
export function timedCommand(argv: string[], cwd: string, timeoutMs = 180_000): Promise<TimedRun> {
  const t0 = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: TimedLine[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    const ms = performance.now() - t0;
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const text of parts) lines.push({ ms, text });
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => {
    stderr += `\n(stopped after ${timeoutMs} ms)`;
    child.kill('SIGTERM');
    // A command that handles SIGTERM by cleaning up may be stuck there too.
    setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000).unref();
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (partial) lines.push({ ms: performance.now() - t0, text: partial });
      resolve({ ms: performance.now() - t0, code, lines, stderr });
    });
  });
}
