/**
 * The engine against the simulator, in process: a VirtualClock and a memory pair, so every byte is paced at the
 * modelled baud but a minute of flashing costs well under a second. Assertions are on the simulator's flash
 * contents, on bytes on the wire and on exact error codes.
 */
import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { VirtualClock } from '../../src-main/core/clock';
import { KilnError } from '../../src-main/core/errors';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { SimulatedDevice, type SimFaults, type SimOptions } from '../../src-main/sim';
import { connectEsp, withSession, type ConnectOptions, type EspSessionApi } from '../../src-main/esp';
import { sharedDir, readFirmware } from '../helpers/shared';

const TRUNCATED_HEADER = 'esp32s3_header.bin';
const firmwareNames = readdirSync(path.join(sharedDir(), 'fixtures', 'firmware'))
  .filter((n) => n.endsWith('.bin') && n !== TRUNCATED_HEADER)
  .sort();

function bench(opts: Omit<SimOptions, 'clock'>, pairPath = `sim:${opts.chip}`) {
  const clock = new VirtualClock();
  const sim = new SimulatedDevice({ ...opts, clock });
  const pair = createMemoryPair({ path: pairPath, lines: opts.board === 'usb-jtag-serial' ? 'usb-jtag-serial' : 'uart' });
  sim.attach(pair.device);
  return { clock, sim, pair };
}

function padded(data: Uint8Array): Buffer {
  const n = Math.ceil(data.length / 4) * 4;
  const out = Buffer.alloc(n, 0xff);
  out.set(data);
  return out;
}

async function failure(p: Promise<unknown>): Promise<KilnError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KilnError);
    return e as KilnError;
  }
  throw new Error('expected the operation to fail, it succeeded');
}

describe('every fixture image, flashed and read back', () => {
  it('found the fixtures', () => expect(firmwareNames.length).toBeGreaterThanOrEqual(8));

  for (const chip of ['esp8266', 'esp32'] as const) {
    for (const baud of [115200, 921600]) {
      it(`${chip} at ${baud}`, async () => {
        const { clock, sim, pair } = bench({ chip });
        await withSession(pair.host, { clock, baud }, async (s) => {
          expect(s.info.chip).toBe(chip);
          expect(s.info.baud).toBe(baud);
          expect(s.info.mac).toBe(sim.mac);
          for (const name of firmwareNames) {
            const data = readFirmware(name);
            const r = await s.flash({ images: [{ offset: 0x10000, data, name }], skipUnchanged: false });
            expect(r.regions[0]!.verified, name).toBe(true);
            expect(r.regions[0]!.md5).toBe(createHash('md5').update(padded(data)).digest('hex'));
            const back = await s.readFlash({ offset: 0x10000, size: data.length });
            expect(Buffer.from(back).equals(data), name).toBe(true);
            expect(sim.flash.subarray(0x10000, 0x10000 + data.length).equals(data), name).toBe(true);
          }
        });
        expect(pair.device.hostOpen).toBe(false);
      });
    }
  }
});

describe('several images at their offsets in one job', () => {
  it('ESP8266 NONOS 512+512 layout on a 1 MB board', async () => {
    const { clock, sim, pair } = bench({ chip: 'esp8266', flashSize: 0x100000 });
    const images = [
      { offset: 0x0, data: readFirmware('nonos_boot_v1.7.bin'), name: 'boot' },
      { offset: 0x1000, data: readFirmware('nonos_at_user1.1024.new.2.bin'), name: 'user1' },
      { offset: 0xfc000, data: readFirmware('nonos_esp_init_data_default_v08.bin'), name: 'init' },
      { offset: 0xfe000, data: Buffer.alloc(0x1000, 0xff), name: 'blank' },
    ];
    const r = await withSession(pair.host, { clock, baud: 460800 }, (s) => s.flash({ images }));
    expect(r.regions.map((x) => x.verified)).toEqual([true, true, true, true]);
    for (const img of images) expect(sim.flash.subarray(img.offset, img.offset + img.data.length).equals(img.data), img.name).toBe(true);
  });

  it('ESP32 bootloader + partition table + app, with a header patch at the bootloader offset', async () => {
    const { clock, sim, pair } = bench({ chip: 'esp32' });
    const boot = readFirmware('bootloader_esp32.bin');
    const images = [
      { offset: 0x1000, data: boot },
      { offset: 0x8000, data: readFirmware('partitions_singleapp.bin') },
      { offset: 0x10000, data: readFirmware('esp8266_deepsleep.bin') },
    ];
    const r = await withSession(pair.host, { clock, baud: 921600 }, (s) => s.flash({ images, flashMode: 'dio', flashSize: 'detect' }));
    expect(r.regions.every((x) => x.verified)).toBe(true);
    const written = sim.flash.subarray(0x1000, 0x1000 + boot.length);
    expect(written[2]).toBe(2); // dio
    expect(written[3]! >> 4).toBe(2); // 4 MB on ESP32
    expect(written.subarray(4).equals(boot.subarray(4)) || written[0] === 0xe9).toBe(true);
    for (const img of images.slice(1)) expect(sim.flash.subarray(img.offset, img.offset + img.data.length).equals(img.data)).toBe(true);
  });
});

