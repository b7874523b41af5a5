/**
 * The ESP32's flasher stub goes up at the data baud (esp/flasher/stub-greeting.ts), against the simulator on a
 * VirtualClock: esp-flasher-stub sets the UART at start to the ROM's recorded baud, 115200 by the [guess] the
 * simulator makes by default; with `romRecordsChangedBaud` (the other side of that guess) the SYNC probe finds the
 * stub where it is. Asserted on the commands, the host's rate when each left, the final session state and the
 * flash contents.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { connectEsp, withSession, type ConnectOptions } from '../../src-main/esp';
import { Op, decodeRequest, encodeResponse, words } from '../../src-main/esp/link/protocol';
import { SlipDecoder, slipEncode } from '../../src-main/esp/link/slip';
import { EspLink } from '../../src-main/esp/link/link';
import { CHIP_RECORDS } from '../../src-main/esp/chips/records';
import { greetStub } from '../../src-main/esp/flasher/stub-greeting';
import { VirtualClock } from '../../src-main/core/clock';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { CHIP_FACTS, romCalibratedXtalHz } from '../../src-main/sim/chip-facts';
import { SimulatedDevice, type SimOptions } from '../../src-main/sim';
import { noiseBytes, simBench } from '../helpers/sim-bench';
import { kilnRejection } from '../helpers/errors';

type Bench = ReturnType<typeof simBench>;

/** Every request the host sent, in order, with the host's baud when it left. */
function wireWatch(bench: Bench, onRequest?: (op: number) => void) {
  const sent: { op: number; baud: number; data: Buffer }[] = [];
  const out = new SlipDecoder({
    frame: (f) => {
      const req = decodeRequest(f);
      if (!req) return;
      sent.push({ op: req.op, baud: bench.pair.device.hostBaudRate, data: req.data });
      onRequest?.(req.op);
    },
  });
  bench.pair.device.onHostData((c) => out.push(c));
  const bauds = (op: number) => sent.filter((s) => s.op === op).map((s) => s.baud);
  /** Requests after the (last) MEM_END. */
  const afterMemEnd = () => sent.slice(sent.map((s) => s.op).lastIndexOf(Op.MEM_END) + 1);
  /** The rates the SYNC probes after MEM_END went at, in order, each once (a rate gets up to two SYNCs). */
  const probeRates = () => [
    ...new Set(
      sent
        .slice(sent.map((s) => s.op).lastIndexOf(Op.MEM_END) + 1)
        .filter((s) => s.op === Op.SYNC)
        .map((s) => s.baud),
    ),
  ];
  const changes = () =>
    sent
      .filter((s) => s.op === Op.CHANGE_BAUDRATE)
      .map((s) => ({ words: [s.data.readUInt32LE(0), s.data.readUInt32LE(4)], baud: s.baud }));
  return { sent, bauds, afterMemEnd, probeRates, changes };
}

const app = noiseBytes(24 * 1024, 7);
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
/** esptool's figure for 921600 on the simulated ESP32 ROM (its crystal estimate, 38.72 MHz). */
const CARRIED_921600 = Math.floor((921600 * romCalibratedXtalHz(CHIP_FACTS.esp32.romCal!)) / 40e6);

/** Flashes `app` at 0x20000 over `host` (default the bench's port); it must verify and land byte for byte. */
async function flashOn(bench: Bench, connect: Omit<ConnectOptions, 'clock'>, host = bench.pair.host) {
  const r = await withSession(host, { ...connect, clock: bench.clock }, async (s) => {
    const f = await s.flash({ images: [{ offset: 0x20000, data: app }], skipUnchanged: false });
    return { info: s.info, region: f.regions[0]! };
  });
  expect(r.region.verified).toBe(true);
  expect(r.region.md5).toBe(md5(app));
  expect(bench.sim.flash.subarray(0x20000, 0x20000 + app.length).equals(app)).toBe(true);
  return r;
}

function esp32(extra: Partial<Omit<SimOptions, 'clock' | 'chip'>> = {}): Bench {
  return simBench({ chip: 'esp32', ...extra });
}

