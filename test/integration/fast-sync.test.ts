/**
 * The first SYNC at the data baud (esp/flasher/fast-sync.ts) against the simulator on a VirtualClock: an ESP8266
 * ROM autobauds on it, so the stub's bytes travel at the data baud without a second reset; when the fast SYNC goes
 * unanswered (the simulator's autobaud-limit fault: detection fails above 115200, as on a bench whose adapter
 * cannot carry the rate) the normal 115200 connect follows. Where no reset can follow (no-reset, TCP) or none was
 * heard (lines not wired) the first SYNC stays at 115200; a tty without modem lines (a pty) tries it. The ESP32's
 * stub goes up at that rate too (test/esp/esp32-stub-baud.test.ts has the cases). Asserted on the commands and the
 * rate each left the host at.
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
import { VirtualClock } from '../../src-main/core/clock';
import { KilnError } from '../../src-main/core/errors';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { SimulatedDevice } from '../../src-main/sim';
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

/** Every request the host sent, in order, with the host's baud when it left. */
function wireWatch(pair: ReturnType<typeof createMemoryPair>) {
  const sent: { op: number; baud: number; data: Buffer }[] = [];
  const out = new SlipDecoder({
    frame: (f) => {
      const req = decodeRequest(f);
      if (req) sent.push({ op: req.op, baud: pair.device.hostBaudRate, data: req.data });
    },
  });
  pair.device.onHostData((c) => out.push(c));
  const bauds = (op: number) => sent.filter((s) => s.op === op).map((s) => s.baud);
  return { sent, bauds };
}

function logged() {
  const lines: { level: LogLevel; message: string }[] = [];
  return { lines, onLog: (level: LogLevel, message: string) => lines.push({ level, message }) };
}

const app = noiseBytes(48 * 1024, 21);
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

type Bench = ReturnType<typeof simBench>;

/** Flashes `app` on a bench and leaves with `after`; the flash must verify and land byte for byte. */
async function flashOn(
  bench: Bench,
  connect: Omit<ConnectOptions, 'clock'>,
  after: AfterMode = 'hard-reset',
) {
  const watch = wireWatch(bench.pair);
  const log = logged();
  const result = await withSession(
    bench.pair.host,
    { ...connect, clock: bench.clock, onLog: log.onLog },
    async (s) => {
      const r = await s.flash({ images: [{ offset: 0x20000, data: app }], skipUnchanged: false });
      await s.finish(after);
      return { info: s.info, region: r.regions[0]! };
    },
  );
  expect(result.region.verified).toBe(true);
  expect(result.region.md5).toBe(md5(app));
  expect(bench.sim.flash.subarray(0x20000, 0x20000 + app.length).equals(app)).toBe(true);
  return { ...bench, ...result, watch, log };
}

/**
 * A board without auto-reset, powered up with its button held a while before the flash starts, as a person does
 * it; `modemLines: false` makes the port a pty (DTR/RTS go nowhere).
 */
async function handPoweredBench(
  opts: { modemLines?: false; highBaudSync?: 'works' | 'ignored' | 'garbled' } = {},
): Promise<Bench> {
  const clock = new VirtualClock();
  const sim = new SimulatedDevice({
    chip: 'esp8266',
    clock,
    board: 'no-auto-reset',
    buttonHeld: true,
    ...(opts.highBaudSync ? { highBaudSync: opts.highBaudSync } : {}),
  });
  const pair = createMemoryPair({
    path: '/dev/pts/7',
    ...(opts.modemLines === false ? { modemLines: false as const } : {}),
  });
  sim.attach(pair.device);
  await clock.sleep(1000);
  return { clock, sim, pair };
}

const signals = (b: Bench) => b.pair.signalLog.map((x) => x.signals);

