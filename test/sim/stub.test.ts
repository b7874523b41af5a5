import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Op, SYNC_PAYLOAD, decodeResponse, words } from '../../src-main/esp/link/protocol';
import { slipEncode } from '../../src-main/esp/link/slip';
import { rig, type Rig } from './rig';
import { stubJson, uploadStub } from './stub-upload';

async function stubRig(
  chip: 'esp8266' | 'esp32' | 'esp32c3',
  extra: Parameters<typeof rig>[0] = {},
): Promise<Rig> {
  const r = rig({ chip, ...extra });
  await r.classicReset();
  await r.sync();
  if (chip !== 'esp8266') await r.command(Op.SPI_ATTACH, Buffer.alloc(8));
  await uploadStub(r, chip);
  await r.until(() => r.frames.some((f) => f.toString('latin1') === 'OHAI'), 1000);
  r.frames.length = 0;
  return r;
}

/** Compressed write the way esptool does it: FLASH_DEFL_BEGIN, 16 KB blocks, FLASH_DEFL_END(1). */
async function deflateWrite(r: Rig, offset: number, image: Buffer): Promise<number[][]> {
  const z = zlib.deflateSync(image, { level: 9 });
  const blocks = Math.ceil(z.length / 0x4000);
  const statuses: number[][] = [];
  const begin = await r.command(Op.FLASH_DEFL_BEGIN, words(image.length, blocks, 0x4000, offset, 0));
  statuses.push([...begin.data]);
  for (let i = 0; i < blocks; i++) {
    const block = z.subarray(i * 0x4000, (i + 1) * 0x4000);
    const { checksum } = await import('../../src-main/esp/link/protocol');
    const rep = await r.command(
      Op.FLASH_DEFL_DATA,
      Buffer.concat([words(block.length, i, 0, 0), block]),
      checksum(block),
      20_000,
    );
    statuses.push([...rep.data]);
  }
  const end = await r.command(Op.FLASH_DEFL_END, words(1), 0, 20_000);
  statuses.push([...end.data]);
  return statuses;
}

function pseudoImage(len: number, seed = 3): Buffer {
  const b = Buffer.alloc(len);
  let x = seed;
  for (let i = 0; i < len; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = i % 7 === 0 ? x >>> 24 : (i >> 6) & 0xff; // compressible but not trivial
  }
  return b;
}

