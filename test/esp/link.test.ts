import { describe, expect, it } from 'vitest';
import { EspLink } from '../../src-main/esp/link/link';
import { Op, ROM_ERRORS, STUB_ERRORS, words, readStatus } from '../../src-main/esp/link/protocol';
import { ALL_STATUS_NAMES, STATUS_MEANINGS, statusError } from '../../src-main/esp/link/errors';
import { timeoutFor } from '../../src-main/esp/link/commands';
import { ERROR_CODES } from '../../src-main/core/errors';
import { reply, scripted } from './scripted-device';
import { kilnRejection } from '../helpers/errors';

describe('status mapping', () => {
  it('names every ROM and stub status, each to a catalogue code with a cause and a hint', () => {
    expect(ALL_STATUS_NAMES).toHaveLength(Object.keys(ROM_ERRORS).length + Object.keys(STUB_ERRORS).length);
    for (const name of ALL_STATUS_NAMES) {
      const m = STATUS_MEANINGS[name];
      expect(m, name).toBeDefined();
      expect(m!.hint.length).toBeGreaterThan(10);
      expect(Object.keys(ERROR_CODES)).toContain(m!.code('write'));
    }
  });

  it.each([
    [Op.FLASH_DATA, [1, 0x08], 'FLASH_WRITE_FAILED', 'ROM_FLASH_WRITE_ERROR'],
    [Op.FLASH_DEFL_DATA, [0xc4, 0], 'FLASH_WRITE_FAILED', 'STUB_FAILED_SPI_OP'],
    [Op.ERASE_REGION, [0xc4, 0], 'ERASE_FAILED', 'STUB_FAILED_SPI_OP'],
    [Op.READ_FLASH, [0xc4, 0], 'FLASH_READ_FAILED', 'STUB_FAILED_SPI_OP'],
    [Op.FLASH_DEFL_DATA, [0xc1, 0], 'PROTOCOL_ERROR', 'STUB_BAD_DATA_CHECKSUM'],
    [Op.FLASH_DATA, [1, 0x07], 'PROTOCOL_ERROR', 'ROM_BAD_CHECKSUM'],
    [Op.FLASH_DEFL_DATA, [0xc7, 0], 'FLASH_WRITE_FAILED', 'STUB_INFLATE_ERROR'],
    [Op.FLASH_DEFL_END, [0xc8, 0], 'FLASH_WRITE_FAILED', 'STUB_NOT_ENOUGH_DATA'],
    [Op.MEM_DATA, [1, 0x0f], 'STUB_FAILED', 'ROM_BAD_RAM_ADDRESS'],
    [Op.SPI_FLASH_MD5, [0xff, 0], 'UNSUPPORTED', 'STUB_CMD_NOT_IMPLEMENTED'],
    [Op.READ_FLASH_SLOW, [1, 0x0a], 'FLASH_READ_FAILED', 'ROM_READ_LENGTH_ERROR'],
  ])('op 0x%s status %j → %s', (op, bytes, code, name) => {
    const e = statusError(op, readStatus(Buffer.from(bytes)));
    expect(e.code).toBe(code);
    expect(e.details).toMatchObject({ status: name, statusBytes: Buffer.from(bytes).toString('hex') });
    expect(typeof e.details!.command).toBe('string');
    expect(e.hint).toBeTruthy();
  });

  it('an unknown ROM error code is DEVICE_ERROR with the raw bytes', () => {
    const e = statusError(Op.FLASH_BEGIN, readStatus(Buffer.from([0x01, 0x42])));
    expect(e.code).toBe('DEVICE_ERROR');
    expect(e.details).toMatchObject({ command: 'FLASH_BEGIN', statusBytes: '0142' });
  });

  it('a status in neither the ROM nor the stub form was garbled on the line: PROTOCOL_ERROR with the raw bytes', () => {
    const e = statusError(Op.FLASH_BEGIN, readStatus(Buffer.from([0x42, 0x17])));
    expect(e.code).toBe('PROTOCOL_ERROR');
    expect(e.details).toMatchObject({ command: 'FLASH_BEGIN', statusBytes: '4217' });
    expect(e.hint).toMatch(/lower baud/);
  });
});

describe('command table', () => {
  it('holds esptool\u2019s timeouts, scaled by size with the default as floor', () => {
    expect(timeoutFor(Op.READ_REG)).toBe(3000);
    expect(timeoutFor(Op.SYNC)).toBe(100);
    expect(timeoutFor(Op.ERASE_FLASH)).toBe(120_000);
    expect(timeoutFor(Op.SPI_FLASH_MD5, 4 * 1024 * 1024)).toBe(32_000);
    expect(timeoutFor(Op.SPI_FLASH_MD5, 1024)).toBe(3000);
    expect(timeoutFor(Op.ERASE_REGION, 2 * 1024 * 1024)).toBe(60_000);
    expect(timeoutFor(Op.FLASH_DEFL_DATA, 1024 * 1024)).toBe(40_000);
    expect(timeoutFor(Op.MEM_END, 0, { rom: true })).toBe(200);
    expect(timeoutFor(Op.FLASH_BEGIN, 1024 * 1024, { rom: true })).toBe(30_000);
    expect(timeoutFor(Op.FLASH_BEGIN, 1024 * 1024, { rom: false })).toBe(3000);
  });
});

