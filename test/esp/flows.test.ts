import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EspLink } from '../../src-main/esp/link/link';
import { Op, checksum } from '../../src-main/esp/link/protocol';
import { CHIP_RECORDS, flashSizeFromCapacityByte } from '../../src-main/esp/chips/records';
import { identifyChip, readChipFacts } from '../../src-main/esp/chips/detect';
import { readFlashId } from '../../src-main/esp/flasher/flash-id';
import { loadStubImage, runStub, stubDirectory, RAM_BLOCK } from '../../src-main/esp/flasher/stub';
import { readFlashStub } from '../../src-main/esp/flasher/read';
import { changeBaud } from '../../src-main/esp/flasher/baud';
import { reply, scripted } from './scripted-device';
import { kilnRejection } from '../helpers/errors';

/** A ROM that answers READ_REG from a register map and refuses GET_SECURITY_INFO the way ESP8266/ESP32 ROMs do. */
function registerRom(regs: Record<number, number>, statusLen: 2 | 4) {
  const status = (ok: boolean) => (ok ? Array(statusLen).fill(0) : [1, 5, ...Array(statusLen - 2).fill(0)]);
  const reads: number[] = [];
  const s = scripted((req) => {
    if (req.op === Op.READ_REG) {
      const a = req.data.readUInt32LE(0);
      reads.push(a);
      return reply(Op.READ_REG, regs[a] ?? 0, Buffer.alloc(0), status(true));
    }
    if (req.op === Op.GET_SECURITY_INFO)
      return reply(Op.GET_SECURITY_INFO, 0, Buffer.alloc(0), status(false));
    return undefined;
  });
  return { ...s, reads };
}

describe('chip detection', () => {
  it('ESP8266 from the real trace (esptool#620): magic 0xfff0c101, MAC from the OTP words', async () => {
    // READ_REG values as they appear in trace_esp8266_detect_efuse_esptool620.txt (word 0 is cut from the trace).
    const s = registerRom(
      {
        0x40001000: 0xfff0c101,
        0x3ff0005c: 0x00840d8e,
        0x3ff00058: 0xf200b000,
        0x3ff00054: 0x02007681,
        0x3ff00050: 0x5a000000,
        0x60000014: 0x00000000,
      },
      2,
    );
    const link = new EspLink(s.pair.host, s.clock, undefined);
    const chip = await identifyChip(link);
    expect(chip.name).toBe('esp8266');
    const facts = await readChipFacts(link, chip);
    expect(facts.mac).toBe('84:0d:8e:76:81:5a');
    expect(facts.description).toBe('ESP8266EX');
  });

  it('ESP32 from the real traces (esptool#921, #570): magic, MAC 24:6f:28:7a:d8:84, crystal from CLKDIV', async () => {
    const s = registerRom(
      {
        0x40001000: 0x00f01d83,
        0x3ff5a004: 0x287ad884,
        0x3ff5a008: 0x003e246f,
        0x3ff5a00c: 0x0000a200, // pkg 1 (D0WD), rev bit0 set
        0x3ff5a014: 0x00100000, // rev bit1
        0x3ff6607c: 0x80000000, // rev bit2 → v3
        0x3ff40014: 347, // 40 MHz / 115200
      },
      4,
    );
    const link = new EspLink(s.pair.host, s.clock, undefined);
    const chip = await identifyChip(link);
    expect(chip.name).toBe('esp32');
    const facts = await readChipFacts(link, chip);
    expect(facts.mac).toBe('24:6f:28:7a:d8:84');
    expect(facts.crystalMHz).toBe(40);
    expect(facts.description).toBe('ESP32-D0WD-V3 (revision v3.0)');
    expect(facts.features).toEqual(expect.arrayContaining(['Wi-Fi', 'BT', 'Dual Core']));
  });

  it('GET_SECURITY_INFO (20-byte form) names an S3/C3 before any magic read', async () => {
    const sec = Buffer.alloc(20);
    sec.writeUInt32LE(5, 12);
    const s = scripted((req) =>
      req.op === Op.GET_SECURITY_INFO ? reply(Op.GET_SECURITY_INFO, 0, sec, [0, 0, 0, 0]) : undefined,
    );
    const link = new EspLink(s.pair.host, s.clock, undefined);
    expect((await identifyChip(link)).name).toBe('esp32c3');
    expect(s.requests.map((r) => r.op)).toEqual([Op.GET_SECURITY_INFO]);
  });

  it('an unknown magic is CHIP_UNKNOWN with the value', async () => {
    const s = registerRom({ 0x40001000: 0xdeadbeef }, 4);
    const e = await kilnRejection(identifyChip(new EspLink(s.pair.host, s.clock, undefined)));
    expect(e.code).toBe('CHIP_UNKNOWN');
    expect(e.details).toMatchObject({ magic: '0xdeadbeef' });
  });

  it('two different unknown magics in a row are the line garbling replies (PROTOCOL_ERROR), not CHIP_UNKNOWN', async () => {
    let n = 0;
    const s = scripted((req) => {
      if (req.op === Op.READ_REG)
        return reply(Op.READ_REG, n++ === 0 ? 0 : 0xfff0c101, Buffer.alloc(0), [0, 0]);
      if (req.op === Op.GET_SECURITY_INFO) return reply(Op.GET_SECURITY_INFO, 0, Buffer.alloc(0), [1, 5]);
      return undefined;
    });
    const e = await kilnRejection(identifyChip(new EspLink(s.pair.host, s.clock, undefined)));
    expect(e.code).toBe('PROTOCOL_ERROR');
    expect(e.details).toMatchObject({ magic: '0x00000000', magicAgain: '0xfff0c101' });
  });
});