describe('stub behaviour', () => {
  it('starts the real stub at its entry and greets with OHAI; SYNC then answers 8 times with value 0', async () => {
    for (const chip of ['esp8266', 'esp32', 'esp32c3'] as const) {
      const r = await stubRig(chip);
      expect(r.device.mode).toBe('stub');
      await r.send(Op.SYNC, SYNC_PAYLOAD);
      await r.wait(50);
      const replies = r.frames.map((f) => decodeResponse(f)!);
      expect(replies).toHaveLength(8);
      expect(replies.every((x) => x.value === 0 && x.data.length === 2 && x.data[0] === 0)).toBe(true);
      await r.close();
    }
  });

  it('does not start a stub for another entry address', async () => {
    const r = rig({ chip: 'esp32' });
    await r.classicReset();
    await r.sync();
    await uploadStub(r, 'esp32', stubJson('esp32').entry + 4);
    await r.wait(200);
    expect(r.frames.some((f) => f.toString('latin1') === 'OHAI')).toBe(false);
    expect(r.device.mode).toBe('app');
    await r.close();
  });

  it('writes a deflated image (streaming across blocks) and answers MD5 with 16 raw bytes', async () => {
    const r = await stubRig('esp32');
    const image = pseudoImage(150_000);
    const statuses = await deflateWrite(r, 0x10000, image);
    expect(statuses.every((s) => s.length === 2 && s[0] === 0)).toBe(true);
    expect(r.device.flash.subarray(0x10000, 0x10000 + image.length).equals(image)).toBe(true);
    const md5 = await r.command(Op.SPI_FLASH_MD5, words(0x10000, image.length, 0, 0));
    expect(md5.data.subarray(0, 16).equals(createHash('md5').update(image).digest())).toBe(true);
    expect(md5.data.length).toBe(18);
    // FLASH_END(0)-style end does not reboot the v2 stub: it still answers.
    expect(r.device.mode).toBe('stub');
    await r.close();
  });

  it('lazy erase: erases only what is written, skips already-blank sectors, keeps data beyond the size', async () => {
    const flashImage = Buffer.alloc(0x40000, 0x11);
    flashImage.fill(0xff, 0x20000, 0x23000); // blank sectors at the start of the region
    const r = await stubRig('esp8266', { flashImage });
    const image = Buffer.alloc(0x1800, 0x22); // 1.5 sectors
    await deflateWrite(r, 0x20000, image);
    const f = r.device.flash;
    expect(f.subarray(0x20000, 0x21800).every((b) => b === 0x22)).toBe(true);
    // The rest of the second sector was erased (sector granularity), then left blank.
    expect(f.subarray(0x21800, 0x22000).every((b) => b === 0xff)).toBe(true);
    // Beyond the announced size nothing was touched.
    expect(f[0x23000]).toBe(0x11);
    expect(f[0x1ffff]).toBe(0x11);
    await r.close();
  });

  it('acknowledges DATA before writing and reports a write error on the next command', async () => {
    const r = await stubRig('esp32', { faults: { flashWriteError: true } });
    const z = zlib.deflateSync(Buffer.alloc(0x1000, 0x5a));
    const begin = await r.command(Op.FLASH_DEFL_BEGIN, words(0x1000, 1, 0x4000, 0x8000, 0));
    expect(begin.data[0]).toBe(0);
    const { checksum } = await import('../../src-main/esp/link/protocol');
    const data = await r.command(
      Op.FLASH_DEFL_DATA,
      Buffer.concat([words(z.length, 0, 0, 0), z]),
      checksum(z),
    );
    expect([...data.data]).toEqual([0, 0]); // acknowledged before the write
    const next = await r.command(Op.READ_REG, words(0x40001000));
    expect([...next.data]).toEqual([0xc4, 0x00]); // FAILED_SPI_OP, deferred
    expect(next.value).toBe(0); // the command was not executed
    const after = await r.command(Op.READ_REG, words(0x40001000));
    expect(after.value).toBe(0x00f01d83);
    await r.close();
  });

  it('holds two frames: a third DATA block sent before the second is picked up is lost (esp-flasher-stub)', async () => {
    // Flash under the region is not blank and slow, so block 0's erase + write outlasts blocks 1 and 2 on the wire.
    const r = await stubRig('esp8266', {
      flashImage: Buffer.alloc(0x20000, 0x00),
      faults: { slowFlashFactor: 4 },
    });
    const blocks = [0x11, 0x22, 0x33].map((v) => Buffer.alloc(0x100, v));
    const begin = await r.command(Op.FLASH_BEGIN, words(0x300, 3, 0x100, 0x10000, 0));
    expect(begin.data[0]).toBe(0);
    // All three sent back to back, without waiting for an ack.
    for (const [i, b] of blocks.entries()) await r.sendData(Op.FLASH_DATA, [b.length, i, 0, 0], b);
    await r.wait(3000);
    const acks = r.frames.map((f) => decodeResponse(f)).filter((x) => x?.op === Op.FLASH_DATA);
    expect(acks.map((a) => [...a!.data])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(r.device.flash.subarray(0x10000, 0x10100).every((b) => b === 0x11)).toBe(true);
    expect(r.device.flash.subarray(0x10100, 0x10200).every((b) => b === 0x22)).toBe(true);
    expect(r.device.flash.subarray(0x10200, 0x10300).every((b) => b === 0xff)).toBe(true);
    const end = await r.command(Op.FLASH_END, words(1));
    expect([...end.data]).toEqual([0xc8, 0x00]); // NOT_ENOUGH_DATA: block 2 never arrived
    await r.close();
  });

  it('rejects a bad checksum (0xC1) and a block over 16 KB (0xC2)', async () => {
    const r = await stubRig('esp8266');
    await r.command(Op.FLASH_BEGIN, words(0x400, 1, 0x400, 0x1000, 0));
    const block = Buffer.alloc(0x400, 1);
    const bad = await r.command(Op.FLASH_DATA, Buffer.concat([words(0x400, 0, 0, 0), block]), 0x00);
    expect([...bad.data]).toEqual([0xc1, 0]);
    const big = await r.command(Op.FLASH_BEGIN, words(0x10000, 1, 0x8000, 0x1000, 0));
    expect([...big.data]).toEqual([0xc2, 0]);
    await r.close();
  });

  it('streams READ_FLASH one packet per ack, then the MD5', async () => {
    const flashImage = pseudoImage(0x4000);
    const r = await stubRig('esp8266', { flashImage });
    const rep = await r.command(Op.READ_FLASH, words(0x1000, 0x2800, 0x1000, 64));
    expect([...rep.data]).toEqual([0, 0]);
    const got: Buffer[] = [];
    let received = 0;
    while (received < 0x2800) {
      const ok = await r.until(() => r.frames.length > 0, 2000);
      expect(ok).toBe(true);
      const pkt = r.frames.shift()!;
      got.push(pkt);
      received += pkt.length;
      // Nothing more comes before the ack (one frame in flight).
      await r.wait(200);
      expect(r.frames.length).toBe(0);
      await r.pair.host.write(slipEncode(words(received)));
    }
    expect(got.map((g) => g.length)).toEqual([0x1000, 0x1000, 0x800]);
    expect(Buffer.concat(got).equals(flashImage.subarray(0x1000, 0x3800))).toBe(true);
    await r.until(() => r.frames.length > 0, 2000);
    expect(
      r.frames.shift()!.equals(createHash('md5').update(flashImage.subarray(0x1000, 0x3800)).digest()),
    ).toBe(true);
    await r.close();
  });

  it('ERASE_REGION and ERASE_FLASH take their flash time; slow-flash multiplies it', async () => {
    for (const factor of [1, 3]) {
      const r = await stubRig('esp32', {
        flashImage: Buffer.alloc(0x100000, 0),
        faults: { slowFlashFactor: factor },
      });
      const t0 = r.clock.now();
      const rep = await r.command(Op.ERASE_REGION, words(0x10000, 0x11000), 0, 10_000);
      const took = r.clock.now() - t0;
      expect(rep.data[0]).toBe(0);
      expect(r.device.flash.subarray(0x10000, 0x21000).every((b) => b === 0xff)).toBe(true);
      expect(r.device.flash[0x21000]).toBe(0);
      // One 64 KB block + one 4 KB sector = 150 + 45 ms at factor 1 (plus a few ms of line time).
      expect(took).toBeGreaterThanOrEqual(195 * factor);
      expect(took).toBeLessThan(195 * factor + 20);
      const t1 = r.clock.now();
      await r.command(Op.ERASE_FLASH, Buffer.alloc(0), 0, 200_000);
      expect(r.clock.now() - t1).toBeGreaterThanOrEqual(10_000 * factor);
      expect(r.device.flash.every((b) => b === 0xff)).toBe(true);
      await r.close();
    }
  });

  it('CHANGE_BAUDRATE: the reply leaves at the old baud, then the stub listens at the new one', async () => {
    const r = await stubRig('esp32');
    r.arrivals.length = 0;
    const t0 = r.clock.now();
    const rep = await r.command(Op.CHANGE_BAUDRATE, words(921600, 115200));
    expect([...rep.data]).toEqual([0, 0]);
    // 18 bytes request + 12-byte reply (10 + 2 × C0), both at 115200.
    expect(r.arrivals[0]!.at - t0).toBeCloseTo(((18 + 12) * 10 * 1000) / 115200, 6);
    // A host that did not switch is now garbled; after switching it is understood.
    r.frames.length = 0;
    await r.send(Op.READ_REG, words(0x40001000));
    await r.wait(100);
    expect(r.frames.map((f) => decodeResponse(f)).filter((x) => x?.op === Op.READ_REG)).toHaveLength(0);
    await r.pair.host.setBaudRate(921600);
    await r.wait(50);
    r.decoder.reset();
    r.frames.length = 0;
    const magic = await r.command(Op.READ_REG, words(0x40001000));
    expect(magic.value).toBe(0x00f01d83);
    await r.close();
  });
});
