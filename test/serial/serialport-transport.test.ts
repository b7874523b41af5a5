/**
 * What the conformance suite cannot see on a pty: the exact calls into node serialport. DTR/RTS are not observable
 * on a pty, so the calls themselves are recorded (the real methods still run underneath).
 */
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { latencyCostPerMiB, lowerFtdiLatency } from '../../src-main/serial/ftdi-latency';
import { openSerialPort } from '../../src-main/serial/serialport-transport';
import { createPtyPair, type PtyPair } from './helpers/pty-pair';

let pair: PtyPair | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await pair?.cleanup();
  pair = undefined;
});

describe('openSerialPort on a pty', () => {
  it('passes both dtr and rts to every set(), never relying on serialport defaults', async () => {
    pair = await createPtyPair();
    const set = vi.spyOn(SerialPort.prototype, 'set');
    const t = await openSerialPort(pair.a, { baudRate: 115200 });
    await t.setSignals({ dtr: true, rts: false });
    await t.setSignals({ dtr: false, rts: true });
    expect(set.mock.calls.map((c) => c[0])).toEqual([
      { dtr: true, rts: false },
      { dtr: false, rts: true },
    ]);
    await t.close();
  });

  it('changes baud with update() on the open port, opening only once; discardInput flushes', async () => {
    pair = await createPtyPair();
    const open = vi.spyOn(SerialPort.prototype, 'open');
    const update = vi.spyOn(SerialPort.prototype, 'update');
    const flush = vi.spyOn(SerialPort.prototype, 'flush');
    const t = await openSerialPort(pair.a, { baudRate: 115200 });
    await t.setBaudRate(921600);
    await t.discardInput();
    expect(open).toHaveBeenCalledTimes(1);
    expect(update.mock.calls.map((c) => c[0])).toEqual([{ baudRate: 921600 }]);
    expect(flush).toHaveBeenCalledTimes(1);
    await t.close();
  });

  it('logs the missing modem lines once, with the OS reason, and keeps working', async () => {
    pair = await createPtyPair();
    const logs: string[] = [];
    const t = await openSerialPort(pair.a, { baudRate: 115200, log: (m) => logs.push(m) });
    for (let i = 0; i < 5; i++) await t.setSignals({ dtr: i % 2 === 0, rts: i % 2 === 1 });
    expect(logs).toEqual([
      `${pair.a} has no modem control lines (Error: Inappropriate ioctl for device, cannot set); DTR/RTS changes are skipped, as esptool does on a pty.`,
    ]);
    expect(t.isOpen).toBe(true);
    await t.close();
  });
});

describe('the FTDI latency timer while Kiln holds the port', () => {
  /** A system root whose sysfs says the pty is an FTDI port with its timer at `ms`. */
  async function rootWithTimer(tty: string, ms: string): Promise<{ root: string; file: string }> {
    const root = await mkdtemp(path.join(os.tmpdir(), 'kiln-ftdi-root-'));
    const file = path.join(root, 'sys/bus/usb-serial/devices', tty, 'latency_timer');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, ms);
    return { root, file };
  }

  it('lowers 16 ms to 1 ms on open and puts 16 back on close', async () => {
    pair = await createPtyPair();
    const { root, file } = await rootWithTimer(path.basename(await realpath(pair.a)), '16\n');
    const logs: string[] = [];
    const t = await openSerialPort(pair.a, { baudRate: 115200, root, log: (m) => logs.push(m) });
    expect(await readFile(file, 'utf8')).toBe('1\n');
    expect(logs.some((l) => l.includes('FTDI latency timer 16 ms → 1 ms'))).toBe(true);
    await t.close();
    expect(await readFile(file, 'utf8')).toBe('16\n');
    await rm(root, { recursive: true, force: true });
  });

  it('leaves a timer already at 1 ms, and a port without the file, untouched', async () => {
    pair = await createPtyPair();
    const { root, file } = await rootWithTimer(path.basename(await realpath(pair.a)), '1\n');
    const t = await openSerialPort(pair.a, { baudRate: 115200, root });
    await t.close();
    expect(await readFile(file, 'utf8')).toBe('1\n');
    const empty = await mkdtemp(path.join(os.tmpdir(), 'kiln-ftdi-none-'));
    const t2 = await openSerialPort(pair.a, { baudRate: 115200, root: empty });
    expect(t2.isOpen).toBe(true);
    await t2.close();
    await rm(root, { recursive: true, force: true });
    await rm(empty, { recursive: true, force: true });
  });
});

describe('lowerFtdiLatency without write access', () => {
  it('says why it cannot lower the timer and changes nothing', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'kiln-ftdi-ro-'));
    const file = path.join(root, 'sys/bus/usb-serial/devices/ttyUSB0/latency_timer');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '16\n');
    // Tests run as root, for whom mode bits do not forbid the write: the refusal is injected at the fs call.
    const logs: string[] = [];
    const write = vi.fn(() =>
      Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })),
    );
    const restore = await lowerFtdiLatency('/dev/ttyUSB0', {
      sysRoot: root,
      log: (m) => logs.push(m),
      files: { readFile, writeFile: write as unknown as typeof writeFile },
    });
    expect(restore).toBeUndefined();
    expect(write).toHaveBeenCalledTimes(1);
    expect(await readFile(file, 'utf8')).toBe('16\n');
    expect(logs).toEqual([
      '/dev/ttyUSB0: FTDI latency timer stays at 16 ms (EACCES); run kiln doctor --port /dev/ttyUSB0 for the udev rule that lowers it',
    ]);
    await rm(root, { recursive: true, force: true });
  });

  it('prices the timer: 90 round trips per MiB', () => {
    expect(latencyCostPerMiB(16)).toBeCloseTo(1.44, 6);
    expect(latencyCostPerMiB(1)).toBeCloseTo(0.09, 6);
  });
});
