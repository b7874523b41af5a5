/**
 * The ESP8266 ROM's answer to a SYNC above 115200 is a per-board property (SimOptions.highBaudSync), because no
 * capture verifies it: 'works' (the default, on the evidence cited in device.ts), 'ignored', 'garbled'. The chip
 * side is checked byte by byte; then the engine's connect at 921600 against each: it succeeds every time, and
 * when the fast SYNC is not answered the fallback to 115200 is logged with its reason.
 */
import { describe, expect, it } from 'vitest';
import { withSession, type LogLevel } from '../../src-main/esp';
import { Op, SYNC_PAYLOAD, decodeResponse, encodeRequest } from '../../src-main/esp/link/protocol';
import { slipEncode } from '../../src-main/esp/link/slip';
import type { HighBaudSync } from '../../src-main/sim';
import { ROM_SYNC_VALUE } from '../../src-main/sim/rom';
import { simBench } from '../helpers/sim-bench';
import { rig, type Rig } from './rig';

const SYNC_FRAME = slipEncode(encodeRequest(Op.SYNC, SYNC_PAYLOAD));
const MODELS: HighBaudSync[] = ['works', 'ignored', 'garbled'];

async function oneSync(r: Rig): Promise<{ replies: number; bytes: number }> {
  r.decoder.reset();
  r.frames.length = 0;
  const before = r.rx().length;
  await r.pair.host.write(SYNC_FRAME);
  await r.wait(100);
  const replies = r.frames.map((f) => decodeResponse(f)).filter((x) => x?.op === Op.SYNC);
  expect(replies.every((x) => x!.value === ROM_SYNC_VALUE)).toBe(true);
  return { replies: replies.length, bytes: r.rx().length - before };
}

describe('ESP8266 SYNC at 921600 after a reset, per board model', () => {
  it('works: the first SYNC is used by detection, the second is answered at 921600', async () => {
    const r = rig({ chip: 'esp8266', hostBaud: 921600, highBaudSync: 'works' });
    await r.classicReset();
    expect((await oneSync(r)).replies).toBe(0);
    expect((await oneSync(r)).replies).toBe(8);
    await r.close();
  });

  it('ignored: no fast SYNC is answered, nothing comes back; detection stays armed for a SYNC at 115200', async () => {
    const r = rig({ chip: 'esp8266', hostBaud: 921600, highBaudSync: 'ignored' });
    await r.classicReset();
    for (let i = 0; i < 3; i++) expect(await oneSync(r)).toEqual({ replies: 0, bytes: 0 });
    await r.pair.host.setBaudRate(115200);
    expect((await oneSync(r)).replies).toBe(0); // used by detection
    expect((await oneSync(r)).replies).toBe(8);
    await r.close();
  });

  it('garbled: the ROM locks a few percent off: no SYNC is understood or answered readably afterwards', async () => {
    const r = rig({ chip: 'esp8266', hostBaud: 921600, highBaudSync: 'garbled' });
    await r.classicReset();
    await oneSync(r);
    const second = await oneSync(r);
    expect(second.replies).toBe(0);
    expect((await oneSync(r)).replies).toBe(0);
    // What the ROM understood of the second SYNC is not a SYNC either: it answers nothing or garbage.
    expect(r.frames.map((f) => decodeResponse(f)).filter((x) => x?.op === Op.SYNC)).toHaveLength(0);
    await r.close();
  });

  it('the model only concerns rates above 115200 and the ESP8266: 115200 syncs under every model', async () => {
    for (const highBaudSync of MODELS) {
      const r = rig({ chip: 'esp8266', hostBaud: 115200, highBaudSync });
      await r.classicReset();
      expect((await r.sync()).length, highBaudSync).toBe(8);
      await r.close();
    }
  });
});

describe('the engine connects at 921600 against every model', () => {
  it.each(MODELS)('%s', async (highBaudSync) => {
    const bench = simBench({ chip: 'esp8266', highBaudSync });
    const lines: { level: LogLevel; message: string }[] = [];
    const info = await withSession(
      bench.pair.host,
      { clock: bench.clock, baud: 921600, onLog: (level, message) => lines.push({ level, message }) },
      async (s) => s.info,
    );
    expect(info.stub).toBe(true);
    expect(info.baud).toBe(921600);
    const resynced = lines.some((l) => l.level === 'info' && /synced at 921600 baud/.test(l.message));
    const fellBack = lines.find((l) => l.level === 'warn' && /no SYNC reply at 921600/.test(l.message));
    if (highBaudSync === 'works') {
      expect(resynced).toBe(true);
      expect(fellBack).toBeUndefined();
    } else {
      expect(resynced).toBe(false);
      expect(fellBack?.message).toMatch(/connecting at 115200 instead/);
    }
  });
});
