/**
 * What the conformance suite cannot see on a pty: the exact calls into node serialport. DTR/RTS are not observable
 * on a pty, so the calls themselves are recorded (the real methods still run underneath).
 */
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
