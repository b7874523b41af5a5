/**
 * ESP8266 stub upload at the data baud (esp/flasher/stub-resync.ts) against the simulator on a VirtualClock: the ROM is
 * reset and re-synced at the requested baud (it autobauds on SYNC), so the stub's bytes travel at that baud; when
 * the fast SYNC goes unanswered (the simulator's autobaud-limit fault: detection fails above 115200, as on a
 * bench whose adapter cannot carry the rate) the engine falls back to 115200. Where no reset can reach the chip
 * (no-reset, TCP) it never resets again.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  connectEsp,
  withSession,
  type AfterMode,
  type ConnectOptions,
  type LogLevel,
} from '../../src-main/esp';
import { Op, decodeRequest } from '../../src-main/esp/link/protocol';
import { SlipDecoder } from '../../src-main/esp/link/slip';
import { CHIP_RECORDS } from '../../src-main/esp/chips/records';
import { loadStubImage } from '../../src-main/esp/flasher/stub';
import { estimateResync, stubUploadWireBytes, wireMs } from '../../src-main/esp/flasher/stub-resync';
import { unixTightReset, classicReset } from '../../src-main/esp/link/reset';
import { VirtualClock } from '../../src-main/core/clock';
import { KilnError } from '../../src-main/core/errors';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { SimulatedDevice, type SimOptions } from '../../src-main/sim';
import { noiseBytes, simBench } from '../helpers/sim-bench';
import { kilnRejection } from '../helpers/errors';

const HARD_RESET = [
  { dtr: false, rts: true },
  { dtr: false, rts: false },
];
const UNIX_TIGHT_50 = [
  { dtr: false, rts: false },
  { dtr: true, rts: true },
  { dtr: false, rts: true },
  { dtr: true, rts: false },
  { dtr: false, rts: false },
  { dtr: false, rts: false },
];

/** Watches the wire: host baud when each MEM_DATA / SYNC left the host, and when the stub said OHAI. */
function wireWatch(pair: ReturnType<typeof createMemoryPair>, clock: VirtualClock) {
  const memData: { baud: number; at: number }[] = [];
  const syncBauds: number[] = [];
  let firstMemBegin: number | undefined;
  let ohaiAt: number | undefined;
  const out = new SlipDecoder({
    frame: (f) => {
      const req = decodeRequest(f);
      if (req?.op === Op.MEM_DATA) memData.push({ baud: pair.device.hostBaudRate, at: clock.now() });
      if (req?.op === Op.SYNC) syncBauds.push(pair.device.hostBaudRate);
      if (req?.op === Op.MEM_BEGIN && firstMemBegin === undefined) firstMemBegin = clock.now();
    },
  });
  pair.device.onHostData((c) => out.push(c));
  const back = new SlipDecoder({
    frame: (f) => {
      if (f.toString('latin1') === 'OHAI' && ohaiAt === undefined) ohaiAt = clock.now();
    },
  });
  pair.host.onData((c) => back.push(c));
  return {
    memData,
    syncBauds,
    stubUploadMs: () => ohaiAt! - firstMemBegin!,
  };
}

function logged() {
  const lines: { level: LogLevel; message: string }[] = [];
  return { lines, onLog: (level: LogLevel, message: string) => lines.push({ level, message }) };
}

const STUB_WIRE = stubUploadWireBytes(loadStubImage(CHIP_RECORDS.esp8266));
const app = noiseBytes(48 * 1024, 21);
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/**
 * Connects, flashes `app`, leaves with `after`. A board without auto-reset was powered up (button held) a while
 * before the flash starts, as a person does it; an auto-reset board is reset by the connect itself.
 */
async function flashAndOpenTime(
  opts: Omit<SimOptions, 'clock'>,
  connect: Omit<ConnectOptions, 'clock'>,
  after: AfterMode = 'hard-reset',
) {
  const bench = simBench(opts);
  if (opts.board === 'no-auto-reset') await bench.clock.sleep(1000);
  const watch = wireWatch(bench.pair, bench.clock);
  const log = logged();
  const t0 = bench.clock.now();
  let openMs = 0;
  const result = await withSession(
    bench.pair.host,
    { ...connect, clock: bench.clock, onLog: log.onLog },
    async (s) => {
      openMs = bench.clock.now() - t0;
      const r = await s.flash({ images: [{ offset: 0x20000, data: app }], skipUnchanged: false });
      await s.finish(after);
      return { info: s.info, region: r.regions[0]! };
    },
  );
  expect(result.region.verified).toBe(true);
  expect(result.region.md5).toBe(md5(app));
  expect(bench.sim.flash.subarray(0x20000, 0x20000 + app.length).equals(app)).toBe(true);
  return { ...bench, ...result, watch, log, openMs };
}

