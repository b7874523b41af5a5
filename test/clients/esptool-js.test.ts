/**
 * esptool-js 0.7.0 — a flasher nobody here wrote — against Kiln virtual boards, in Node, through a Web-Serial-shaped
 * port over `kiln sim`'s TCP server and over its socat pty. Real clock, real firmware images from
 * ../shared/fixtures/firmware. Assertions are on bytes: what esptool-js reads back, what the simulated flash holds.
 *
 * Reset: neither a TCP socket nor a pty carries DTR/RTS, so esptool-js runs with before = "no_reset" and the
 * simulator's servers start the chip in download mode on connect (as `kiln sim --tcp` does). The board is not
 * reshaped for the client.
 *
 * ROM only: esptool-js has no "no stub" switch; its ROM path is detectChip() without runStub(). Two limits of the
 * client itself, so checked another way here:
 * - readFlash() always sends the stub's READ_FLASH (0xD2), which no ROM has → read back over the ROM's own
 *   means: READ_FLASH_SLOW (0x0E) on ESP32/C3, the memory-mapped flash window via READ_REG on the ESP8266;
 * - flashMd5sum() turns the ROM's 32-ASCII-hex-character MD5 into the hex of those characters, so writeFlash's
 *   MD5 check cannot pass against any ROM → the MD5 is asked separately and decoded (ESP32/C3; the ESP8266 ROM
 *   has no MD5 command).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESPLoader, Transport } from 'esptool-js';
import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '../../src-main/core/clock';
import { SimulatedDevice, serveTcp, servePty, type SimChip } from '../../src-main/sim/index';
import { WebSerialPortAdapter, serialLink, tcpLink, type ByteLink } from '../helpers/web-serial-port';

const FIRMWARE = path.resolve('../shared/fixtures/firmware');
const FIXTURE: Record<SimChip, { file: string; address: number; chipName: string }> = {
  esp8266: { file: 'bootloader_esp8266.bin', address: 0x0, chipName: 'ESP8266' },
  esp32: { file: 'bootloader_esp32.bin', address: 0x1000, chipName: 'ESP32' },
  esp32c3: { file: 'bootloader_esp32c3.bin', address: 0x0, chipName: 'ESP32-C3' },
  // No S3/C6 images among the fixtures: another chip's real bootloader is written as plain bytes (flashMode
  // "keep" leaves the header alone; neither esptool-js nor the ROM checks the image's chip id when writing).
  esp32s3: { file: 'bootloader_esp32.bin', address: 0x0, chipName: 'ESP32-S3' },
  esp32c6: { file: 'bootloader_esp32c3.bin', address: 0x0, chipName: 'ESP32-C6' },
};
const CHIPS = Object.keys(FIXTURE) as SimChip[];
const ERASE_AT = 0x20000;
const md5hex = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const words = (...w: number[]) => {
  const b = Buffer.alloc(4 * w.length);
  w.forEach((v, i) => b.writeUInt32LE(v >>> 0, 4 * i));
  return new Uint8Array(b);
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Endpoint = 'tcp' | 'pty';

/** A virtual board served on `endpoint`, and an esptool-js loader connected to it (not yet synced). */
async function board(chip: SimChip, endpoint: Endpoint, baudrate: number) {
  const device = new SimulatedDevice({ chip, clock: realClock, seed: 7 });
  let connect: (baud: number) => Promise<ByteLink>;
  if (endpoint === 'tcp') {
    const server = await serveTcp({ device });
    cleanups.push(() => server.close());
    connect = tcpLink(server.port);
  } else {
    const server = await servePty({ device });
    cleanups.push(() => server.close());
    connect = serialLink(server.hostPath);
  }
  const port = new WebSerialPortAdapter(connect);
  // esptool-js types its port as the DOM SerialPort; the adapter has the members Transport uses.
  const transport = new Transport(port as unknown as ConstructorParameters<typeof Transport>[0], false);
  const log: string[] = [];
  const terminal = { clean() {}, writeLine: (s: string) => log.push(s), write: (s: string) => log.push(s) };
  const loader = new ESPLoader({ transport, baudrate, romBaudrate: 115200, terminal });
  cleanups.push(() => transport.disconnect().catch(() => {}));
  return { device, loader, log };
}

async function writeImage(
  loader: ESPLoader,
  image: Uint8Array,
  address: number,
  o: { compress: boolean; md5: boolean },
) {
  await loader.writeFlash({
    fileArray: [{ data: image, address }],
    flashMode: 'keep',
    flashFreq: 'keep',
    flashSize: 'keep',
    eraseAll: false,
    compress: o.compress,
    calculateMD5Hash: o.md5 ? md5hex : undefined,
  });
}

/** ROM read-back: READ_FLASH_SLOW (64 bytes per command) on ESP32/C3, the flash window on the ESP8266. */
async function romRead(loader: ESPLoader, chip: SimChip, addr: number, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  if (chip === 'esp8266') {
    for (let off = 0; off < size; off += 4) {
      const w = Buffer.alloc(4);
      w.writeUInt32LE((await loader.readReg(0x40200000 + addr + off)) >>> 0);
      parts.push(w);
    }
  } else {
    for (let off = 0; off < size; off += 64) {
      const got = await loader.checkCommand('read flash slow', 0x0e, words(addr + off, 64), 0, 64);
      parts.push(Buffer.from(got as Uint8Array));
    }
  }
  return Buffer.concat(parts).subarray(0, size);
}