describe('ESP8266 ROM only (no stub)', () => {
  it('writes with the erase-size workaround, keeps neighbours intact, verifies by window read-back', async () => {
    const before = Buffer.alloc(0x100000);
    for (let i = 0; i < before.length; i++) before[i] = (i * 31 + 7) & 0xff;
    const { clock, sim, pair } = bench({ chip: 'esp8266', flashSize: 0x100000, flashImage: before });
    const user1 = readFirmware('nonos_at_user1.1024.new.2.bin');
    const logs: string[] = [];
    const r = await withSession(pair.host, { clock, useStub: false, baud: 921600, onLog: (_l, m) => logs.push(m) }, async (s) => {
      expect(s.info.stub).toBe(false);
      expect(s.info.baud).toBe(115200);
      return s.flash({ images: [{ offset: 0x1000, data: user1 }] });
    });
    expect(r.regions[0]!.verified).toBe(true);
    const end = 0x1000 + padded(user1).length;
    expect(sim.flash.subarray(0x1000, 0x1000 + user1.length).equals(user1)).toBe(true);
    // Sectors outside the written range hold what they held before: the ROM erased no more than needed.
    expect(sim.flash.subarray(0, 0x1000).equals(before.subarray(0, 0x1000))).toBe(true);
    const nextSector = Math.ceil(end / 0x1000) * 0x1000;
    expect(sim.flash.subarray(nextSector).equals(before.subarray(nextSector))).toBe(true);
  });
});

describe('skip unchanged and resume', () => {
  const big = randomBytes(0x100000);

  it('flashing the same image twice sends < 5 % of the first run the second time', async () => {
    const { clock, sim, pair } = bench({ chip: 'esp32' });
    await withSession(pair.host, { clock, baud: 921600 }, async (s) => {
      const img = [{ offset: 0x10000, data: big }];
      const a0 = sim.stats.hostToDeviceBytes;
      const first = await s.flash({ images: img });
      const a1 = sim.stats.hostToDeviceBytes;
      const second = await s.flash({ images: img });
      const a2 = sim.stats.hostToDeviceBytes;
      expect(first.regions[0]!.blocksSkipped).toBe(0);
      expect(second.regions[0]!.blocksSkipped).toBe(16);
      expect(second.regions[0]!.verified).toBe(true);
      expect(a2 - a1).toBeLessThan(0.05 * (a1 - a0));
      // Change one 64 KB block: only that block goes over the wire again.
      const changed = Buffer.from(big);
      changed[5 * 0x10000 + 123] ^= 0xff;
      const third = await s.flash({ images: [{ offset: 0x10000, data: changed }] });
      expect(third.regions[0]!.blocksSkipped).toBe(15);
      expect(sim.flash.subarray(0x10000, 0x10000 + changed.length).equals(changed)).toBe(true);
      expect(sim.stats.hostToDeviceBytes - a2).toBeLessThan(0.1 * (a1 - a0));
    });
  });

  it('a flash cut by an unplug, retried after a power cycle, sends only what was missing and verifies', async () => {
    const { clock, sim, pair } = bench({ chip: 'esp8266', faults: { unplugAfterBytes: 600_000 } });
    const img = [{ offset: 0x20000, data: big }];
    const err = await failure(withSession(pair.host, { clock, baud: 921600 }, (s) => s.flash({ images: img })));
    expect(err.code).toBe('DEVICE_LOST');
    expect(err.message).toContain('sim:esp8266');
    expect(pair.device.hostOpen).toBe(false);
    const firstBytes = sim.stats.hostToDeviceBytes;

    sim.setFaults({});
    sim.powerCycle();
    const pair2 = createMemoryPair({ path: 'sim:esp8266' });
    sim.attach(pair2.device);
    const r = await withSession(pair2.host, { clock, baud: 921600 }, (s) => s.flash({ images: img }));
    expect(r.regions[0]!.verified).toBe(true);
    expect(r.regions[0]!.blocksSkipped).toBeGreaterThan(0);
    expect(sim.flash.subarray(0x20000, 0x20000 + big.length).equals(big)).toBe(true);
    // The retry sent roughly the part that was missing, not the whole image again.
    expect(r.bytesSent).toBeLessThan(big.length - firstBytes * 0.5);
  });
});