describe('the cost model', () => {
  it('re-syncs from 460800 up with the short reset; not at 230400, nor after the 550 ms reset', () => {
    expect(STUB_WIRE).toBeGreaterThan(12_376);
    expect(STUB_WIRE).toBeLessThan(12_376 * 1.05); // headers and SLIP escapes
    const short = unixTightReset(50);
    expect(estimateResync(STUB_WIRE, 230400, short).worthIt).toBe(false);
    expect(estimateResync(STUB_WIRE, 460800, short).worthIt).toBe(true);
    const fast = estimateResync(STUB_WIRE, 921600, short);
    expect(fast.worthIt).toBe(true);
    expect(fast.savingMs).toBeCloseTo(wireMs(STUB_WIRE, 115200) - wireMs(STUB_WIRE, 921600), 6);
    expect(fast.successCostMs).toBeLessThan(fast.failureCostMs);
    expect(estimateResync(STUB_WIRE, 921600, classicReset(550)).worthIt).toBe(false);
  });
});

describe('ESP8266 stub upload at the requested baud', () => {
  it('921600: a second reset, SYNC at 921600, every MEM_DATA at 921600, and the flash verifies', async () => {
    const run = await flashAndOpenTime({ chip: 'esp8266' }, { baud: 921600 });
    expect(run.info.baud).toBe(921600);
    expect(run.info.stub).toBe(true);
    // The connect reset, then the same reset again for the re-sync; nothing else until the flash is done.
    expect(run.pair.signalLog.map((x) => x.signals)).toEqual([
      ...UNIX_TIGHT_50,
      ...UNIX_TIGHT_50,
      ...HARD_RESET,
    ]);
    expect(run.watch.syncBauds[0]).toBe(115200);
    expect(run.watch.syncBauds.at(-1)).toBe(921600);
    expect(run.watch.memData.length).toBeGreaterThanOrEqual(3);
    expect(run.watch.memData.every((m) => m.baud === 921600)).toBe(true);
    // The upload took about its wire time at 921600 (≈ 135 ms), not the ≈ 1.08 s it takes at 115200.
    expect(run.watch.stubUploadMs()).toBeGreaterThanOrEqual(wireMs(STUB_WIRE, 921600));
    expect(run.watch.stubUploadMs()).toBeLessThan(wireMs(STUB_WIRE, 921600) + 150);
    expect(run.log.lines.some((l) => l.level === 'info' && /re-synced at 921600/.test(l.message))).toBe(true);
    // The same board and flash at 921600 with the fast SYNC failing: the ROM path of before, plus the failed try.
    const slow = await flashAndOpenTime(
      { chip: 'esp8266', faults: { autobaudMaxBaud: 115200 } },
      { baud: 921600 },
    );
    const est = estimateResync(STUB_WIRE, 921600, unixTightReset(50));
    expect(slow.openMs - run.openMs).toBeGreaterThan(
      est.savingMs + est.failureCostMs - est.successCostMs - 100,
    );
  });

  it('the fast SYNC unanswered (autobaud-limit fault): falls back to 115200 with a reason, stub at 115200, flash verifies', async () => {
    const run = await flashAndOpenTime(
      { chip: 'esp8266', faults: { autobaudMaxBaud: 115200 } },
      { baud: 921600 },
    );
    const warn = run.log.lines.find((l) => l.level === 'warn' && /no SYNC reply at 921600/.test(l.message));
    expect(warn?.message).toMatch(/CH340/);
    expect(warn?.message).toMatch(/at 115200 instead/);
    // Three resets: connect, the failed re-sync, the fallback.
    expect(run.pair.signalLog.map((x) => x.signals)).toEqual([
      ...UNIX_TIGHT_50,
      ...UNIX_TIGHT_50,
      ...UNIX_TIGHT_50,
      ...HARD_RESET,
    ]);
    expect(run.watch.memData.every((m) => m.baud === 115200)).toBe(true);
    expect(run.watch.stubUploadMs()).toBeGreaterThan(wireMs(STUB_WIRE, 115200));
    // The stub itself then changes to 921600 as before.
    expect(run.info.baud).toBe(921600);
  });

  it('230400 does not pay for a re-sync: one reset, stub at 115200', async () => {
    const run = await flashAndOpenTime({ chip: 'esp8266' }, { baud: 230400 });
    expect(run.info.baud).toBe(230400);
    expect(run.pair.signalLog.map((x) => x.signals)).toEqual([...UNIX_TIGHT_50, ...HARD_RESET]);
    expect(run.watch.memData.every((m) => m.baud === 115200)).toBe(true);
  });

  it('before: no-reset (button held by hand) never resets: no line changes at all, stub at 115200', async () => {
    const run = await flashAndOpenTime(
      { chip: 'esp8266', board: 'no-auto-reset', buttonHeld: true },
      { baud: 921600, before: 'no-reset' },
      'no-reset',
    );
    expect(run.pair.signalLog).toHaveLength(0);
    expect(run.watch.syncBauds.every((b) => b === 115200)).toBe(true);
    expect(run.watch.memData.every((m) => m.baud === 115200)).toBe(true);
    expect(run.info.baud).toBe(921600);
  });

  it('a board whose lines do nothing (reset not heard) is not reset again for the stub', async () => {
    const run = await flashAndOpenTime(
      { chip: 'esp8266', board: 'no-auto-reset', buttonHeld: true },
      { baud: 921600 },
    );
    // One connect reset (which the board cannot feel) and the closing hard reset: no second reset for the stub.
    expect(run.pair.signalLog.map((x) => x.signals)).toEqual([...UNIX_TIGHT_50, ...HARD_RESET]);
    expect(run.watch.syncBauds.every((b) => b === 115200)).toBe(true);
    expect(run.watch.memData.every((m) => m.baud === 115200)).toBe(true);
    expect(run.log.lines.some((l) => /nothing was heard after the reset/.test(l.message))).toBe(true);
  });

  it('TCP (no lines): never resets, stub at 115200', async () => {
    const clock = new VirtualClock();
    const sim = new SimulatedDevice({ chip: 'esp8266', clock, board: 'no-auto-reset', buttonHeld: true });
    const pair = createMemoryPair({ path: 'socket://127.0.0.1:4000', lines: 'none' });
    sim.attach(pair.device);
    await clock.sleep(1000);
    const watch = wireWatch(pair, clock);
    await withSession(pair.host, { clock, baud: 921600 }, async (s) => {
      const r = await s.flash({ images: [{ offset: 0x20000, data: app }], skipUnchanged: false });
      expect(r.regions[0]!.verified).toBe(true);
      await s.finish('hard-reset');
    });
    expect(pair.signalLog).toHaveLength(0);
    expect(watch.syncBauds.every((b) => b === 115200)).toBe(true);
    expect(watch.memData.every((m) => m.baud === 115200)).toBe(true);
    expect(sim.flash.subarray(0x20000, 0x20000 + app.length).equals(app)).toBe(true);
  });
});