describe('ESP8266: the first SYNC at the data baud', () => {
  it('921600: one reset, SYNC at 921600, every MEM_DATA at 921600, no CHANGE_BAUDRATE, and the flash verifies', async () => {
    const run = await flashOn(simBench({ chip: 'esp8266' }), { baud: 921600 });
    expect(run.info.baud).toBe(921600);
    expect(run.info.stub).toBe(true);
    // The connect's reset and the closing hard reset: nothing else.
    expect(signals(run)).toEqual([...UNIX_TIGHT_50, ...HARD_RESET]);
    expect(run.watch.bauds(Op.SYNC).length).toBeGreaterThan(0);
    expect(run.watch.bauds(Op.SYNC).every((b) => b === 921600)).toBe(true);
    expect(run.watch.bauds(Op.MEM_DATA).length).toBeGreaterThanOrEqual(3);
    expect(run.watch.bauds(Op.MEM_DATA).every((b) => b === 921600)).toBe(true);
    // Already at the data baud: the stub is not asked to change.
    expect(run.watch.bauds(Op.CHANGE_BAUDRATE)).toEqual([]);
    expect(run.log.lines.some((l) => l.level === 'info' && /synced at 921600 baud/.test(l.message))).toBe(
      true,
    );
  });

  it('2 Mbaud: the ROM is synced at 921600 (the highest rate reported through it), the stub changes to 2 Mbaud', async () => {
    const run = await flashOn(simBench({ chip: 'esp8266' }), { baud: 2_000_000 });
    expect(run.info.baud).toBe(2_000_000);
    expect(run.watch.bauds(Op.SYNC).every((b) => b === 921600)).toBe(true);
    expect(run.watch.bauds(Op.MEM_DATA).every((b) => b === 921600)).toBe(true);
    const change = run.watch.sent.filter((s) => s.op === Op.CHANGE_BAUDRATE);
    expect(change.map((c) => [c.data.readUInt32LE(0), c.data.readUInt32LE(4)])).toEqual([
      [2_000_000, 921600],
    ]);
  });

  it('the fast SYNC unanswered (autobaud-limit fault): the 115200 connect follows with a reason, stub at 115200, flash verifies', async () => {
    const run = await flashOn(simBench({ chip: 'esp8266', faults: { autobaudMaxBaud: 115200 } }), {
      baud: 921600,
    });
    const warn = run.log.lines.find((l) => l.level === 'warn' && /no SYNC reply at 921600/.test(l.message));
    expect(warn?.message).toMatch(/CH340/);
    expect(warn?.message).toMatch(/connecting at 115200 instead/);
    // Two resets: the fast try and the normal connect; then the closing one.
    expect(signals(run)).toEqual([...UNIX_TIGHT_50, ...UNIX_TIGHT_50, ...HARD_RESET]);
    const syncs = run.watch.bauds(Op.SYNC);
    expect(syncs.slice(0, 2)).toEqual([921600, 921600]);
    expect(syncs.slice(2).every((b) => b === 115200)).toBe(true);
    expect(run.watch.bauds(Op.MEM_DATA).every((b) => b === 115200)).toBe(true);
    // The stub itself then changes to 921600 as before.
    expect(run.info.baud).toBe(921600);
  });

  it('230400: the first SYNC at 230400, stub at 230400', async () => {
    const run = await flashOn(simBench({ chip: 'esp8266' }), { baud: 230400 });
    expect(run.info.baud).toBe(230400);
    expect(signals(run)).toEqual([...UNIX_TIGHT_50, ...HARD_RESET]);
    expect(run.watch.bauds(Op.MEM_DATA).every((b) => b === 230400)).toBe(true);
  });

  it('without the stub (ROM writes) the first SYNC stays at 115200', async () => {
    const run = await flashOn(simBench({ chip: 'esp8266' }), { baud: 921600, useStub: false });
    expect(run.info.stub).toBe(false);
    expect(run.watch.bauds(Op.SYNC).every((b) => b === 115200)).toBe(true);
  });

  it('before: no-reset (button held by hand) never resets and syncs at 115200', async () => {
    const run = await flashOn(await handPoweredBench(), { baud: 921600, before: 'no-reset' }, 'no-reset');
    expect(run.pair.signalLog).toHaveLength(0);
    expect(run.watch.bauds(Op.SYNC).every((b) => b === 115200)).toBe(true);
    expect(run.watch.bauds(Op.MEM_DATA).every((b) => b === 115200)).toBe(true);
    expect(run.info.baud).toBe(921600);
  });

  it('a board whose lines do nothing (reset not heard): the same attempt syncs at 115200, no second reset', async () => {
    const run = await flashOn(await handPoweredBench(), { baud: 921600 });
    expect(signals(run)).toEqual([...UNIX_TIGHT_50, ...HARD_RESET]);
    expect(run.watch.bauds(Op.SYNC).every((b) => b === 115200)).toBe(true);
    expect(run.watch.bauds(Op.MEM_DATA).every((b) => b === 115200)).toBe(true);
    expect(run.log.lines.some((l) => /nothing was heard after the reset/.test(l.message))).toBe(true);
  });

  it('a tty without modem lines (a pty): no reset can reach the chip, so the fast SYNC is tried and the stub goes at 921600', async () => {
    const bench = await handPoweredBench({ modemLines: false });
    const opened = bench.clock.now();
    let firstSyncAt: number | undefined;
    const dec = new SlipDecoder({
      frame: (f) => {
        if (decodeRequest(f)?.op === Op.SYNC) firstSyncAt ??= bench.clock.now();
      },
    });
    bench.pair.device.onHostData((c) => dec.push(c));
    const run = await flashOn(bench, { baud: 921600 });
    // The reset's waits and the listen after it are skipped (virtual time): nothing could have happened in them.
    expect(firstSyncAt! - opened).toBe(0);
    expect(run.pair.signalLog).toHaveLength(0);
    expect(run.pair.host.modemLines).toBe(false);
    expect(run.watch.bauds(Op.SYNC).every((b) => b === 921600)).toBe(true);
    expect(run.watch.bauds(Op.MEM_DATA).every((b) => b === 921600)).toBe(true);
    expect(run.info.baud).toBe(921600);
  });

  it('a pty whose ROM ignores the fast SYNC: the 115200 connect that follows works, stub at 115200', async () => {
    const run = await flashOn(await handPoweredBench({ modemLines: false, highBaudSync: 'ignored' }), {
      baud: 921600,
    });
    expect(run.watch.bauds(Op.SYNC).slice(0, 2)).toEqual([921600, 921600]);
    expect(run.watch.bauds(Op.MEM_DATA).every((b) => b === 115200)).toBe(true);
    expect(run.info.baud).toBe(921600);
  });

  it('a pty whose ROM locked a few percent off the fast SYNC: SYNC_FAILED says to reset by hand and use 115200', async () => {
    const b = await handPoweredBench({ modemLines: false, highBaudSync: 'garbled' });
    const err = await kilnRejection(connectEsp(b.pair.host, { clock: b.clock, baud: 921600 }));
    expect(err.code).toBe('SYNC_FAILED');
    expect(err.hint).toMatch(/--baud 115200/);
    expect(err.details!.fastSyncBaud).toBe(921600);
    const capture = err.details!.capture as { attempts: { baud: number }[] };
    expect(capture.attempts.map((a) => a.baud)).toEqual([921600, ...Array(7).fill(115200)]);
  });

  it('TCP (no lines): never resets, syncs at 115200', async () => {
    const clock = new VirtualClock();
    const sim = new SimulatedDevice({ chip: 'esp8266', clock, board: 'no-auto-reset', buttonHeld: true });
    const pair = createMemoryPair({ path: 'socket://127.0.0.1:4000', lines: 'none' });
    sim.attach(pair.device);
    await clock.sleep(1000);
    const run = await flashOn({ clock, sim, pair }, { baud: 921600 });
    expect(pair.signalLog).toHaveLength(0);
    expect(run.watch.bauds(Op.SYNC).every((b) => b === 115200)).toBe(true);
    expect(run.watch.bauds(Op.MEM_DATA).every((b) => b === 115200)).toBe(true);
  });
});

