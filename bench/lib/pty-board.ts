/**
 * A `kiln sim --pty` board in its own process, as a person would start one: the benchmarks flash it with whole
 * commands (kiln, esptool-js, Python esptool) on the real clock. Stopped by its pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const KILN_BIN = path.join(REPO, 'bin', 'kiln.mjs');

/**
 * Runs `kiln --version` once, so a bundle made stale by a source edit is rebuilt (bin/kiln.mjs does that on
 * start) before anything is timed.
 */
export function warmKiln(): void {
  const r = spawnSync(process.execPath, [KILN_BIN, '--version'], { cwd: REPO });
  if (r.status !== 0) throw new Error(`kiln --version failed: ${r.stderr.toString()}`);
}

export interface PtyBoard {
  /** The pty to open, e.g. /tmp/kiln-sim-XXXX/ttySIM. */
  path: string;
  stop(): Promise<void>;
}

/** `extra`: further `kiln sim` options, e.g. ['--bridge', 'ft232r', '--latency', '16']. */
export async function startPtyBoard(chip: string, extra: string[] = []): Promise<PtyBoard> {
  const child: ChildProcess = spawn(
    process.execPath,
    [KILN_BIN, 'sim', '--chip', chip, '--pty', '--json', ...extra],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        const ev = JSON.parse(line) as { event?: string; endpoint?: string };
        if (ev.event === 'listening' && ev.endpoint) resolve(ev.endpoint);
      }
    });
    child.once('exit', (code) => reject(new Error(`kiln sim exited ${code}: ${err}`)));
  });
  return {
    path: endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}