describe('flash id over the SPI registers', () => {
  it('runs RDID with the chip\u2019s register map and decodes the capacity byte', async () => {
    const spi = CHIP_RECORDS.esp32.spi;
    const regs = new Map<number, number>();
    const writes: [number, number][] = [];
    const s = scripted((req) => {
      if (req.op === Op.WRITE_REG) {
        const [a, v] = [req.data.readUInt32LE(0), req.data.readUInt32LE(4)];
        writes.push([a, v]);
        // CMD_USR set: the controller runs the command, loads W0 and clears the bit.
        if (a === spi.base && v & (1 << 18))
          regs.set(spi.base + spi.w0, (regs.get(spi.base + spi.usr2)! & 0xff) === 0x9f ? 0x1640ef : 0);
        else regs.set(a, v);
        return reply(Op.WRITE_REG, 0, Buffer.alloc(0), [0, 0, 0, 0]);
      }
      if (req.op === Op.READ_REG)
        return reply(Op.READ_REG, regs.get(req.data.readUInt32LE(0)) ?? 0, Buffer.alloc(0), [0, 0, 0, 0]);
      return undefined;
    });
    const id = await readFlashId(new EspLink(s.pair.host, s.clock, undefined), CHIP_RECORDS.esp32);
    expect(id).toEqual({ id: 0x1640ef, manufacturer: 0xef, size: 4 * 1024 * 1024 });
    expect(writes).toContainEqual([spi.base + spi.misoDlen!, 23]);
    expect(writes).toContainEqual([spi.base + spi.usr2, ((7 << 28) | 0x9f) >>> 0]);
  });

  it('capacity byte table', () => {
    expect(flashSizeFromCapacityByte(0x14)).toBe(1 << 20);
    expect(flashSizeFromCapacityByte(0x16)).toBe(4 << 20);
    expect(flashSizeFromCapacityByte(0x18)).toBe(16 << 20);
    expect(flashSizeFromCapacityByte(0x20)).toBe(64 << 20);
    expect(flashSizeFromCapacityByte(0x39)).toBe(32 << 20);
    expect(flashSizeFromCapacityByte(0x00)).toBe(0);
  });
});