describe('ESP32: the stub goes up at the data baud', () => {
  it('fast SYNC at 921600: every MEM_DATA at 921600, no ROM CHANGE_BAUDRATE, OHAI at 115200, the stub changes to 921600', async () => {
    const bench = esp32();
    const watch = wireWatch(bench);
    const { info } = await flashOn(bench, { baud: 921600 });
    expect(info.stub).toBe(true);
    expect(info.baud).toBe(921600);
    expect(watch.bauds(Op.SYNC).every((b) => b === 921600)).toBe(true);
    expect(watch.bauds(Op.MEM_DATA).length).toBeGreaterThanOrEqual(2);
    expect(watch.bauds(Op.MEM_DATA).every((b) => b === 921600)).toBe(true);
    // OHAI heard: no SYNC probe; the only CHANGE_BAUDRATE is the stub's (new, old), sent at 115200.
    expect(watch.afterMemEnd().some((s) => s.op === Op.SYNC)).toBe(false);
    expect(watch.changes()).toEqual([{ words: [921600, 115200], baud: 115200 }]);
    expect(bench.pair.host.baudRate).toBe(921600);
  });

  it('the ROM records the changed baud (romRecordsChangedBaud): no OHAI at 115200, the SYNC probe finds the stub at 921600', async () => {
    const bench = esp32({ romRecordsChangedBaud: true });
    const watch = wireWatch(bench);
    const { info } = await flashOn(bench, { baud: 921600 });
    expect(info.stub).toBe(true);
    expect(info.baud).toBe(921600);
    expect(watch.bauds(Op.MEM_DATA).every((b) => b === 921600)).toBe(true);
    expect(watch.probeRates()).toEqual([115200, 921600]);
    // Already at the data baud: no CHANGE_BAUDRATE at all.
    expect(watch.changes()).toEqual([]);
  });

  it('fast SYNC unanswered (autobaud-limit): the ROM changes to 921600 (crystal-scaled figure), the stub goes up at 921600', async () => {
    const bench = esp32({ faults: { autobaudMaxBaud: 115200 } });
    const watch = wireWatch(bench);
    const { info } = await flashOn(bench, { baud: 921600 });
    expect(info.baud).toBe(921600);
    const ops = watch.sent.map((s) => s.op);
    expect(ops.indexOf(Op.CHANGE_BAUDRATE)).toBeLessThan(ops.indexOf(Op.MEM_BEGIN));
    expect(watch.changes()).toEqual([
      { words: [CARRIED_921600, 0], baud: 115200 },
      { words: [921600, 115200], baud: 115200 },
    ]);
    expect(watch.bauds(Op.MEM_DATA).every((b) => b === 921600)).toBe(true);
    expect(watch.afterMemEnd().some((s) => s.op === Op.SYNC)).toBe(false);
  });

  it('that path with romRecordsChangedBaud: the stub runs at the figure CHANGE_BAUDRATE carried, found by the third probe', async () => {
    const bench = esp32({ faults: { autobaudMaxBaud: 115200 }, romRecordsChangedBaud: true });
    const watch = wireWatch(bench);
    const { info } = await flashOn(bench, { baud: 921600 });
    expect(info.baud).toBe(921600);
    expect(watch.bauds(Op.MEM_DATA).every((b) => b === 921600)).toBe(true);
    expect(watch.probeRates()).toEqual([115200, 921600, CARRIED_921600]);
    expect(watch.changes().slice(1)).toEqual([{ words: [921600, CARRIED_921600], baud: CARRIED_921600 }]);
  });

  it('OHAI lost while the host switches (a driver slow to change rate): the SYNC probe at 115200 finds the stub', async () => {
    const bench = esp32();
    let memEndSent = false;
    const watch = wireWatch(bench, (op) => {
      if (op === Op.MEM_END) memEndSent = true;
    });
    let slowed = false;
    // The first switch after MEM_END takes 80 ms, past the stub's start: its OHAI reaches a port still at 921600.
    const host = Object.create(bench.pair.host, {
      setBaudRate: {
        value: async (baud: number) => {
          if (memEndSent && !slowed) {
            slowed = true;
            await bench.clock.sleep(80);
          }
          await bench.pair.host.setBaudRate(baud);
        },
      },
    }) as typeof bench.pair.host;
    const { info } = await flashOn(bench, { baud: 921600 }, host);
    expect(slowed).toBe(true);
    expect(info.stub).toBe(true);
    expect(info.baud).toBe(921600);
    expect(
      watch
        .afterMemEnd()
        .filter((s) => s.op === Op.SYNC)
        .map((s) => s.baud),
    ).toEqual([115200]);
    expect(watch.changes()).toEqual([{ words: [921600, 115200], baud: 115200 }]);
  });

  it('behind an FTDI with its 16 ms latency timer: stub at 921600, flash verifies', async () => {
    const bench = esp32({ usbPath: { bridge: 'ft232r', latencyMs: 16 } });
    const watch = wireWatch(bench);
    const { info } = await flashOn(bench, { baud: 921600 });
    expect(info.stub).toBe(true);
    expect(info.baud).toBe(921600);
    expect(watch.bauds(Op.MEM_DATA).every((b) => b === 921600)).toBe(true);
  });

  it('a stub that never answers: STUB_FAILED naming the rates tried', async () => {
    const bench = esp32();
    // The line goes dead as MEM_END leaves the host: nothing answers at any rate.
    wireWatch(bench, (op) => {
      if (op === Op.MEM_END) bench.sim.setFaults({ swapTxRx: true });
    });
    const err = await kilnRejection(connectEsp(bench.pair.host, { clock: bench.clock, baud: 921600 }));
    expect(err.code).toBe('STUB_FAILED');
    expect(err.message).toMatch(/115200, 921600 baud/);
    expect(err.details).toMatchObject({ chip: 'esp32', uploadBaud: 921600, triedBauds: [115200, 921600] });
  });

  it('without the stub nothing changes: ROM CHANGE_BAUDRATE to 921600, ROM writes', async () => {
    const bench = esp32();
    const watch = wireWatch(bench);
    const { info } = await flashOn(bench, { baud: 921600, useStub: false });
    expect(info.stub).toBe(false);
    expect(watch.bauds(Op.MEM_BEGIN)).toEqual([]);
    expect(watch.bauds(Op.SYNC).every((b) => b === 115200)).toBe(true);
  });
});

