/**
 * The "skip what is already there" check before a write (esp/flasher/write.ts changedRuns), on the simulator: which
 * SPI_FLASH_MD5 ranges the engine asks for before the first write command, and what lands in flash. A blank board
 * costs two 4 KB checks (first and last sector), never a hash of the whole region; a board that already holds the
 * image is still skipped; a write cut short is resumed block by block; the same image with another header is
 * rewritten only where the header is.
 */
import { describe, expect, it } from 'vitest';
import { withSession, type FlashOptions } from '../../src-main/esp';
import { Op, decodeRequest } from '../../src-main/esp/link/protocol';
import { SlipDecoder } from '../../src-main/esp/link/slip';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { noiseBytes, simBench } from '../helpers/sim-bench';
import { readFirmware } from '../helpers/shared';
import { kilnRejection } from '../helpers/errors';

const WRITE_BEGINS = new Set<number>([Op.FLASH_BEGIN, Op.FLASH_DEFL_BEGIN]);

/** The MD5 ranges asked before the first write command of each flash, as [offset, size]. */
function md5Watch(pair: ReturnType<typeof createMemoryPair>) {
  let checks: [number, number][] = [];
  let writing = false;
  let begins = 0;
  const dec = new SlipDecoder({
    frame: (f) => {
      const req = decodeRequest(f);
      if (!req) return;
      if (WRITE_BEGINS.has(req.op)) {
        writing = true;
        begins++;
      }
      if (req.op === Op.SPI_FLASH_MD5 && !writing)
        checks.push([req.data.readUInt32LE(0), req.data.readUInt32LE(4)]);
    },
  });
  pair.device.onHostData((c) => dec.push(c));
  return {
    /** Starts a new flash: forgets the checks so far. */
    reset() {
      checks = [];
      writing = false;
      begins = 0;
    },
    get checks() {
      return checks;
    },
    get begins() {
      return begins;
    },
  };
}

const MiB = 0x100000;
const big = noiseBytes(MiB, 7);
const AT = 0x10000;

describe('the pre-check before a write', () => {
  it('a blank board: two 4 KB checks (first and last sector), no whole-region MD5, then everything is written', async () => {
    const { clock, sim, pair } = simBench({ chip: 'esp8266' });
    const watch = md5Watch(pair);
    const r = await withSession(pair.host, { clock, baud: 921600 }, (s) =>
      s.flash({ images: [{ offset: AT, data: big }] }),
    );
    expect(watch.checks).toEqual([
      [AT, 0x1000],
      [AT + MiB - 0x1000, 0x1000],
    ]);
    expect(r.regions[0]!.blocksSkipped).toBe(0);
    expect(r.regions[0]!.verified).toBe(true);
    expect(sim.flash.subarray(AT, AT + MiB).equals(big)).toBe(true);
  });

  it('a board that holds the image: the two sector checks, one whole-region MD5, nothing written', async () => {
    const { clock, sim, pair } = simBench({ chip: 'esp32' });
    const watch = md5Watch(pair);
    await withSession(pair.host, { clock, baud: 921600 }, async (s) => {
      await s.flash({ images: [{ offset: AT, data: big }] });
      watch.reset();
      const again = await s.flash({ images: [{ offset: AT, data: big }] });
      expect(again.regions[0]!.blocksSkipped).toBe(16);
      expect(again.regions[0]!.verified).toBe(true);
    });
    expect(watch.checks).toEqual([
      [AT, 0x1000],
      [AT + MiB - 0x1000, 0x1000],
      [AT, MiB],
    ]);
    expect(watch.begins).toBe(0);
    expect(sim.flash.subarray(AT, AT + MiB).equals(big)).toBe(true);
  });

  it('a write cut short by an unplug: first sector right, last wrong → per 64 KB block, only the missing ones are sent', async () => {
    const { clock, sim, pair } = simBench({ chip: 'esp8266', faults: { unplugAfterBytes: 500_000 } });
    const img: FlashOptions['images'] = [{ offset: AT, data: big }];
    const err = await kilnRejection(
      withSession(pair.host, { clock, baud: 921600 }, (s) => s.flash({ images: img })),
    );
    expect(err.code).toBe('DEVICE_LOST');
    const missing = Array.from(
      { length: 16 },
      (_, b) =>
        !sim.flash
          .subarray(AT + b * 0x10000, AT + (b + 1) * 0x10000)
          .equals(big.subarray(b * 0x10000, (b + 1) * 0x10000)),
    ).filter(Boolean).length;
    expect(missing).toBeGreaterThan(0);
    expect(missing).toBeLessThan(16);

    sim.setFaults({});
    sim.powerCycle();
    const pair2 = createMemoryPair({ path: 'sim:esp8266' });
    sim.attach(pair2.device);
    const watch = md5Watch(pair2);
    const r = await withSession(pair2.host, { clock, baud: 921600 }, (s) => s.flash({ images: img }));
    // No whole-region MD5: the last sector already said the region is incomplete.
    expect(watch.checks.slice(0, 2)).toEqual([
      [AT, 0x1000],
      [AT + MiB - 0x1000, 0x1000],
    ]);
    expect(watch.checks.slice(2)).toEqual(Array.from({ length: 16 }, (_, b) => [AT + b * 0x10000, 0x10000]));
    expect(r.regions[0]!.blocksSkipped).toBe(16 - missing);
    expect(r.regions[0]!.verified).toBe(true);
    expect(sim.flash.subarray(AT, AT + MiB).equals(big)).toBe(true);
  });

  it('the same firmware flashed again in another flash mode: only the block with the header is rewritten', async () => {
    const app = readFirmware('esp8266_deepsleep.bin');
    const blocks = Math.ceil(app.length / 0x10000);
    expect(blocks).toBeGreaterThan(2);
    const { clock, sim, pair } = simBench({ chip: 'esp8266' });
    const watch = md5Watch(pair);
    await withSession(pair.host, { clock, baud: 921600 }, async (s) => {
      await s.flash({ images: [{ offset: 0, data: app }], flashMode: 'dio' });
      expect(sim.flash[2]).toBe(2);
      watch.reset();
      const dout = await s.flash({ images: [{ offset: 0, data: app }], flashMode: 'dout' });
      expect(dout.regions[0]!.blocksSkipped).toBe(blocks - 1);
      expect(dout.regions[0]!.verified).toBe(true);
    });
    // First sector differs (the header), last matches: per block, without a whole-region MD5.
    expect(watch.checks.length).toBe(2 + blocks);
    expect(watch.checks).not.toContainEqual([0, app.length]);
    expect(sim.flash[2]).toBe(3);
    expect(sim.flash.subarray(4, app.length).equals(app.subarray(4))).toBe(true);
  });

  it('a region of one 64 KB block is asked as a whole, once', async () => {
    const small = noiseBytes(0x8000, 3);
    const { clock, pair } = simBench({ chip: 'esp8266' });
    const watch = md5Watch(pair);
    await withSession(pair.host, { clock, baud: 921600 }, (s) =>
      s.flash({ images: [{ offset: AT, data: small }] }),
    );
    expect(watch.checks).toEqual([[AT, 0x8000]]);
  });
});