describe('stub upload', () => {
  // Pinned: esp-flasher-stub v1.2.2 images as shipped by esptool-js 0.7.0. A change means a new stub: review it.
  const PINNED: Record<string, string> = {
    'esp8266.json': '515d78aacbcf7993f918936f168059227abb2f77e0189b7e974574b2e4e8bfdf',
    'esp32.json': 'efd74134f076953c209277a85959ea832ad1e29a5a2aa55eec4175dccd8a05c5',
    'esp32s2.json': 'cc5974db34470aa85fbde20e652b39a195a3ccc7b2670fd18c96eb92bee2c17c',
    'esp32s3.json': '1e9e67c529837f12055a9ea87545919502c6db389b9a671f0f0340620028fea3',
    'esp32c2.json': '6f50be99c5f41c2a9ca82ca60d580179e0cb10fd376420404a3a0cfeeb69fb56',
    'esp32c3.json': 'db8fe9ba535a243f7eb5d248d3c7a47a1a0890bcf9c51d06fd7a49ec4d08588f',
    'esp32c6.json': '9a914862a6ef22fddc416c85bfd0b377d2b19be2cd2c599661e94d17f06a18aa',
    'esp32h2.json': 'edd9d8ba890a326aa8a86416c66482dafa974f71f68296f4fc5e7fcc85a9a61f',
  };
  it('every stub file the chip table uses has its pinned SHA-256', () => {
    for (const rec of Object.values(CHIP_RECORDS)) {
      const sha = createHash('sha256')
        .update(readFileSync(path.join(stubDirectory(), rec.stubFile)))
        .digest('hex');
      expect(sha, rec.stubFile).toBe(PINNED[rec.stubFile]);
    }
  });

  it('MEM_BEGIN/MEM_DATA (0x1800 blocks, checksummed)/MEM_END, then waits for OHAI', async () => {
    const ram = new Map<number, Buffer>();
    let current = 0;
    let memEnd: number[] = [];
    const s = scripted((req) => {
      const ok = reply(req.op, 0, Buffer.alloc(0), [0, 0]);
      if (req.op === Op.MEM_BEGIN) {
        current = req.data.readUInt32LE(12);
        ram.set(current, Buffer.alloc(0));
        expect(req.data.readUInt32LE(8)).toBe(RAM_BLOCK);
        return ok;
      }
      if (req.op === Op.MEM_DATA) {
        const len = req.data.readUInt32LE(0);
        const body = req.data.subarray(16, 16 + len);
        expect(req.checksum).toBe(checksum(body));
        ram.set(current, Buffer.concat([ram.get(current)!, body]));
        return ok;
      }
      if (req.op === Op.MEM_END) {
        memEnd = [req.data.readUInt32LE(0), req.data.readUInt32LE(4)];
        return [ok, { delayMs: 30, then: [Buffer.from('OHAI')] }];
      }
      return undefined;
    });
    const link = new EspLink(s.pair.host, s.clock, undefined);
    await runStub(link, CHIP_RECORDS.esp8266);
    const img = loadStubImage(CHIP_RECORDS.esp8266);
    expect(ram.get(img.textStart)!.equals(img.text)).toBe(true);
    expect(ram.get(img.dataStart)!.equals(img.data)).toBe(true);
    expect(memEnd).toEqual([0, img.entry]);
    expect(link.isStub).toBe(true);
  });

  it('no OHAI → STUB_FAILED', async () => {
    const s = scripted((req) => reply(req.op, 0, Buffer.alloc(0), [0, 0]));
    const link = new EspLink(s.pair.host, s.clock, undefined);
    expect((await kilnRejection(runStub(link, CHIP_RECORDS.esp8266))).code).toBe('STUB_FAILED');
    expect(link.isStub).toBe(false);
  });
});

