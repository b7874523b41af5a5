import { describe, expect, it } from 'vitest';
import { EspLink } from '../../src-main/esp/link/link';
import { connectAndSync, SYNC_FRAME } from '../../src-main/esp/link/connect';
import {
  classicReset,
  connectStrategies,
  hardReset,
  unixTightReset,
  usbJtagSerialReset,
  type ResetStep,
} from '../../src-main/esp/link/reset';
import { Op } from '../../src-main/esp/link/protocol';
import type { ConnectCapture } from '../../src-main/core/capture';
import { reply, scripted, syncReplies } from './scripted-device';
import { kilnRejection } from '../helpers/errors';

const levels = (steps: ResetStep[]) =>
  steps.filter((s) => !('waitMs' in s)).map((s) => s as { dtr: boolean; rts: boolean });

describe('reset strategies as data', () => {
  it('match the protocol notes, always both lines', () => {
    const b = (dtr: number, rts: number) => ({ dtr: dtr === 1, rts: rts === 1 });
    expect(classicReset(50).steps).toEqual([b(0, 1), { waitMs: 100 }, b(1, 0), { waitMs: 50 }, b(0, 0)]);
    expect(unixTightReset(550).steps).toEqual([
      b(0, 0),
      b(1, 1),
      b(0, 1),
      { waitMs: 100 },
      b(1, 0),
      { waitMs: 550 },
      b(0, 0),
      b(0, 0),
    ]);
    expect(usbJtagSerialReset().steps).toEqual([
      b(0, 0),
      { waitMs: 100 },
      b(1, 0),
      { waitMs: 100 },
      b(0, 1),
      { waitMs: 100 },
      b(0, 0),
    ]);
    expect(hardReset().steps).toEqual([b(0, 1), { waitMs: 100 }, b(0, 0)]);
    expect(hardReset(true).steps).toEqual([b(0, 1), { waitMs: 200 }, b(0, 0)]);
  });

  it('cycle as esptool does on Linux, with special cases for native USB and no lines', () => {
    expect(connectStrategies('uart', 'default').map((s) => `${s.name}:${s.delayMs}`)).toEqual([
      'unix-tight:50',
      'unix-tight:550',
      'classic:50',
      'classic:550',
    ]);
    expect(connectStrategies('usb-jtag-serial', 'default').map((s) => s.name)).toEqual(['usb-jtag-serial']);
    expect(connectStrategies('uart', 'usb-reset').map((s) => s.name)).toEqual(['usb-jtag-serial']);
    expect(connectStrategies('none', 'default').map((s) => s.name)).toEqual(['none']);
    expect(connectStrategies('uart', 'no-reset').map((s) => s.name)).toEqual(['none']);
  });
});

