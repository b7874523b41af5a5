/**
 * The stub catalogue and the per-family behaviour table. esp-flasher-stub is exercised with the real image
 * esptool-js 0.7.0 uploads. The legacy stub's binaries are GPL and not kept here: its rows are checked by their
 * hard-coded SHA-256 (read from the named esptool file), and its behaviour is exercised through a stand-in image
 * registered with `extraStubs` as a legacy-family stub — the ROM recognises it by the same facts.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Op, checksum, decodeResponse, words } from '../../src-main/esp/link/protocol';
import { STUB_CATALOGUE, type KnownStub } from '../../src-main/sim/stub-catalogue';
import { STUB_BEHAVIOUR } from '../../src-main/sim/stub-families';
import { rig, type Rig } from './rig';
import { stubJson } from './stub-upload';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A stand-in legacy-family stub for the ESP32: text/data of our own making, at the legacy v1.11.1 addresses. */
const LEGACY_TEXT = Buffer.from('kiln test stand-in for a legacy flasher stub text segment '.repeat(40));
const LEGACY_DATA = Buffer.from('stand-in data segment '.repeat(6));
const LEGACY_STANDIN: KnownStub = {
  chip: 'esp32',
  family: 'legacy',
  release: 'test stand-in',
  shippedWith: 'test/sim/stub-families.test.ts',
  textSha256: sha256(LEGACY_TEXT),
  entry: 0x400be658,
  textStart: 0x400be000,
  textLength: LEGACY_TEXT.length,
  dataStart: 0x3ffdebac,
  dataLength: LEGACY_DATA.length,
};

type Image = { text: Buffer; textStart: number; data: Buffer; dataStart: number; entry: number };

async function upload(r: Rig, img: Image): Promise<void> {
  for (const [bytes, addr] of [
    [img.text, img.textStart],
    [img.data, img.dataStart],
  ] as const) {
    const blocks = Math.ceil(bytes.length / 0x1800);
    await r.command(Op.MEM_BEGIN, words(bytes.length, blocks, 0x1800, addr));
    for (let i = 0; i < blocks; i++) {
      const block = bytes.subarray(i * 0x1800, (i + 1) * 0x1800);
      await r.command(Op.MEM_DATA, Buffer.concat([words(block.length, i, 0, 0), block]), checksum(block));
    }
  }
  r.frames.length = 0;
  await r.command(Op.MEM_END, words(0, img.entry));
}

const FAMILIES = ['legacy', 'esp-flasher-stub'] as const;
type Family = (typeof FAMILIES)[number];

/** An ESP32 running a stub of the given family; `flashImage` preloads flash. */
async function running(family: Family, flashImage?: Buffer): Promise<Rig> {
  const r = rig({ chip: 'esp32', extraStubs: [LEGACY_STANDIN], flashImage });
  await r.classicReset();
  await r.sync();
  await r.command(Op.SPI_ATTACH, Buffer.alloc(8));
  const img =
    family === 'legacy'
      ? {
          text: LEGACY_TEXT,
          textStart: 0x400be000,
          data: LEGACY_DATA,
          dataStart: 0x3ffdebac,
          entry: 0x400be658,
        }
      : stubJson('esp32');
  await upload(r, img);
  const greeted = await r.until(() => r.frames.some((f) => f.toString('latin1') === 'OHAI'), 1000);
  if (!greeted) throw new Error(`${family} stub did not start`);
  r.frames.length = 0;
  return r;
}

function status(reply: { data: Buffer }): [number, number] {
  const d = reply.data;
  return [d[d.length - 2]!, d[d.length - 1]!];
}

async function writeRaw(r: Rig, offset: number, body: Buffer, end: number): Promise<[number, number]> {
  await r.command(Op.FLASH_BEGIN, words(body.length, 1, 0x4000, offset));
  await r.command(Op.FLASH_DATA, Buffer.concat([words(body.length, 0, 0, 0), body]), checksum(body));
  return status(await r.command(Op.FLASH_END, words(end), 0, 5000));
}

