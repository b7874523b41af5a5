/**
 * A real pty pair joined by socat (`socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`): bytes written to A
 * come out of B and back. Killing socat is the closest thing to pulling a USB cable: the pty master goes away and
 * the open slave sees EIO / a poller error.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PtyPair {
  dir: string;
  /** The end Kiln opens. */
  a: string;
  /** The far end (the "device"). */
  b: string;
  /** Terminates socat: both ptys vanish. Resolves once socat has exited. */
  kill(): Promise<void>;
  /** Kills socat if still running and removes the temp dir. */
  cleanup(): Promise<void>;
}

export function requireSocat(): void {
  if (spawnSync('socat', ['-V']).error) {
    throw new Error('socat is not installed (apt-get install -y socat); the pty tests need it.');
  }
}

/** socat processes still running: killed if the test worker exits without its cleanup (timeouts, crashes). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** `aOptions` are extra socat address options for end A, e.g. ',group=dialout,mode=660'. */
export async function createPtyPair(aOptions = ''): Promise<PtyPair> {
  requireSocat();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kiln-pty-'));
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const child: ChildProcess = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${a}${aOptions}`, `pty,raw,echo=0,link=${b}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  live.add(child);
  let stderr = '';
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socat did not start within 5 s: ${stderr}`)), 5000);
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        // Logged once both ptys exist and the links are in place.
        if (stderr.includes('starting data transfer loop')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`socat exited (${code}): ${stderr}`));
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    await fsp.rm(dir, { recursive: true, force: true });
    throw err;
  }
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return {
    dir,
    a,
    b,
    kill,
    async cleanup() {
      await kill();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}
