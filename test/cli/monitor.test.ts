/**
 * `kiln monitor`: escape keys on a terminal (Ctrl-T R resets, Ctrl-] quits), and a real console on a socat pty
 * pair: bytes from the board reach stdout, stdin reaches the board, and SIGINT closes it cleanly.
 */
import { once } from 'node:events';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { keyActions } from '../../src-main/hosts/cli/commands/monitor';
import { runInProcess } from './helpers/cli-run';
import { createPtyPair, type PtyPair } from '../serial/helpers/pty-pair';

describe('monitor keys', () => {
  const keys = (s: string, state = { escape: false }) => keyActions(Buffer.from(s, 'latin1'), state);

  it('plain keys go to the board as they are', () => {
    expect(keys('AT\r')).toEqual([{ send: Uint8Array.from([0x41, 0x54, 0x0d]) }]);
  });
  it('Ctrl-T R resets into the app, Ctrl-T B into the bootloader, Ctrl-T Ctrl-T sends one Ctrl-T', () => {
    expect(keys('a\x14rb')).toEqual([
      { send: Uint8Array.from([0x61]) },
      { reset: 'run' },
      { send: Uint8Array.from([0x62]) },
    ]);
    expect(keys('\x14B')).toEqual([{ reset: 'bootloader' }]);
    expect(keys('\x14\x14')).toEqual([{ send: Uint8Array.from([0x14]) }]);
  });
  it('Ctrl-] quits and drops what follows; the Ctrl-T state survives across chunks', () => {
    expect(keys('x\x1dyz')).toEqual([{ send: Uint8Array.from([0x78]) }, { quit: true }]);
    const state = { escape: false };
    expect(keys('\x14', state)).toEqual([]);
    expect(keys('r', state)).toEqual([{ reset: 'run' }]);
  });
});

let pairs: PtyPair[] = [];
afterEach(async () => {
  for (const p of pairs) await p.cleanup();
  pairs = [];
});

describe('kiln monitor on a pty', () => {
  it('board → stdout, stdin → board, Ctrl-C closes', async () => {
    const pair = await createPtyPair();
    pairs.push(pair);
    const board = new SerialPort({ path: pair.b, baudRate: 115200 });
    await once(board, 'open');
    const fromCli: Buffer[] = [];
    board.on('data', (d: Buffer) => fromCli.push(d));

    let opened = false;
    const run = runInProcess(['monitor', '--port', pair.a, '--baud', '74880', '--json'], {
      stdinText: 'hello board\n',
      onStdout(out) {
        if (!opened && out.includes('"event":"open"')) {
          opened = true;
          board.write(Buffer.from('ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n', 'latin1'));
        }
      },
      onStart: (press) => {
        const poll = setInterval(() => {
          if (opened && Buffer.concat(fromCli).toString().includes('hello board')) {
            clearInterval(poll);
            setTimeout(() => press('SIGINT'), 200);
          }
        }, 20);
      },
    });
    const r = await run;
    board.close();
    expect(r.code, r.stderr).toBe(0);
    expect(Buffer.concat(fromCli).toString()).toBe('hello board\n');
    const text = r.lines
      .filter((l) => l.event === 'data')
      .map((l) => l.text)
      .join('');
    expect(text).toBe('ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n');
    expect(r.final).toMatchObject({ ok: true, command: 'monitor', baud: 74880, bytesReceived: text.length });
  }, 20_000);
});