describe('stub catalogue', () => {
  it('every esptool-js 0.7.0 stub is catalogued as esp-flasher-stub with its entry and load addresses', () => {
    for (const chip of ['esp8266', 'esp32', 'esp32c3', 'esp32s3', 'esp32c6'] as const) {
      const j = stubJson(chip);
      const row = STUB_CATALOGUE.find((s) => s.textSha256 === sha256(j.text));
      expect(row, chip).toMatchObject({
        chip,
        family: 'esp-flasher-stub',
        entry: j.entry,
        textStart: j.textStart,
        textLength: j.text.length,
        dataStart: j.dataStart,
        dataLength: j.data.length,
      });
      expect(row!.shippedWith).toContain('esptool-js 0.7.0');
    }
  });

  // SHA-256 of the text segments, computed from espressif/esptool's JSON files named here (not stored).
  it.each([
    [
      'esp8266',
      0x4010d004,
      '4dd755cefff7947b6a93f3acabcf7bda1b06630d5ad324022a7cfe4f07114ea8',
      'v5.3.1 stub_flasher/1/esp8266.json',
    ],
    [
      'esp32',
      0x400be658,
      'b2dff40d626d2e83234ba17f79ab968cf5505cf989d15f9954ed477777eeddad',
      'v5.3.1 stub_flasher/1/esp32.json',
    ],
    [
      'esp32c3',
      0x403806d2,
      '857660860ee353699c11c6dfc82d3bfd0bcfa7890c8c9b5fc84f1a551f1f5003',
      'v5.3.1 stub_flasher/1/esp32c3.json',
    ],
    [
      'esp32',
      0x400be5e0,
      'cb3d09de6574cd008ea3e6a366bb1f26218b8735d4fbf80fb264fc92aad69d5c',
      'v4.9.0 stub_flasher/1/esp32.json',
    ],
    [
      'esp8266',
      0x4010d004,
      '0914cbde7b50fb4a4648795d83d4181f808a99073640cdcee6e4dfa958855cef',
      'v4.7.0 stub_flasher_8266.json',
    ],
  ])(
    '%s legacy stub, entry %s, text SHA-256 %s (esptool %s), is catalogued as legacy',
    (chip, entry, sha) => {
      expect(STUB_CATALOGUE.find((s) => s.textSha256 === sha)).toMatchObject({
        chip,
        entry,
        family: 'legacy',
      });
    },
  );

  it('holds one row per distinct text, each with its source', () => {
    const shas = STUB_CATALOGUE.map((s) => s.textSha256);
    expect(new Set(shas).size).toBe(shas.length);
    for (const s of STUB_CATALOGUE) expect(s.shippedWith).toMatch(/esptool/);
    expect(STUB_CATALOGUE.filter((s) => s.family === 'legacy').length).toBe(17);
    expect(STUB_CATALOGUE.filter((s) => s.family === 'esp-flasher-stub').length).toBe(15);
  });

  it("another chip's stub, a wrong entry or an altered text is unknown code: the chip falls silent", async () => {
    for (const img of [
      { ...stubJson('esp32c3') }, // a C3 stub uploaded to an ESP32
      { ...stubJson('esp32'), entry: stubJson('esp32').entry + 4 },
      { ...stubJson('esp32'), text: Buffer.concat([stubJson('esp32').text.subarray(1), Buffer.from([0])]) },
    ]) {
      const r = rig({ chip: 'esp32' });
      await r.classicReset();
      await r.sync();
      await upload(r, img);
      await r.wait(300);
      expect(r.frames.map((f) => f.toString('latin1'))).not.toContain('OHAI');
      expect(r.device.mode).toBe('app');
      r.frames.length = 0;
      await r.send(Op.SYNC, Buffer.alloc(36));
      await r.wait(200);
      expect(r.frames).toHaveLength(0);
    }
  });
});

