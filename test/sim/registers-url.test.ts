import { describe, expect, it } from 'vitest';
import { Op, words } from '../../src-main/esp/link/protocol';
import { FAULT_NAMES, parseSimUrl } from '../../src-main/sim/index';
import { rig, type Rig } from './rig';
import { uploadStub } from './stub-upload';

/** esptool's run_spiflash_command (loader.py), as READ_REG/WRITE_REG traffic. */
async function spiCommand(
  r: Rig,
  chip: 'esp8266' | 'esp32' | 'esp32c3',
  opcode: number,
  readBits: number,
  addr?: number,
) {
  const spi = {
    esp8266: { base: 0x60000200, usr: 0x1c, usr1: 0x20, usr2: 0x24, w0: 0x40 },
    esp32: { base: 0x3ff42000, usr: 0x1c, usr1: 0x20, usr2: 0x24, w0: 0x80 },
    esp32c3: { base: 0x60002000, usr: 0x18, usr1: 0x1c, usr2: 0x20, w0: 0x58 },
  }[chip];
  const wr = (a: number, v: number) => r.command(Op.WRITE_REG, words(a, v, 0xffffffff, 0));
  const rd = async (a: number) => (await r.command(Op.READ_REG, words(a))).value;
  const oldUsr = await rd(spi.base + spi.usr);
  const oldUsr2 = await rd(spi.base + spi.usr2);
  let flags = (1 << 31) | (readBits > 0 ? 1 << 28 : 0);
  if (addr !== undefined) flags |= 1 << 30;
  await wr(spi.base + spi.usr, flags);
  await wr(spi.base + spi.usr2, (7 << 28) | opcode);
  if (addr !== undefined) await wr(spi.base + 0x04, addr << 8);
  await wr(spi.base + spi.w0, 0);
  await wr(spi.base, 1 << 18);
  expect((await rd(spi.base)) & (1 << 18)).toBe(0);
  const status = await rd(spi.base + spi.w0);
  await wr(spi.base + spi.usr, oldUsr);
  await wr(spi.base + spi.usr2, oldUsr2);
  return status;
}