describe('the ESP32: the stub goes up at the fast rate (esp/flasher/stub-greeting.ts)', () => {
  it('ESP32: SYNC at 921600, no CHANGE_BAUDRATE in ROM, stub at 921600, OHAI at 115200, then the stub changes to 921600', async () => {
    const bench = simBench({ chip: 'esp32' });
    const watch = wireWatch(bench.pair);
    const info = await withSession(bench.pair.host, { clock: bench.clock, baud: 921600 }, async (s) => {
      const r = await s.flash({ images: [{ offset: 0x20000, data: app }], skipUnchanged: false });
      expect(r.regions[0]!.verified).toBe(true);
      return s.info;
    });
    expect(info.baud).toBe(921600);
    expect(watch.bauds(Op.SYNC).every((b) => b === 921600)).toBe(true);
    const changes = watch.sent.filter((s) => s.op === Op.CHANGE_BAUDRATE);
    // Only the stub's (new, old), from 115200 where esp-flasher-stub set the UART at its start.
    expect(changes.map((c) => [c.data.readUInt32LE(0), c.data.readUInt32LE(4), c.baud])).toEqual([
      [921600, 115200, 115200],
    ]);
    expect(watch.bauds(Op.MEM_DATA).every((b) => b === 921600)).toBe(true);
    expect(bench.sim.flash.subarray(0x20000, 0x20000 + app.length).equals(app)).toBe(true);
  });
});

describe('the fast try ends as itself when interrupted', () => {
  /** Opens at 921600 and runs `act` during the fast try (after the reset's first line change). */
  async function interrupted(act: (b: Bench, ac: AbortController) => void) {
    const b = simBench({ chip: 'esp8266', faults: { autobaudMaxBaud: 115200 } });
    const ac = new AbortController();
    const stop = b.pair.device.onSignals(() => {
      if (b.pair.signalLog.length === 1) b.clock.setTimer(120, () => act(b, ac));
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

  it('a board gone silent: SYNC_FAILED carries the fast try and every attempt after it', async () => {
    const err = await interrupted((b) => b.sim.setFaults({ swapTxRx: true }));
    expect(err.code).toBe('SYNC_FAILED');
    const capture = err.details!.capture as { attempts: { strategy: string; baud: number; rxHex: string }[] };
    expect(capture.attempts.map((a) => a.baud)).toEqual([921600, ...Array(7).fill(115200)]);
    expect(capture.attempts.slice(1).every((a) => a.rxHex === '')).toBe(true);
  });
});

describe('a port that refuses the data baud', () => {
  it('connects at 115200 with one reset, says why, and fails later as before (BAUD_CHANGE_FAILED)', async () => {
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
    const watch = wireWatch(b.pair);
    const log = logged();
    const err = await kilnRejection(connectEsp(host, { clock: b.clock, baud: 921600, onLog: log.onLog }));
    expect(err.code).toBe('BAUD_CHANGE_FAILED');
    expect(log.lines.some((l) => l.level === 'warn' && /the port refused 921600/.test(l.message))).toBe(true);
    expect(signals(b)).toEqual(UNIX_TIGHT_50);
    expect(watch.bauds(Op.MEM_DATA).length).toBeGreaterThan(0);
    expect(watch.bauds(Op.MEM_DATA).every((m) => m === 115200)).toBe(true);
  });
});