describe('ESP32 without UART lines', () => {
  it('TCP (no lines): no CHANGE_BAUDRATE in ROM, the stub goes up at 115200 and changes as before', async () => {
    const clock = new VirtualClock();
    const sim = new SimulatedDevice({ chip: 'esp32', clock, board: 'no-auto-reset', buttonHeld: true });
    const pair = createMemoryPair({ path: 'socket://127.0.0.1:4000', lines: 'none' });
    sim.attach(pair.device);
    await clock.sleep(1000);
    const bench = { clock, sim, pair };
    const watch = wireWatch(bench);
    const { info } = await flashOn(bench, { baud: 921600 });
    expect(info.stub).toBe(true);
    expect(watch.bauds(Op.MEM_DATA).every((b) => b === 115200)).toBe(true);
    expect(watch.changes()).toEqual([{ words: [921600, 115200], baud: 115200 }]);
  });
});

describe('other chips: their stub keeps the ROM\u2019s rate (src/main.c touches the divider on ESP32/S2/P4 only)', () => {
  it('ESP32-C3: the stub goes up at the fast SYNC\u2019s 921600 and greets there; no CHANGE_BAUDRATE at all', async () => {
    const bench = simBench({ chip: 'esp32c3' });
    const watch = wireWatch(bench);
    const { info } = await flashOn(bench, { baud: 921600 });
    expect(info.baud).toBe(921600);
    expect(info.stub).toBe(true);
    expect(watch.changes()).toEqual([]);
    expect(watch.bauds(Op.MEM_DATA).length).toBeGreaterThan(0);
    expect(watch.bauds(Op.MEM_DATA).every((b) => b === 921600)).toBe(true);
  });

  it('ESP32-C3 at 2 Mbaud: the ROM stays at 921600 for the upload, the stub takes (2000000, 921600)', async () => {
    const bench = simBench({ chip: 'esp32c3' });
    const watch = wireWatch(bench);
    const { info } = await flashOn(bench, { baud: 2_000_000 });
    expect(info.baud).toBe(2_000_000);
    expect(watch.changes()).toEqual([{ words: [2_000_000, 921600], baud: 921600 }]);
    expect(watch.bauds(Op.MEM_DATA).every((b) => b === 921600)).toBe(true);
  });
});