describe('registers', () => {
  it('RDID answers a JEDEC id whose capacity byte matches the flash size; SFDP starts with its signature', async () => {
    for (const [chip, size, id] of [
      ['esp8266', 4 << 20, 0x1640ef],
      ['esp32', 16 << 20, 0x1840ef],
      ['esp32c3', 1 << 20, 0x1440ef],
    ] as const) {
      const r = rig({ chip, flashSize: size });
      await r.classicReset();
      await r.sync();
      expect((await spiCommand(r, chip, 0x9f, 24)) & 0xffffff).toBe(id);
      expect(await spiCommand(r, chip, 0x5a, 32, 0)).toBe(Buffer.from('SFDP').readUInt32LE(0));
      // Density dword of the basic flash parameter table: bits - 1.
      expect(await spiCommand(r, chip, 0x5a, 32, 0x34)).toBe(size * 8 - 1);
      await spiCommand(r, chip, 0x66, 0);
      await spiCommand(r, chip, 0x99, 0);
      await r.close();
    }
  });

  it('the same SPI sequence works under the stub', async () => {
    const r = rig({ chip: 'esp8266', flashSize: 2 << 20 });
    await r.classicReset();
    await r.sync();
    await uploadStub(r, 'esp8266');
    await r.until(() => r.frames.some((f) => f.toString('latin1') === 'OHAI'));
    expect((await spiCommand(r, 'esp8266', 0x9f, 24)) & 0xffffff).toBe(0x1540ef);
    await r.close();
  });

  it("UART CLKDIV gives esptool's crystal estimate: 26 MHz on the ESP8266, 40 MHz on the ESP32", async () => {
    for (const [chip, reg, k, xtal] of [
      ['esp8266', 0x60000014, 2, 26],
      ['esp32', 0x3ff40014, 1, 40],
    ] as const) {
      const r = rig({ chip });
      await r.classicReset();
      await r.sync();
      const div = (await r.command(Op.READ_REG, words(reg))).value & 0xfffff;
      const est = (115200 * div) / 1e6 / k;
      expect(Math.abs(est - xtal)).toBeLessThan(0.5);
      await r.close();
    }
  });

  it('eFuse MAC decodes per chip the way hosts decode it, and differs per seed', async () => {
    const macs = new Set<string>();
    for (const seed of [1, 2]) {
      const r = rig({ chip: 'esp8266', seed });
      await r.classicReset();
      await r.sync();
      const rd = async (a: number) => (await r.command(Op.READ_REG, words(a))).value;
      const [w0, w1, w3] = [await rd(0x3ff00050), await rd(0x3ff00054), await rd(0x3ff0005c)];
      const oui =
        w3 !== 0
          ? [(w3 >> 16) & 0xff, (w3 >> 8) & 0xff, w3 & 0xff]
          : ((w1 >> 16) & 0xff) === 0
            ? [0x18, 0xfe, 0x34]
            : [0xac, 0xd0, 0x74];
      const mac = [...oui, (w1 >> 8) & 0xff, w1 & 0xff, (w0 >>> 24) & 0xff]
        .map((b) => b.toString(16).padStart(2, '0'))
        .join(':');
      expect(mac).toBe(r.device.mac);
      expect(mac.startsWith('18:fe:34:')).toBe(true);
      macs.add(mac);
      await r.close();
    }
    expect(macs.size).toBe(2);
    const c3 = rig({ chip: 'esp32c3', mac: '34:85:18:01:02:03' });
    await c3.classicReset();
    await c3.sync();
    const lo = (await c3.command(Op.READ_REG, words(0x60008844))).value;
    const hi = (await c3.command(Op.READ_REG, words(0x60008848))).value & 0xffff;
    expect([hi >> 8, hi & 0xff, lo >>> 24, (lo >> 16) & 0xff, (lo >> 8) & 0xff, lo & 0xff]).toEqual([
      0x34, 0x85, 0x18, 1, 2, 3,
    ]);
    await c3.close();
  });

  it('ESP8266: the first MB of flash reads through the 0x40200000 window with READ_REG', async () => {
    const flashImage = Buffer.alloc(0x101000, 0xff);
    flashImage.writeUInt32LE(0x12345678, 0x1000);
    flashImage.writeUInt32LE(0xcafef00d, 0xffffc);
    const r = rig({ chip: 'esp8266', flashImage, flashSize: 2 << 20 });
    await r.classicReset();
    await r.sync();
    expect((await r.command(Op.READ_REG, words(0x40201000))).value).toBe(0x12345678);
    expect((await r.command(Op.READ_REG, words(0x402ffffc))).value).toBe(0xcafef00d);
    await r.close();
  });
});

describe('parseSimUrl', () => {
  it('reads chip, board aliases, faults with and without numbers, flash size, MAC and seed', () => {
    expect(parseSimUrl('sim:esp8266')).toEqual({ chip: 'esp8266', faults: {} });
    expect(parseSimUrl('sim:esp8266?fault=swap-txrx')).toEqual({
      chip: 'esp8266',
      faults: { swapTxRx: true },
    });
    expect(parseSimUrl('sim:esp8266?board=sonoff').board).toBe('no-auto-reset');
    expect(parseSimUrl('sim:esp8266?fault=not-in-download-mode')).toEqual({
      chip: 'esp8266',
      board: 'reset-only',
      faults: {},
    });
    expect(parseSimUrl('sim:esp32?fault=noise:0.02,drop-bytes&fault=unplug:500').faults).toEqual({
      noiseRate: 0.02,
      dropRate: 0.01,
      unplugAfterBytes: 500,
    });
    expect(parseSimUrl('sim:esp32c3?board=usb-jtag-serial&flash=8MB&mac=34:85:18:AA:BB:CC&seed=9')).toEqual({
      chip: 'esp32c3',
      board: 'usb-jtag-serial',
      faults: {},
      flashSize: 8 << 20,
      mac: '34:85:18:aa:bb:cc',
      seed: 9,
    });
  });

  it('every listed fault name parses', () => {
    for (const name of FAULT_NAMES) expect(() => parseSimUrl(`sim:esp32?fault=${name}`)).not.toThrow();
  });

  it('refuses unknown chips, boards, faults, options and bad values with BAD_REQUEST', () => {
    for (const url of [
      'sim:esp32s9',
      'sim:esp32?board=breadboard',
      'sim:esp32?fault=gremlins',
      'sim:esp32?colour=red',
      'sim:esp32?flash=3MB',
      'sim:esp32?mac=zz',
      'sim:esp32?fault=noise:lots',
      '/dev/ttyUSB0',
    ]) {
      expect(() => parseSimUrl(url), url).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    }
  });
});
