/**
 * Serves one SimulatedDevice on a Linux pseudo-terminal pair made by socat
 * (`socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`): the simulator holds side A, the host opens
 * `hostPath` (side B) like any serial port — node `serialport`, esptool, a terminal. Real clock, same pacing.
 *
 * Limits of a pty, documented rather than papered over:
 * - the host's baud could be read on our side with tcgetattr, but node has no cheap way to be told when it
 *   changes and busy polling is not allowed, so the host is taken to always match the chip's baud — except at
 *   the one moment the chip itself measures it: a ROM whose baud detection is armed reads the host's termios
 *   (`stty -F`) when a SYNC arrives, and locks onto that rate as a real ROM locks onto the rate it measures;
 * - DTR/RTS do not cross a pty (serialport's set() fails with ENOTTY), so the board is powered up with GPIO0
 *   held low (download mode) unless `bootMode: 'normal'`.
 * Side A is read through a tty.ReadStream (event-loop I/O, not a thread-pool read that would block a worker).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tty from 'node:tty';
import { KilnError } from '../core/errors';
import { byteStreamEnd } from './byte-stream-end';
import type { SimulatedDevice } from './device';

export interface PtyServer {
  /** The path a host opens, e.g. /tmp/kiln-sim-XXXX/ttySIM. */
  hostPath: string;
  close(): Promise<void>;
}

function waitForPtys(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let text = '';
    const onData = (b: Buffer) => {
      text += b.toString();
      seen = (text.match(/PTY is /g) ?? []).length;
      // socat logs "starting data transfer loop" once both ends exist and the links are made.
      if (seen >= 2 && /starting data transfer loop/.test(text)) {
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('error', (e) =>
      reject(
        new KilnError('INTERNAL', 'socat could not be started.', {
          hint: 'Install socat (apt-get install socat).',
          cause: e,
        }),
      ),
    );
    child.once('exit', (code) =>
      reject(
        new KilnError('INTERNAL', `socat exited (${code}) before the pty pair was ready.`, {
          hint: 'Check that socat works: socat -V.',
          details: { stderr: text.slice(-500) },
        }),
      ),
    );
  });
}

/**
 * The rate the host set on its end of the pty (its termios), read once when the ROM's baud detection measures a
 * SYNC; 115200 when it cannot be read.
 */
function hostTermiosBaud(hostPath: string): number {
  try {
    const out = execFileSync('stty', ['-F', hostPath, 'speed'], { encoding: 'utf8', timeout: 2000 });
    const baud = Number(out.trim());
    return Number.isInteger(baud) && baud > 0 ? baud : 115200;
  } catch {
    return 115200;
  }
}

export async function servePty(o: {
  device: SimulatedDevice;
  bootMode?: 'download' | 'normal';
}): Promise<PtyServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kiln-sim-'));
  const devicePath = path.join(dir, 'sim-side');
  const hostPath = path.join(dir, 'ttySIM');
  const child = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${hostPath}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  try {
    await waitForPtys(child);
  } catch (e) {
    child.kill();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  child.stderr?.resume();
  const fd = fs.openSync(devicePath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  const input = new tty.ReadStream(fd);
  input.setRawMode(true);
  const output = new tty.WriteStream(fd);
  const end = byteStreamEnd(
    {
      onData: (fn) =>
        input.on('data', (c: Buffer | string) => fn(Buffer.isBuffer(c) ? c : Buffer.from(c, 'latin1'))),
      onClose: (fn) => input.on('close', fn),
      write: (c) => output.write(c),
      destroy: () => {
        input.destroy();
        output.destroy();
      },
    },
    () => hostTermiosBaud(hostPath),
  );
  input.on('error', () => {});
  output.on('error', () => {});
  o.device.attach(end, { hostBaudKnown: false });
  o.device.powerCycle({ buttonHeld: (o.bootMode ?? 'download') === 'download' });
  let closed = false;
  return {
    hostPath,
    async close() {
      if (closed) return;
      closed = true;
      o.device.detach();
      end.close();
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      child.kill();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