describe('connect and sync', () => {
  it('a silent board: every strategy runs in order on the wire, then SYNC_FAILED with an empty capture per attempt', async () => {
    const s = scripted(() => undefined);
    const times: { t: number; dtr: boolean; rts: boolean }[] = [];
    s.pair.device.onSignals((sig) => times.push({ t: s.clock.now(), ...sig }));
    const link = new EspLink(s.pair.host, s.clock, undefined);
    const err = await kilnRejection(connectAndSync(link, { attempts: 5 }));
    expect(err.code).toBe('SYNC_FAILED');
    expect(err.hint).toMatch(/TX goes to RX/);
    const strategies = connectStrategies('uart', 'default');
    const expected = [0, 1, 2, 3, 0].flatMap((i) => levels(strategies[i]!.steps));
    // Then one plain reset per boot-text listen (74880 and 115200 baud), GPIO0 released: a normal boot.
    const listenResets = [0, 1].flatMap(() => levels(hardReset().steps));
    expect(s.pair.signalLog.map((r) => r.signals)).toEqual([...expected, ...listenResets]);
    // The hold times are real waits on the clock: IO0 low for 550 ms in the second attempt.
    const second = times.slice(6, 12);
    expect(second[3]!.t - second[2]!.t).toBe(100);
    expect(second[4]!.t - second[3]!.t).toBe(550);
    const capture = err.details!.capture as unknown as ConnectCapture;
    expect(capture.attempts.map((a) => a.strategy)).toEqual([
      'unix-tight',
      'unix-tight',
      'classic',
      'classic',
      'unix-tight',
    ]);
    expect(capture.attempts.every((a) => a.rxHex === '' && a.baud === 115200)).toBe(true);
    expect(capture.syncFrameHex).toBe(SYNC_FRAME.toString('hex'));
    expect(capture.listens).toEqual([
      { baud: 74880, rxHex: '' },
      { baud: 115200, rxHex: '' },
    ]);
    expect(s.pair.host.baudRate).toBe(115200);
    // 5 SYNC frames per attempt.
    expect(s.requests.filter((r) => r.op === Op.SYNC)).toHaveLength(25);
  });

  it('boot text before the 8 SYNC replies is kept in the capture and the surplus replies are drained', async () => {
    const boot = Buffer.from('ets Jan  8 2013,rst cause:2, boot mode:(1,7)\r\n\r\n');
    const s = scripted((req) => {
      if (req.op === Op.SYNC) return [{ raw: boot }, ...syncReplies()];
      if (req.op === Op.READ_REG) return reply(Op.READ_REG, 0xfff0c101);
      return undefined;
    });
    const link = new EspLink(s.pair.host, s.clock, undefined);
    const r = await connectAndSync(link, {});
    expect(r.stubRunning).toBe(false);
    expect(r.capture.attempts).toHaveLength(1);
    expect(r.capture.attempts[0]!.rxHex.startsWith(boot.toString('hex'))).toBe(true);
    // None of the 8 SYNC replies is left to pose as the answer to the next command.
    expect(await link.readReg(0x40001000)).toBe(0xfff0c101);
  });

  it('boot text only (firmware running): SYNC_FAILED keeps every byte, per attempt', async () => {
    const text = Buffer.from('rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n');
    const s = scripted((req) => (req.op === Op.SYNC ? { raw: text } : undefined));
    const link = new EspLink(s.pair.host, s.clock, undefined);
    const err = await kilnRejection(connectAndSync(link, { attempts: 2 }));
    expect(err.code).toBe('SYNC_FAILED');
    const capture = err.details!.capture as unknown as ConnectCapture;
    expect(capture.attempts).toHaveLength(2);
    for (const a of capture.attempts) expect(a.rxHex).toBe(text.toString('hex').repeat(5));
    expect(err.hint).toMatch(/running its firmware/);
  });

  it('TX/RX shorted: our own frames come back, and the hint says so', async () => {
    const s = scripted(() => undefined);
    s.pair.device.onHostData((chunk) => s.pair.device.send(chunk));
    const link = new EspLink(s.pair.host, s.clock, undefined);
    const err = await kilnRejection(connectAndSync(link, { attempts: 1 }));
    expect(err.code).toBe('SYNC_FAILED');
    expect(err.hint).toMatch(/shorted/);
    const capture = err.details!.capture as unknown as ConnectCapture;
    expect(capture.attempts[0]!.rxHex).toContain(SYNC_FRAME.toString('hex'));
  });

  it('a stub already running answers SYNC with value 0', async () => {
    const s = scripted((req) => (req.op === Op.SYNC ? syncReplies(0) : undefined));
    const link = new EspLink(s.pair.host, s.clock, undefined);
    expect((await connectAndSync(link, { before: 'no-reset' })).stubRunning).toBe(true);
    expect(s.pair.signalLog).toHaveLength(0);
  });

  it('an unplug during sync is DEVICE_LOST naming the port, never SYNC_FAILED', async () => {
    const s = scripted(() => undefined, { path: '/dev/ttyUSB7' });
    s.clock.setTimer(300, () => s.pair.device.unplug());
    const link = new EspLink(s.pair.host, s.clock, undefined);
    const err = await kilnRejection(connectAndSync(link, { attempts: 7 }));
    expect(err.code).toBe('DEVICE_LOST');
    expect(err.message).toContain('/dev/ttyUSB7');
    expect(s.clock.now()).toBeLessThan(1000);
  });

  it('a cancel during sync is CANCELLED', async () => {
    const s = scripted(() => undefined);
    const ac = new AbortController();
    s.clock.setTimer(400, () => ac.abort());
    const link = new EspLink(s.pair.host, s.clock, ac.signal);
    const err = await kilnRejection(connectAndSync(link, { attempts: 7 }));
    expect(err.code).toBe('CANCELLED');
    expect(s.clock.now()).toBeLessThan(1000);
  });

  it('a port whose lines cannot be set (pty: ENOTTY) still gets SYNC, with a log line', async () => {
    const s = scripted((req) => (req.op === Op.SYNC ? syncReplies() : undefined));
    s.pair.host.setSignals = async () => {
      throw Object.assign(new Error('Inappropriate ioctl for device'), { code: 'ENOTTY' });
    };
    const logs: string[] = [];
    const link = new EspLink(s.pair.host, s.clock, undefined);
    await connectAndSync(link, { onLog: (m) => logs.push(m) });
    expect(logs.join('\n')).toMatch(/could not set DTR\/RTS/);
  });

  it('sync reply arriving late on the 3rd try still connects (retries within an attempt)', async () => {
    let n = 0;
    const s = scripted((req) => (req.op === Op.SYNC && ++n === 3 ? syncReplies() : undefined));
    const link = new EspLink(s.pair.host, s.clock, undefined);
    const r = await connectAndSync(link, {});
    expect(r.capture.attempts).toHaveLength(1);
    expect(n).toBe(3);
  });
});