/**
 * The probe's two SYNCs against a receiver that follows esp-flasher-stub's SLIP state machine (src/slip.c
 * slip_recv_byte, read for facts: END outside a frame opens one; END inside completes it when it holds bytes, and
 * with nothing received returns to "no frame"), left inside a frame by bytes at a wrong rate.
 */
describe('the SYNC probe against esp-flasher-stub\u2019s SLIP receiver', () => {
  /** A stub at 115200 that never said OHAI; `garbage` = bytes at a wrong rate left it inside a frame. */
  function stubReceiver(garbage: boolean) {
    const clock = new VirtualClock();
    const pair = createMemoryPair({ path: '/dev/ttyTEST0', lines: 'uart' });
    let state: 'none' | 'in' | 'esc' = 'none';
    let buf: number[] = [];
    const frames: Buffer[] = [];
    const complete = (f: Buffer) => {
      frames.push(f);
      const req = decodeRequest(f);
      if (req?.op === Op.SYNC)
        for (let i = 0; i < 8; i++) pair.device.send(slipEncode(encodeResponse(Op.SYNC, 0, Buffer.of(0, 0))));
      if (req?.op !== Op.MEM_END) return;
      pair.device.send(slipEncode(encodeResponse(Op.MEM_END, 0, Buffer.alloc(4))));
      // The stub starts; what reaches it next is taken to follow bytes it got at a wrong rate, without an END.
      if (garbage) [state, buf] = ['in', [0x5a, 0x13]];
    };
    pair.device.onHostData((chunk) => {
      for (const b of chunk) {
        if (state === 'none') {
          if (b === 0xc0) [state, buf] = ['in', []];
        } else if (state === 'in') {
          if (b === 0xc0) {
            const f = Buffer.from(buf);
            [state, buf] = ['none', []];
            if (f.length > 0) complete(f);
          } else if (b === 0xdb) state = 'esc';
          else buf.push(b);
        } else {
          state = 'in';
          if (b === 0xdc) buf.push(0xc0);
          else if (b === 0xdd) buf.push(0xdb);
          else [state, buf] = ['none', []];
        }
      }
    });
    return { clock, pair, frames };
  }

  async function greet(garbage: boolean) {
    const s = stubReceiver(garbage);
    const link = new EspLink(s.pair.host, s.clock, undefined);
    await link.send(Op.MEM_END, words(0, 0x400a902c));
    await greetStub(link, CHIP_RECORDS.esp32);
    return { ...s, syncs: s.frames.filter((f) => decodeRequest(f)?.op === Op.SYNC).length };
  }

  it('a clean receiver answers the first SYNC', async () => {
    const r = await greet(false);
    expect(r.syncs).toBe(1);
    expect(r.pair.host.baudRate).toBe(115200);
  });

  it('inside a garbage frame: the first SYNC is lost to it, the second (one more END in front) is answered', async () => {
    const r = await greet(true);
    // The receiver's frames: the garbage (closed by the first SYNC's END), then the second SYNC.
    expect(r.frames.map((f) => decodeRequest(f)?.op ?? 'garbage')).toEqual([Op.MEM_END, 'garbage', Op.SYNC]);
    expect(r.syncs).toBe(1);
  });
});