describe('faults end in their own error, in bounded time, never in success', () => {
  type Case = { name: string; faults?: SimFaults; after?: SimFaults; opts?: Partial<SimOptions>; code: string; connect?: Partial<ConnectOptions> };
  const cases: Case[] = [
    { name: 'TX/RX swapped', faults: { swapTxRx: true }, code: 'SYNC_FAILED' },
    { name: 'TX/RX shorted', faults: { shortTxRx: true }, code: 'SYNC_FAILED' },
    { name: 'unpowered', faults: { unpowered: true }, code: 'SYNC_FAILED' },
    { name: 'app running, no reset circuit', faults: { appRunning: true }, code: 'SYNC_FAILED' },
    { name: 'not in download mode (no auto-reset board)', opts: { board: 'no-auto-reset' }, code: 'SYNC_FAILED' },
    { name: 'brownout', faults: { brownout: true }, code: 'SYNC_FAILED' },
    { name: 'unplug mid-write', after: { unplugAfterBytes: 50_000 }, code: 'DEVICE_LOST' },
    { name: 'flash write error', after: { flashWriteError: true }, code: 'FLASH_WRITE_FAILED' },
    { name: 'very slow flash', after: { slowFlashFactor: 2000 }, code: 'TIMEOUT' },
    { name: 'heavy noise', after: { noiseRate: 0.02 }, code: 'NOISE' },
    { name: 'dropped bytes', after: { dropRate: 0.02 }, code: 'NOISE' },
  ];
  // Corruption on the line shows up as whichever check catches it first; all are specific, none is success.
  const NOISE_CODES = ['TIMEOUT', 'PROTOCOL_ERROR', 'VERIFY_FAILED', 'FLASH_WRITE_FAILED'];

  for (const chip of ['esp8266', 'esp32'] as const) {
    for (const c of cases) {
      it(`${chip}: ${c.name} → ${c.code === 'NOISE' ? NOISE_CODES.join('/') : c.code}`, async () => {
        const { clock, sim, pair } = bench({ chip, ...(c.faults ? { faults: c.faults } : {}), ...(c.opts ?? {}) });
        const data = randomBytes(0x40000);
        const run = async () => {
          let s: EspSessionApi | undefined;
          try {
            s = await connectEsp(pair.host, { clock, baud: 460800, ...(c.connect ?? {}) });
            if (c.after) sim.setFaults(c.after);
            await s.flash({ images: [{ offset: 0x10000, data }] });
          } finally {
            await s?.close();
          }
        };
        const err = await failure(run());
        if (c.code === 'NOISE' && !NOISE_CODES.includes(err.code)) console.log(c.name, err.code, err.message, JSON.stringify(err.details));
        if (c.code === 'NOISE') expect(NOISE_CODES).toContain(err.code);
        else expect(err.code).toBe(c.code);
        expect(err.hint).toBeTruthy();
        if (err.code === 'TIMEOUT') expect(typeof err.details!.command).toBe('string');
        if (err.code === 'SYNC_FAILED') expect(err.details!.capture).toBeDefined();
        // Bounded: 7 connect attempts, or one write's worth of timeouts, in virtual minutes at most.
        expect(clock.now()).toBeLessThan(5 * 60_000);
        expect(pair.device.hostOpen).toBe(false);
      });
    }
  }
});

describe('cancellation', () => {
  it('an abort mid-write is CANCELLED quickly and the port is closed', async () => {
    const { clock, pair } = bench({ chip: 'esp32' });
    const ac = new AbortController();
    const s = await connectEsp(pair.host, { clock, baud: 115200 });
    const t0 = clock.now();
    clock.setTimer(2000, () => ac.abort());
    const err = await failure(s.flash({ images: [{ offset: 0x10000, data: randomBytes(0x80000) }], signal: ac.signal }));
    expect(err.code).toBe('CANCELLED');
    expect(clock.now() - t0).toBeLessThan(2100);
    expect(pair.device.hostOpen).toBe(false);
  });

  it('an abort during connect is CANCELLED', async () => {
    const { clock, pair } = bench({ chip: 'esp8266', faults: { swapTxRx: true } });
    const ac = new AbortController();
    clock.setTimer(500, () => ac.abort());
    const err = await failure(connectEsp(pair.host, { clock, signal: ac.signal }));
    expect(err.code).toBe('CANCELLED');
    expect(pair.device.hostOpen).toBe(false);
  });
});