describe.each(['tcp', 'pty'] as const)('esptool-js 0.7.0 over %s', (endpoint) => {
  it.each(CHIPS)(
    '%s with the stub: detect, writeFlash + MD5 check, read back, erase region',
    async (chip) => {
      const { device, loader, log } = await board(chip, endpoint, 460800);
      const fx = FIXTURE[chip];
      const image = new Uint8Array(readFileSync(path.join(FIRMWARE, fx.file)));
      await loader.main('no_reset');
      expect(loader.chip.CHIP_NAME).toBe(fx.chipName);
      expect(loader.IS_STUB).toBe(true);
      expect(log.join('\n')).toContain(`MAC: ${device.mac}`);

      await writeImage(loader, image, fx.address, { compress: true, md5: true });
      expect(log.join('\n')).toContain('Hash of data verified.');
      const back = await loader.readFlash(fx.address, image.length);
      expect(Buffer.from(back).equals(Buffer.from(image))).toBe(true);
      expect(device.flash.subarray(fx.address, fx.address + image.length).equals(Buffer.from(image))).toBe(
        true,
      );

      // Erase one sector that holds data, through esptool-js's command layer (it has no erase_region helper).
      await writeImage(loader, image.subarray(0, 0x1000), ERASE_AT, { compress: false, md5: true });
      expect(device.flash[ERASE_AT]).toBe(image[0]);
      await loader.checkCommand('erase region', 0xd1, words(ERASE_AT, 0x1000), 0, 0, 10_000);
      const erased = await loader.readFlash(ERASE_AT, 0x1000);
      expect(erased.every((b) => b === 0xff)).toBe(true);
    },
  );

  it.each(['esp32', 'esp32c3', 'esp32s3', 'esp32c6'] as const)(
    '%s ROM only: detect, writeFlash, MD5 and read back through the ROM, erase',
    async (chip) => {
      const { device, loader } = await board(chip, endpoint, 115200);
      const fx = FIXTURE[chip];
      const image = new Uint8Array(readFileSync(path.join(FIRMWARE, fx.file)));
      await loader.detectChip('no_reset');
      expect(loader.chip.CHIP_NAME).toBe(fx.chipName);
      expect(loader.IS_STUB).toBe(false);
      await loader.flashSpiAttach(0);

      // esptool-js 0.7.0 sends FLASH_BEGIN with five words to every ROM and FLASH_DEFL_BEGIN with five only to the
      // S2/S3/C3/C2; esptool sends the ESP32 ROM four words ("ESP32 and ESP8266 ROMs do not support extended
      // parameter format", loader.py) and later ROMs five. So the form each simulated ROM takes: deflate on the
      // ESP32, plain FLASH_BEGIN on the others (the C6 refuses esptool-js's four-word FLASH_DEFL_BEGIN, [guess]).
      const deflate = chip === 'esp32';
      await writeImage(loader, image, fx.address, { compress: deflate, md5: false });
      expect(device.flash.subarray(fx.address, fx.address + image.length).equals(Buffer.from(image))).toBe(
        true,
      );
      const asHex = await loader.flashMd5sum(fx.address, image.length);
      expect(Buffer.from(asHex, 'hex').toString('ascii')).toBe(md5hex(image));
      const back = await romRead(loader, chip, fx.address, image.length);
      expect(back.equals(Buffer.from(image))).toBe(true);

      // The ROM erases in FLASH_(DEFL_)BEGIN: begin a one-sector write over data, end it without writing.
      device.flash.fill(0x00, ERASE_AT, ERASE_AT + 0x1000);
      if (deflate) {
        await loader.flashDeflBegin(0x1000, 0, ERASE_AT);
        await loader.flashDeflFinish(false);
      } else {
        await loader.flashBegin(0x1000, ERASE_AT);
        await loader.flashFinish(false);
      }
      expect((await romRead(loader, chip, ERASE_AT, 0x1000)).every((b) => b === 0xff)).toBe(true);
    },
  );

  it('esp8266 ROM only: detect and read back through the flash window; the 5-word FLASH_BEGIN is refused', async () => {
    const { device, loader } = await board('esp8266', endpoint, 115200);
    const image = new Uint8Array(readFileSync(path.join(FIRMWARE, FIXTURE.esp8266.file)));
    device.flash.set(image, 0);
    await loader.detectChip('no_reset');
    expect(loader.chip.CHIP_NAME).toBe('ESP8266');
    expect((await romRead(loader, 'esp8266', 0, image.length)).equals(Buffer.from(image))).toBe(true);
    // esptool-js 0.7.0's flashBegin adds the encryption word for every ROM; esptool sends the ESP8266 ROM four
    // words. The simulated ESP8266 ROM answers a 20-byte FLASH_BEGIN with "invalid message" ([guess], see
    // docs/SIMULATOR.md), so esptool-js cannot write this ROM uncompressed, and the ROM has no deflate.
    await expect(writeImage(loader, image, 0x10000, { compress: false, md5: false })).rejects.toThrow(
      'Failed to enter Flash download mode failed with status 1,5',
    );
    expect(device.flash.subarray(0x10000, 0x10000 + image.length).every((b) => b === 0xff)).toBe(true);
  });
});
