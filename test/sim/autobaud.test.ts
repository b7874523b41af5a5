/**
 * The ESP8266 ROM's baud detection as the simulator models it: after a reset into download mode, a SYNC at any
 * host baud is measured (and used up), the next one is answered at that baud; detection then shuts down until
 * the next reset; the autobaud-limit fault makes detection fail above a rate.
 */
import { describe, expect, it } from 'vitest';
import { Op, SYNC_PAYLOAD, decodeResponse, encodeRequest } from '../../src-main/esp/link/protocol';
import { slipEncode } from '../../src-main/esp/link/slip';
import { byteTimeMs } from '../../src-main/sim/line';
import { ROM_SYNC_VALUE } from '../../src-main/sim/rom';
import { parseSimUrl } from '../../src-main/sim';
import { rig, type Rig } from './rig';

const SYNC_FRAME = slipEncode(encodeRequest(Op.SYNC, SYNC_PAYLOAD));

/** Sends one SYNC, waits 100 ms (esptool's SYNC timeout) and returns the SYNC replies that arrived. */
async function oneSync(r: Rig): Promise<number[]> {
  r.decoder.reset();
  r.frames.length = 0;
  await r.pair.host.write(SYNC_FRAME);
  await r.wait(100);
  return r.frames
    .map((f) => decodeResponse(f))
    .filter((x) => !!x && x.op === Op.SYNC)
    .map((x) => x!.value);
}

describe('ESP8266 ROM autobaud', () => {
  for (const baud of [115200, 460800, 921600]) {
    it(`after a reset, the first SYNC at ${baud} is used up by detection and the second is answered at ${baud}`, async () => {
      const r = rig({ chip: 'esp8266', hostBaud: baud });
      await r.classicReset();
      expect(await oneSync(r)).toEqual([]);
      const t0 = r.clock.now();
      const before = r.arrivals.length;
      await r.pair.host.write(SYNC_FRAME);
      await r.until(() => r.frames.filter((f) => decodeResponse(f)?.op === Op.SYNC).length >= 8, 500);
      const replies = r.frames.map((f) => decodeResponse(f)).filter((x) => x?.op === Op.SYNC);
      expect(replies.map((x) => x!.value)).toEqual(Array(8).fill(ROM_SYNC_VALUE));
      // Clean bytes at the host's baud, paced at that baud: 8 × 12 SLIP bytes after the request has arrived.
      const last = r.arrivals[r.arrivals.length - 1]!.at;
      const expected = byteTimeMs(SYNC_FRAME.length, baud) + byteTimeMs(8 * 12, baud);
      expect(last - t0).toBeGreaterThanOrEqual(expected - 0.01);
      expect(last - t0).toBeLessThan(expected + 1);
      expect(Buffer.concat(r.arrivals.slice(before).map((a) => a.bytes)).length).toBe(8 * 12);
      await r.close();
    });
  }

  it('detection shuts down once locked: a SYNC at another baud without a reset is garbage to the chip', async () => {
    const r = rig({ chip: 'esp8266' });
    await r.classicReset();
    await r.sync();
    await r.pair.host.setBaudRate(921600);
    expect(await oneSync(r)).toEqual([]);
    expect(await oneSync(r)).toEqual([]);
    // Back at the rate it locked onto, it answers again; after a reset it detects the new rate.
    await r.pair.host.setBaudRate(115200);
    expect(await oneSync(r)).toHaveLength(8);
    await r.pair.host.setBaudRate(921600);
    await r.classicReset();
    expect(await oneSync(r)).toEqual([]);
    expect(await oneSync(r)).toHaveLength(8);
    await r.close();
  });

  it('the autobaud-limit fault: above the limit nothing locks and detection stays armed for a slower SYNC', async () => {
    const r = rig({ chip: 'esp8266', hostBaud: 921600, faults: { autobaudMaxBaud: 115200 } });
    await r.classicReset();
    for (let i = 0; i < 4; i++) expect(await oneSync(r)).toEqual([]);
    await r.pair.host.setBaudRate(115200);
    expect(await oneSync(r)).toEqual([]); // used up by detection, which was still armed
    expect(await oneSync(r)).toHaveLength(8);
    await r.close();
  });

  it('sim: URLs name the fault, with the 115200 default or a given limit', () => {
    expect(parseSimUrl('sim:esp8266?fault=autobaud-limit').faults.autobaudMaxBaud).toBe(115200);
    expect(parseSimUrl('sim:esp8266?fault=autobaud-limit:460800').faults.autobaudMaxBaud).toBe(460800);
  });

  it('ESP32: a SYNC that arrives while the boot banner is still printing locks the rate once the banner is done', async () => {
    const r = rig({ chip: 'esp32', hostBaud: 921600 });
    // The classic reset's first two steps: the chip boots with GPIO0 low, and the first SYNC goes out at once,
    // into the banner.
    await r.pair.host.setSignals({ dtr: false, rts: true });
    await r.wait(100);
    await r.pair.host.setSignals({ dtr: true, rts: false });
    expect(await oneSync(r)).toEqual([]); // measured (and used up) by the detection
    await r.pair.host.setSignals({ dtr: false, rts: false });
    expect(await oneSync(r)).toHaveLength(8); // answered at 921600, after the banner
    const reg = await r.command(Op.READ_REG, Buffer.from([0x00, 0x10, 0x00, 0x40]));
    expect(reg.op).toBe(Op.READ_REG);
    await r.close();
  });
});