describe('link: commands, replies, timeouts', () => {
  it('READ_REG returns the value field; stale frames of other opcodes are skipped', async () => {
    const s = scripted((req) =>
      req.op === Op.READ_REG
        ? [reply(Op.MEM_BEGIN, 1), reply(Op.READ_REG, req.data.readUInt32LE(0) ^ 0xffffffff)]
        : undefined,
    );
    const link = new EspLink(s.pair.host, s.clock, undefined);
    expect(await link.readReg(0x12345678)).toBe((0x12345678 ^ 0xffffffff) >>> 0);
  });

  it('a status failure throws the mapped error with the command name', async () => {
    const s = scripted((req) => reply(req.op, 0, Buffer.alloc(0), [1, 0x08, 0, 0]));
    const link = new EspLink(s.pair.host, s.clock, undefined);
    const e = await kilnRejection(link.command(Op.FLASH_DATA, words(0, 0, 0, 0)));
    expect(e.code).toBe('FLASH_WRITE_FAILED');
    expect(e.details).toMatchObject({
      command: 'FLASH_DATA',
      status: 'ROM_FLASH_WRITE_ERROR',
      statusBytes: '0108',
    });
  });

  it('silence is TIMEOUT after exactly the table\u2019s time, naming the command', async () => {
    const s = scripted(() => undefined);
    const link = new EspLink(s.pair.host, s.clock, undefined);
    const e = await kilnRejection(link.readReg(0x40001000));
    expect(e.code).toBe('TIMEOUT');
    expect(e.details).toMatchObject({ command: 'READ_REG', timeoutMs: 3000, port: '/dev/ttyTEST0' });
    expect(s.clock.now()).toBe(3000);
    const t0 = s.clock.now();
    const e2 = await kilnRejection(link.command(Op.ERASE_FLASH));
    expect(e2.details).toMatchObject({ command: 'ERASE_FLASH', timeoutMs: 120_000 });
    expect(s.clock.now() - t0).toBe(120_000);
  });

  it('a reply that arrives just in time is taken; one that arrives late is not', async () => {
    const s = scripted((req) => ({ delayMs: req.data.readUInt32LE(0), then: [reply(Op.READ_REG, 7)] }));
    const link = new EspLink(s.pair.host, s.clock, undefined);
    expect(await link.readReg(2999)).toBe(7);
    const e = await kilnRejection(link.readReg(3001));
    expect(e.code).toBe('TIMEOUT');
  });

  it('the ROM\u2019s "unsupported" reply to another opcode becomes UNSUPPORTED, and its repeats are swallowed', async () => {
    const s = scripted((req) => {
      if (req.op === Op.GET_SECURITY_INFO)
        return Array.from({ length: 8 }, () => reply(0x00, 0, Buffer.alloc(0), [1, 5]));
      if (req.op === Op.READ_REG) return reply(Op.READ_REG, 0xfff0c101);
      return undefined;
    });
    const link = new EspLink(s.pair.host, s.clock, undefined);
    const e = await kilnRejection(link.command(Op.GET_SECURITY_INFO));
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.details).toMatchObject({ command: 'GET_SECURITY_INFO' });
    expect(await link.readReg(0x40001000)).toBe(0xfff0c101);
  });

  it('an "unsupported" reply to a command every loader knows (READ_REG) is a damaged request: PROTOCOL_ERROR', async () => {
    // The other-opcode form (the ROM answered the op it received, not the one sent) and the same-opcode status form.
    for (const answer of [
      reply(0x00, 0, Buffer.alloc(0), [1, 5]),
      reply(Op.READ_REG, 0, Buffer.alloc(0), [1, 5]),
    ]) {
      const s = scripted((req) => (req.op === Op.READ_REG ? answer : undefined));
      const e = await kilnRejection(new EspLink(s.pair.host, s.clock, undefined).readReg(0x40001000));
      expect(e.code).toBe('PROTOCOL_ERROR');
      expect(e.details).toMatchObject({ command: 'READ_REG' });
      expect(e.hint).toMatch(/lower baud/);
    }
  });

  it('an unplug while waiting ends the wait at once with DEVICE_LOST naming the port, not TIMEOUT', async () => {
    const s = scripted(() => undefined, { path: '/dev/ttyACM3' });
    s.clock.setTimer(10, () => s.pair.device.unplug());
    const link = new EspLink(s.pair.host, s.clock, undefined);
    const e = await kilnRejection(link.command(Op.ERASE_FLASH));
    expect(e.code).toBe('DEVICE_LOST');
    expect(e.message).toContain('/dev/ttyACM3');
    expect(s.clock.now()).toBe(10);
    // Later commands fail the same way, immediately.
    expect((await kilnRejection(link.readReg(0))).code).toBe('DEVICE_LOST');
  });

  it('an abort while waiting is CANCELLED, from the session or the call signal', async () => {
    const s = scripted(() => undefined);
    const session = new AbortController();
    const link = new EspLink(s.pair.host, s.clock, session.signal);
    const call = new AbortController();
    s.clock.setTimer(5, () => call.abort());
    expect((await kilnRejection(link.command(Op.ERASE_FLASH, undefined, { signal: call.signal }))).code).toBe(
      'CANCELLED',
    );
    expect(s.clock.now()).toBe(5);
    s.clock.setTimer(5, () => session.abort());
    expect((await kilnRejection(link.command(Op.ERASE_FLASH))).code).toBe('CANCELLED');
    expect(s.clock.now()).toBe(10);
  });
});
