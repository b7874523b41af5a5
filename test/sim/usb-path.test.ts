/**
 * The USB path (sim/usb-path.ts): an FTDI bridge holds a short reply until its latency timer ticks, other bridges
 * after a short idle delay; a rate above the bridge's maximum crosses the line as garbage; `sim:` URLs select it.
 * Times are the VirtualClock's (the model's), not the wall clock's.
 */
import { describe, expect, it } from 'vitest';
import { Op, SYNC_PAYLOAD, decodeResponse, encodeRequest } from '../../src-main/esp/link/protocol';
import { slipEncode } from '../../src-main/esp/link/slip';
import { parseSimUrl } from '../../src-main/sim';
import { BRIDGE_FACTS, type UsbPathOptions } from '../../src-main/sim/usb-path';
import { rig } from './rig';

const SYNC_FRAME = slipEncode(encodeRequest(Op.SYNC, SYNC_PAYLOAD));

/** Resets into download mode, spends the autobaud SYNC, then sends one SYNC and returns its replies' arrivals. */
async function syncReplies(usbPath: UsbPathOptions, hostBaud = 115200) {
  const r = rig({ chip: 'esp8266', hostBaud, usbPath });
  await r.classicReset();
  await r.pair.host.write(SYNC_FRAME);
  await r.wait(100);
  r.frames.length = 0;
  r.decoder.reset();
  const from = r.arrivals.length;
  const t0 = r.clock.now();
  await r.pair.host.write(SYNC_FRAME);
  await r.wait(200);
  const replies = r.frames.map((f) => decodeResponse(f)).filter((x) => x?.op === Op.SYNC);
  const times = r.arrivals.slice(from).map((a) => a.at - t0);
  const ticks = r.arrivals.slice(from).map((a) => a.at);
  await r.close();
  return { replies: replies.length, times, ticks };
}

describe('USB path', () => {
  it('FTDI: a short reply waits for the latency timer, so every arrival is on a timer tick', async () => {
    const slow = await syncReplies({ bridge: 'ft232r' });
    expect(slow.replies).toBe(8);
    for (const at of slow.ticks) expect(at % 16).toBeCloseTo(0, 9);
    const fast = await syncReplies({ bridge: 'ft232r', latencyMs: 1 });
    expect(fast.replies).toBe(8);
    for (const at of fast.ticks) expect(at % 1).toBeCloseTo(0, 9);
    expect(Math.max(...fast.times)).toBeLessThan(Math.max(...slow.times));
  });

  it('CP2102N: the replies arrive the idle flush after their last byte, the request the OUT delay late', async () => {
    const { replies, times } = await syncReplies({ bridge: 'cp2102n' });
    expect(replies).toBe(8);
    const f = BRIDGE_FACTS.cp2102n;
    // SYNC (46 bytes) + 8 replies of 12 bytes at 115200, plus the OUT delay and the idle flush.
    const paced = ((SYNC_FRAME.length + 8 * 12) * 10 * 1000) / 115200;
    expect(Math.max(...times)).toBeCloseTo(paced + f.downMs + f.upMs, 6);
  });

  it('above the bridge maximum the line carries garbage: CP2102 (1 Mbaud) at 2 Mbaud gets no reply', async () => {
    expect((await syncReplies({ bridge: 'cp2102' }, 921600)).replies).toBe(8);
    expect((await syncReplies({ bridge: 'cp2102' }, 2_000_000)).replies).toBe(0);
    expect((await syncReplies({ bridge: 'cp2102n' }, 2_000_000)).replies).toBe(8);
  });

  it('sim: URLs select the bridge and the FTDI latency timer, and refuse what does not fit', () => {
    expect(parseSimUrl('sim:esp8266?bridge=ft232r&latency=16').usbPath).toEqual({
      bridge: 'ft232r',
      latencyMs: 16,
    });
    expect(parseSimUrl('sim:esp8266?latency=1').usbPath).toEqual({ bridge: 'ft232r', latencyMs: 1 });
    expect(parseSimUrl('sim:esp32?bridge=CH343').usbPath).toEqual({ bridge: 'ch343' });
    expect(parseSimUrl('sim:esp8266').usbPath).toBeUndefined();
    const code = (url: string) => {
      try {
        parseSimUrl(url);
        return 'parsed';
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    expect(code('sim:esp8266?bridge=ch340&latency=1')).toBe('BAD_REQUEST');
    expect(code('sim:esp8266?bridge=pl9999')).toBe('BAD_REQUEST');
    expect(code('sim:esp8266?bridge=ft232r&latency=0')).toBe('BAD_REQUEST');
    expect(code('sim:esp8266?latency=fast')).toBe('BAD_REQUEST');
  });
});