describe('the re-sync ends as itself when interrupted', () => {
  /** Opens at 921600 and runs `act` the moment the re-sync starts (the second reset's first line change). */
  async function interrupted(act: (b: ReturnType<typeof simBench>, ac: AbortController) => void) {
    const b = simBench({ chip: 'esp8266', faults: { autobaudMaxBaud: 115200 } });
    const ac = new AbortController();
    const stop = b.pair.device.onSignals(() => {
      if (b.pair.signalLog.length === UNIX_TIGHT_50.length + 1) b.clock.setTimer(120, () => act(b, ac));
    });
    const err = await kilnRejection(
      connectEsp(b.pair.host, { clock: b.clock, baud: 921600, signal: ac.signal }),
    );
    stop();
    expect(b.pair.device.hostOpen).toBe(false);
    return err;
  }

  it('a cancel is CANCELLED', async () => {
    expect((await interrupted((_b, ac) => ac.abort())).code).toBe('CANCELLED');
  });

  it('an unplug is DEVICE_LOST', async () => {
    expect((await interrupted((b) => b.pair.device.unplug())).code).toBe('DEVICE_LOST');
  });

  it('a board gone silent after detection: SYNC_FAILED carries every attempt since the first connect', async () => {
    // TX/RX come loose just as the re-sync starts: neither 921600 nor the 115200 fallback gets a reply.
    const err = await interrupted((b) => b.sim.setFaults({ swapTxRx: true }));
    expect(err.code).toBe('SYNC_FAILED');
    const capture = err.details!.capture as { attempts: { strategy: string; baud: number; rxHex: string }[] };
    // The connect that worked (boot banner and SYNC replies heard), the 921600 try, then the 7 fallback attempts.
    expect(capture.attempts.map((a) => a.baud)).toEqual([115200, 921600, ...Array(7).fill(115200)]);
    expect(capture.attempts[0]!.rxHex.length).toBeGreaterThan(0);
    expect(capture.attempts.slice(2).every((a) => a.rxHex === '')).toBe(true);
  });
});

describe('a port that refuses the data baud', () => {
  it('keeps the ROM at 115200 without a second reset, says why, and fails later as before (BAUD_CHANGE_FAILED)', async () => {
    const b = simBench({ chip: 'esp8266' });
    // A driver that cannot do 921600 (setBaudRate rejects, as serialport-transport does for a refused rate).
    const host = Object.create(b.pair.host, {
      setBaudRate: {
        value: async (baud: number) => {
          if (baud === 921600)
            throw new KilnError('BAUD_CHANGE_FAILED', 'The serial driver refused 921600 baud.');
          await b.pair.host.setBaudRate(baud);
        },
      },
    }) as typeof b.pair.host;
    const watch = wireWatch(b.pair, b.clock);
    const log = logged();
    const err = await kilnRejection(connectEsp(host, { clock: b.clock, baud: 921600, onLog: log.onLog }));
    expect(err.code).toBe('BAUD_CHANGE_FAILED');
    expect(log.lines.some((l) => l.level === 'warn' && /the port refused 921600/.test(l.message))).toBe(true);
    expect(b.pair.signalLog.map((x) => x.signals)).toEqual(UNIX_TIGHT_50);
    expect(watch.memData.length).toBeGreaterThan(0);
    expect(watch.memData.every((m) => m.baud === 115200)).toBe(true);
  });
});