describe('stub READ_FLASH', () => {
  function readingStub(flash: Buffer, opts: { corruptDigest?: boolean } = {}) {
    const acks: number[] = [];
    let pending: { offset: number; len: number; packet: number; sent: number } | undefined;
    const s = scripted((req, { rawFrame }) => {
      if (req.op === Op.READ_FLASH) {
        const [offset, len, packet] = [
          req.data.readUInt32LE(0),
          req.data.readUInt32LE(4),
          req.data.readUInt32LE(8),
        ];
        expect(req.data.readUInt32LE(12)).toBe(64);
        pending = { offset, len, packet, sent: 0 };
        return [reply(Op.READ_FLASH, 0, Buffer.alloc(0), [0, 0]), next()];
      }
      if (req.op === -1 && pending) {
        // Ack frame: cumulative bytes received, u32.
        const n = rawFrame.readUInt32LE(0);
        acks.push(n);
        expect(n).toBe(pending.sent);
        if (pending.sent < pending.len) return next();
        const d = createHash('md5')
          .update(flash.subarray(pending.offset, pending.offset + pending.len))
          .digest();
        if (opts.corruptDigest) d[0] = d[0]! ^ 1;
        return d;
      }
      return undefined;
    });
    function next(): Buffer {
      const p = pending!;
      const n = Math.min(p.packet, p.len - p.sent);
      const chunk = flash.subarray(p.offset + p.sent, p.offset + p.sent + n);
      p.sent += n;
      return Buffer.from(chunk);
    }
    return { ...s, acks };
  }

  it('acknowledges each packet with the cumulative count, one in flight, and checks the digest', async () => {
    const flash = Buffer.alloc(0x10000);
    for (let i = 0; i < flash.length; i++) flash[i] = (i * 7 + (i >> 8)) & 0xff;
    flash[5] = 0xc0;
    flash[6] = 0xdb;
    const s = readingStub(flash);
    const link = new EspLink(s.pair.host, s.clock, undefined);
    link.isStub = true;
    const got = await readFlashStub(link, 0x1000, 0x2800);
    expect(got.equals(flash.subarray(0x1000, 0x3800))).toBe(true);
    expect(s.acks).toEqual([0x1000, 0x2000, 0x2800]);
  });

  it('a digest mismatch is FLASH_READ_FAILED with both digests', async () => {
    const s = readingStub(Buffer.alloc(0x2000, 0x33), { corruptDigest: true });
    const link = new EspLink(s.pair.host, s.clock, undefined);
    link.isStub = true;
    const e = await kilnRejection(readFlashStub(link, 0, 0x1800));
    expect(e.code).toBe('FLASH_READ_FAILED');
    expect(e.details!.expected).not.toBe(e.details!.actual);
  });
});

describe('baud change', () => {
  it('stub form (new, old): reply at the old baud, then the host switches', async () => {
    let hostBaudAtRequest = 0;
    const s = scripted((req) => {
      if (req.op === Op.CHANGE_BAUDRATE) {
        hostBaudAtRequest = s.pair.device.hostBaudRate;
        expect([req.data.readUInt32LE(0), req.data.readUInt32LE(4)]).toEqual([921600, 115200]);
        return reply(Op.CHANGE_BAUDRATE, 0, Buffer.alloc(0), [0, 0]);
      }
      return undefined;
    });
    const bauds: { baud: number; t: number }[] = [];
    s.pair.device.onBaudRate((b) => bauds.push({ baud: b, t: s.clock.now() }));
    const link = new EspLink(s.pair.host, s.clock, undefined);
    link.isStub = true;
    expect(await changeBaud(link, CHIP_RECORDS.esp8266, 921600)).toBe(921600);
    expect(hostBaudAtRequest).toBe(115200);
    expect(bauds).toEqual([{ baud: 921600, t: 0 }]);
    expect(s.clock.now()).toBe(50);
  });

  it('ESP8266 ROM has no CHANGE_BAUDRATE: nothing is sent, the baud stays', async () => {
    const s = scripted(() => undefined);
    const link = new EspLink(s.pair.host, s.clock, undefined);
    expect(await changeBaud(link, CHIP_RECORDS.esp8266, 921600)).toBe(115200);
    expect(s.requests).toHaveLength(0);
  });

  it('a refused change is BAUD_CHANGE_FAILED', async () => {
    const s = scripted((req) => reply(req.op, 0, Buffer.alloc(0), [0xc3, 0]));
    const link = new EspLink(s.pair.host, s.clock, undefined);
    link.isStub = true;
    expect((await kilnRejection(changeBaud(link, CHIP_RECORDS.esp32, 460800))).code).toBe(
      'BAUD_CHANGE_FAILED',
    );
  });
});