describe('stub families: one test per difference', () => {
  it('both: 2 status bytes and MD5 as 16 raw bytes (the ESP32 ROM: 4 status bytes, 32 hex characters)', async () => {
    const image = Buffer.alloc(0x1000, 0x5a);
    for (const family of FAMILIES) {
      const r = await running(family, image);
      const md5 = await r.command(Op.SPI_FLASH_MD5, words(0, 0x1000, 0, 0));
      expect(md5.data.length, family).toBe(18);
      expect(md5.data.subarray(0, 16).toString('hex')).toBe(createHash('md5').update(image).digest('hex'));
    }
    const rom = rig({ chip: 'esp32', flashImage: image });
    await rom.classicReset();
    await rom.sync();
    const md5 = await rom.command(Op.SPI_FLASH_MD5, words(0, 0x1000, 0, 0));
    expect(md5.data.length).toBe(36);
    expect(md5.data.subarray(0, 32).toString('ascii')).toBe(createHash('md5').update(image).digest('hex'));
  });

  it('FLASH_END(0): the legacy stub reboots into the flashed app, esp-flasher-stub stays', async () => {
    for (const family of FAMILIES) {
      const r = await running(family);
      const app = Buffer.concat([Buffer.from([0xe9, 0x01, 0x02, 0x20]), Buffer.alloc(0xffc, 0x11)]);
      // At 0x1000, where the ESP32 ROM boots from (esptool ESP32ROM.BOOTLOADER_FLASH_OFFSET).
      expect(await writeRaw(r, 0x1000, app, 0)).toEqual([0, 0]);
      await r.wait(200);
      expect(r.device.mode, family).toBe(STUB_BEHAVIOUR[family].rebootsOnFlashEnd ? 'app' : 'stub');
    }
  });

  it('READ_FLASH: legacy sends up to max_in_flight packets before an ack, esp-flasher-stub one', async () => {
    for (const family of FAMILIES) {
      const r = await running(family, Buffer.alloc(0x8000, 0x33));
      await r.command(Op.READ_FLASH, words(0, 0x8000, 0x1000, 4));
      await r.wait(3000); // 4 packets take about 1.5 s at 115200 baud
      // Without any ack: packets of 4096 bytes received so far.
      expect(r.frames.filter((f) => f.length === 0x1000).length, family).toBe(family === 'legacy' ? 4 : 1);
    }
  });

  it('READ_FLASH with a packet over 4 KB: legacy answers OK then sends nothing, esp-flasher-stub refuses 0xC0', async () => {
    for (const family of FAMILIES) {
      const r = await running(family);
      const reply = await r.command(Op.READ_FLASH, words(0, 0x4000, 0x2000, 1));
      await r.wait(300);
      expect(status(reply), family).toEqual(family === 'legacy' ? [0, 0] : [0xc0, 0]);
      expect(r.frames).toHaveLength(0);
    }
  });

  it('erase while writing: esp-flasher-stub skips blank leading sectors, legacy erases them all', async () => {
    const took: Partial<Record<Family, number>> = {};
    for (const family of FAMILIES) {
      const r = await running(family);
      const before = r.clock.now();
      expect(await writeRaw(r, 0, Buffer.alloc(0x3000, 0x44), 1)).toEqual([0, 0]);
      took[family] = r.clock.now() - before;
      expect(r.device.flash.subarray(0, 0x3000).every((b) => b === 0x44)).toBe(true);
    }
    // Same transfer; the legacy stub additionally spends three sector erases (45 ms each, DEFAULT_TIMING).
    expect(took.legacy! - took['esp-flasher-stub']!).toBeGreaterThanOrEqual(3 * 45);
  });

  it('ERASE_REGION unaligned: legacy 0x32 (address) / 0x33 (length), esp-flasher-stub 0xC0 for both', async () => {
    for (const family of FAMILIES) {
      const r = await running(family);
      const a = await r.command(Op.ERASE_REGION, words(0x800, 0x1000));
      const l = await r.command(Op.ERASE_REGION, words(0x1000, 0x800));
      const want = STUB_BEHAVIOUR[family].eraseRegionUnaligned;
      expect([status(a)[0], status(l)[0]], family).toEqual(family === 'legacy' ? [0x32, 0x33] : [0xc0, 0xc0]);
      expect([status(a)[0], status(l)[0]]).toEqual([want.address, want.length]);
    }
  });

  it('an unknown opcode: legacy 0xFF, esp-flasher-stub 0xC3', async () => {
    for (const family of FAMILIES) {
      const r = await running(family);
      const reply = await r.command(0x55, Buffer.alloc(0));
      expect(status(reply), family).toEqual([family === 'legacy' ? 0xff : 0xc3, 0]);
    }
  });

  it('a write error: legacy reports it on the next FLASH_DATA and at FLASH_END, esp-flasher-stub on the next command of any kind', async () => {
    for (const family of FAMILIES) {
      const r = await running(family);
      r.device.setFaults({ flashWriteError: true });
      const block = Buffer.alloc(0x1000, 0x66);
      await r.command(Op.FLASH_BEGIN, words(0x2000, 2, 0x1000, 0));
      const d0 = await r.command(
        Op.FLASH_DATA,
        Buffer.concat([words(0x1000, 0, 0, 0), block]),
        checksum(block),
      );
      expect(status(d0), family).toEqual([0, 0]); // acknowledged before the write
      await r.wait(100);
      const md5 = await r.command(Op.SPI_FLASH_MD5, words(0, 0x1000, 0, 0));
      if (family === 'legacy') {
        expect(status(md5)).toEqual([0, 0]);
        const d1 = await r.command(
          Op.FLASH_DATA,
          Buffer.concat([words(0x1000, 1, 0, 0), block]),
          checksum(block),
        );
        expect(status(d1)).toEqual([0xc4, 0]);
      } else {
        expect(status(md5)).toEqual([0xc4, 0]);
        expect(md5.data.length).toBe(2); // not executed: no digest
      }
    }
  });

  it('RUN_USER_CODE: the legacy stub boots the app, esp-flasher-stub does nothing; neither replies', async () => {
    // A whole-flash image with the boot image at 0x1000, where the ESP32 ROM boots from.
    const app = Buffer.concat([
      Buffer.alloc(0x1000, 0xff),
      Buffer.from([0xe9, 0x01, 0x02, 0x20]),
      Buffer.alloc(0xffc, 0x11),
    ]);
    for (const family of FAMILIES) {
      const r = await running(family, app);
      await r.send(Op.RUN_USER_CODE);
      await r.wait(200);
      expect(r.frames.map((f) => decodeResponse(f)).filter((x) => x?.op === Op.RUN_USER_CODE)).toHaveLength(
        0,
      );
      expect(r.device.mode, family).toBe(family === 'legacy' ? 'app' : 'stub');
    }
  });

  it('GET_SECURITY_INFO on an ESP32: legacy 0xFF (built for S2 and later only), esp-flasher-stub 0xC3', async () => {
    for (const family of FAMILIES) {
      const r = await running(family);
      const reply = await r.command(Op.GET_SECURITY_INFO);
      expect(status(reply), family).toEqual([family === 'legacy' ? 0xff : 0xc3, 0]);
    }
  });
});
