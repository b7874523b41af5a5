import { describe, expect, it } from 'vitest';
import { Op, SYNC_PAYLOAD, decodeResponse, words } from '../../src-main/esp/link/protocol';
import { slipEncode } from '../../src-main/esp/link/slip';
import { encodeRequest } from '../../src-main/esp/link/protocol';
import { esp8266RomEraseSectors, ROM_SYNC_VALUE, ROM_UNSUPPORTED_REPLY_OP } from '../../src-main/sim/rom';
import { rig } from './rig';

/** esptool's ESP8266 erase-size workaround (protocol notes §4), written from the notes for the test. */
function esptoolErase8266(offset: number, size: number): number {
  const n = Math.ceil(size / 4096);
  const start = Math.floor(offset / 4096);
  const h = Math.min(16 - (start % 16), n);
  return n < 2 * h ? Math.ceil(n / 2) * 4096 : (n - h) * 4096;
}

describe('ROM loader', () => {
  it('answers SYNC with 8 identical replies, value 0x20120707, 2 status bytes on the ESP8266', async () => {
    const r = rig({ chip: 'esp8266' });
    await r.classicReset();
    const replies = await r.sync();
    expect(replies).toHaveLength(8);
    for (const rep of replies) {
      expect(rep.value).toBe(ROM_SYNC_VALUE);
      expect([...rep.data]).toEqual([0, 0]);
    }
    await r.close();
  });

  it('uses 4 status bytes on ESP32 and ESP32-C3 ROMs', async () => {
    for (const chip of ['esp32', 'esp32c3'] as const) {
      const r = rig({ chip });
      await r.classicReset();
      const replies = await r.sync();
      expect(replies).toHaveLength(8);
      expect([...replies[0]!.data]).toEqual([0, 0, 0, 0]);
      await r.close();
    }
  });

  it('carries the previous READ_REG value in other replies (stale value field)', async () => {
    const r = rig({ chip: 'esp32', mac: '24:6f:28:7a:d8:84' });
    await r.classicReset();
    await r.sync();
    const magic = await r.command(Op.READ_REG, words(0x40001000));
    expect(magic.value).toBe(0x00f01d83);
    const attach = await r.command(Op.SPI_ATTACH, Buffer.alloc(8));
    expect(attach.value).toBe(0x00f01d83);
    const mac = await r.command(Op.READ_REG, words(0x3ff5a004));
    expect(mac.value).toBe(0x287ad884);
    const begin = await r.command(Op.MEM_BEGIN, words(0x100, 1, 0x1800, 0x40090000));
    expect(begin.value).toBe(0x287ad884);
  });

  it('answers a command the ROM lacks with [1, 5] eight times, on another op byte', async () => {
    const r = rig({ chip: 'esp8266' });
    await r.classicReset();
    await r.sync();
    r.frames.length = 0;
    await r.send(Op.GET_SECURITY_INFO);
    await r.wait(50);
    const replies = r.frames.map((f) => decodeResponse(f)!);
    expect(replies).toHaveLength(8);
    for (const rep of replies) {
      expect(rep.op).toBe(ROM_UNSUPPORTED_REPLY_OP);
      expect(rep.op).not.toBe(Op.GET_SECURITY_INFO);
      expect([...rep.data]).toEqual([1, 5]);
    }
    // Deflate, MD5 and CHANGE_BAUDRATE are not in the ESP8266 ROM either.
    for (const op of [Op.FLASH_DEFL_BEGIN, Op.SPI_FLASH_MD5, Op.CHANGE_BAUDRATE]) {
      r.frames.length = 0;
      await r.send(op, Buffer.alloc(16));
      await r.wait(50);
      expect(r.frames.map((f) => decodeResponse(f)!.data[1])).toEqual(Array(8).fill(5));
    }
    await r.close();
  });

  it('ESP32-C3 ROM answers GET_SECURITY_INFO with the 20-byte form, chip_id 5; the ESP32 ROM does not', async () => {
    const c3 = rig({ chip: 'esp32c3' });
    await c3.classicReset();
    await c3.sync();
    const si = await c3.command(Op.GET_SECURITY_INFO);
    expect(si.data.length).toBe(24);
    expect(si.data.readUInt32LE(12)).toBe(5);
    await c3.close();
    const e32 = rig({ chip: 'esp32' });
    await e32.classicReset();
    await e32.sync();
    e32.frames.length = 0;
    await e32.send(Op.GET_SECURITY_INFO);
    await e32.wait(50);
    expect(e32.frames.map((f) => [...decodeResponse(f)!.data])).toEqual(Array(8).fill([1, 5, 0, 0]));
    await e32.close();
  });

  it("ESP8266 ROM erase bug: esptool's workaround erases exactly the region, a naive size destroys data after it", async () => {
    expect(esp8266RomEraseSectors(0x1000, esptoolErase8266(0x1000, 300_000))).toEqual({
      firstSector: 1,
      count: 74,
    });
    expect(esptoolErase8266(0x1000, 300_000)).toBe(0x3b000);
    const offset = 0x10000;
    const size = 0x20000; // 32 sectors from a block boundary: n = 32, h = 16 → esptool sends 16 sectors
    for (const [eraseSize, expectDamage] of [
      [esptoolErase8266(offset, size), false],
      [size, true],
    ] as const) {
      const image = Buffer.alloc(0x80000, 0x00); // a flash full of written (non-0xFF) data
      const r = rig({ chip: 'esp8266', flashImage: image });
      await r.classicReset();
      await r.sync();
      const rep = await r.command(Op.FLASH_BEGIN, words(eraseSize, size / 0x400, 0x400, offset));
      expect([...rep.data]).toEqual([0, 0]);
      const f = r.device.flash;
      expect(f.subarray(offset, offset + size).every((b) => b === 0xff)).toBe(true);
      expect(f[offset - 1]).toBe(0x00);
      const after = f.subarray(offset + size, offset + size + 0x10000);
      expect(after.some((b) => b === 0xff)).toBe(expectDamage);
      await r.close();
    }
  });

  it('FLASH_BEGIN takes 16 bytes on the ESP8266/ESP32 ROMs and 20 on the C3 ROM', async () => {
    for (const [chip, good, bad] of [
      ['esp8266', 16, 20],
      ['esp32', 16, 20],
      ['esp32c3', 20, 16],
    ] as const) {
      const r = rig({ chip });
      await r.classicReset();
      await r.sync();
      const ok = await r.command(
        Op.FLASH_BEGIN,
        Buffer.concat([words(0x1000, 4, 0x400, 0x1000), Buffer.alloc(good - 16)]),
      );
      expect(ok.data[0]).toBe(0);
      const no = await r.command(
        Op.FLASH_BEGIN,
        Buffer.concat([words(0x1000, 4, 0x400, 0x1000), Buffer.alloc(bad - 16)]),
      );
      expect([no.data[0], no.data[1]]).toEqual([1, 5]);
      await r.close();
    }
  });

  it('ROM FLASH_DATA programs with NOR semantics and checks the checksum', async () => {
    const image = Buffer.alloc(0x10000, 0xff);
    image.fill(0x0f, 0x2000, 0x3000); // already-programmed sector that the host will not erase
    const r = rig({ chip: 'esp32', flashImage: image });
    await r.classicReset();
    await r.sync();
    await r.command(Op.SPI_ATTACH, Buffer.alloc(8));
    expect((await r.command(Op.FLASH_BEGIN, words(0x400, 1, 0x400, 0x1000))).data[0]).toBe(0);
    const block = Buffer.alloc(0x400, 0xf5);
    await r.sendData(Op.FLASH_DATA, [block.length, 0, 0, 0], block);
    await r.until(() => r.frames.length > 0);
    expect([...decodeResponse(r.frames.shift()!)!.data]).toEqual([0, 0, 0, 0]);
    expect(r.device.flash.subarray(0x1000, 0x1400).every((b) => b === 0xf5)).toBe(true);
    // Bad checksum → 0x07.
    const bad = await r.command(Op.FLASH_DATA, Buffer.concat([words(block.length, 1, 0, 0), block]), 0x12);
    expect([bad.data[0], bad.data[1]]).toEqual([1, 7]);
    // Write without erase (FLASH_BEGIN with erase size 0) at 0x2000: result is old AND new.
    await r.command(Op.FLASH_BEGIN, words(0, 1, 0x400, 0x2000));
    const fresh = Buffer.alloc(0x400, 0xf3);
    await r.sendData(Op.FLASH_DATA, [fresh.length, 0, 0, 0], fresh);
    await r.wait(100);
    expect(r.device.flash[0x2000]).toBe(0x0f & 0xf3);
    await r.close();
  });

  it('ESP32 ROM: MD5 as 32 hex characters, READ_FLASH_SLOW 64 bytes, CHANGE_BAUDRATE replied at the old baud', async () => {
    const image = Buffer.alloc(0x2000, 0xff);
    image.write('hello flash', 0x100, 'latin1');
    const r = rig({ chip: 'esp32', flashImage: image });
    await r.classicReset();
    await r.sync();
    const md5 = await r.command(Op.SPI_FLASH_MD5, words(0, 0x2000, 0, 0));
    const { createHash } = await import('node:crypto');
    expect(md5.data.subarray(0, 32).toString('ascii')).toBe(createHash('md5').update(image).digest('hex'));
    expect(md5.data.length).toBe(36);
    const slow = await r.command(Op.READ_FLASH_SLOW, words(0x100, 64));
    expect(slow.data.subarray(0, 11).toString('latin1')).toBe('hello flash');
    expect(slow.data.length).toBe(68);
    // esptool's ESP32 workaround (targets/esp32.py change_baud): scale by the ROM's calibrated crystal estimate.
    const cali = ((await r.command(Op.READ_REG, words(0x3ff5f06c))).value >>> 7) & 0x1ffffff;
    const ck8m = (await r.command(Op.READ_REG, words(0x3ff5a010))).value & 0xff;
    const romFreq = (cali * 15625 * ck8m) / 40;
    expect(romFreq).toBeGreaterThan(33_000_000);
    const baud = await r.command(Op.CHANGE_BAUDRATE, words(Math.floor((460800 * romFreq) / 40_000_000), 0));
    expect(baud.data[0]).toBe(0);
    // The host follows; the next command at the new baud is understood.
    await r.pair.host.setBaudRate(460800);
    await r.wait(50);
    const magic = await r.command(Op.READ_REG, words(0x40001000));
    expect(magic.value).toBe(0x00f01d83);
    await r.close();
  });

  it.each(['esp32', 'esp32c3', 'esp32s3', 'esp32c6'] as const)(
    '%s ROM, esptool --no-stub: SPI_ATTACH, SPI_SET_PARAMS, FLASH_BEGIN/DATA/END, MD5 as 32 hex characters, CHANGE_BAUDRATE (new, 0)',
    async (chip) => {
      const { createHash } = await import('node:crypto');
      const r = rig({ chip });
      await r.classicReset();
      await r.sync();
      const ok = (reply: { data: Buffer }) => [...reply.data.subarray(-4)];
      // esptool sends the ROM SPI_ATTACH with a second "is legacy" word, and SPI_SET_PARAMS with six words.
      expect(ok(await r.command(Op.SPI_ATTACH, words(0, 0)))).toEqual([0, 0, 0, 0]);
      const params = words(0, 4 * 1024 * 1024, 64 * 1024, 4096, 256, 0xffff);
      expect(ok(await r.command(Op.SPI_SET_PARAMS, params))).toEqual([0, 0, 0, 0]);
      // Uncompressed write in 0x400-byte blocks (esptool's ROM FLASH_WRITE_SIZE), last one padded with 0xFF.
      const image = Buffer.from(Array.from({ length: 0x900 }, (_, i) => (i * 7) & 0xff));
      const blocks = Math.ceil(image.length / 0x400);
      const begin = words(image.length, blocks, 0x400, 0x10000, ...(chip === 'esp32' ? [] : [0]));
      expect(ok(await r.command(Op.FLASH_BEGIN, begin, 0, 10_000))).toEqual([0, 0, 0, 0]);
      for (let i = 0; i < blocks; i++) {
        const block = Buffer.alloc(0x400, 0xff);
        image.copy(block, 0, i * 0x400, (i + 1) * 0x400);
        const { checksum } = await import('../../src-main/esp/link/protocol');
        const rep = await r.command(
          Op.FLASH_DATA,
          Buffer.concat([words(0x400, i, 0, 0), block]),
          checksum(block),
        );
        expect(ok(rep)).toEqual([0, 0, 0, 0]);
      }
      expect(ok(await r.command(Op.FLASH_END, words(1)))).toEqual([0, 0, 0, 0]);
      expect(r.device.mode).toBe('download'); // FLASH_END(1): stay in the loader
      const md5 = await r.command(Op.SPI_FLASH_MD5, words(0x10000, image.length, 0, 0));
      expect(md5.data.subarray(0, 32).toString('ascii')).toBe(createHash('md5').update(image).digest('hex'));
      expect(md5.data.length).toBe(36);
      // The ROM path sends the old baud as 0 (esptool loader.py change_baud: only "stub takes the new baud rate and
      // the old one").
      // The C3/S3/C6 ROMs take the rate as given (no crystal calibration modelled for them).
      if (chip !== 'esp32') {
        expect(ok(await r.command(Op.CHANGE_BAUDRATE, words(460800, 0)))).toEqual([0, 0, 0, 0]);
        await r.pair.host.setBaudRate(460800);
        await r.wait(50);
        expect((await r.command(Op.READ_REG, words(0x40001000))).data.length).toBe(4);
      }
      await r.close();
    },
  );

  it('ESP32 ROM: an uncompensated CHANGE_BAUDRATE leaves the UART a few percent off, and the link garbles', async () => {
    const r = rig({ chip: 'esp32' });
    await r.classicReset();
    await r.sync();
    await r.command(Op.CHANGE_BAUDRATE, words(460800, 0));
    await r.pair.host.setBaudRate(460800);
    await r.wait(50);
    r.frames.length = 0;
    await r.send(Op.READ_REG, words(0x40001000));
    await r.wait(200);
    expect(r.frames.map((f) => decodeResponse(f)).filter((x) => x?.op === Op.READ_REG)).toHaveLength(0);
    await r.close();
  });

  it('paces bytes at 10 bits per byte at the current baud, in both directions', async () => {
    const r = rig({ chip: 'esp32c3' });
    await r.classicReset();
    await r.sync();
    r.arrivals.length = 0;
    const t0 = r.clock.now();
    await r.pair.host.write(slipEncode(encodeRequest(Op.READ_REG, words(0x40001000))));
    await r.until(() => r.arrivals.length > 0);
    // 14 bytes out at 115200, then a 14-byte reply (8 header + 4 status + 2 × C0) back at 115200.
    const expected = ((14 + 14) * 10 * 1000) / 115200;
    expect(r.arrivals[0]!.at - t0).toBeCloseTo(expected, 6);
    expect(r.arrivals[0]!.bytes.length).toBe(14);
    // After a baud change both directions run at the new rate.
    await r.command(Op.CHANGE_BAUDRATE, words(921600, 0));
    await r.pair.host.setBaudRate(921600);
    await r.wait(10);
    r.arrivals.length = 0;
    const t1 = r.clock.now();
    await r.pair.host.write(slipEncode(encodeRequest(Op.READ_REG, words(0x40001000))));
    await r.until(() => r.arrivals.length > 0);
    expect(r.arrivals[0]!.at - t1).toBeCloseTo(((14 + 14) * 10 * 1000) / 921600, 6);
    await r.close();
  });

  it('rejects a SYNC whose payload is wrong', async () => {
    const r = rig({ chip: 'esp32' });
    await r.classicReset();
    await r.sync();
    const bad = Buffer.from(SYNC_PAYLOAD);
    bad[5] = 0;
    const rep = await r.command(Op.SYNC, bad);
    expect([rep.data[0], rep.data[1]]).toEqual([1, 5]);
    await r.close();
  });
});
