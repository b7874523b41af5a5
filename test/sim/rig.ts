/**
 * Test rig: one SimulatedDevice on an in-memory pair and a VirtualClock, with a host side that speaks raw
 * protocol bytes and records everything it receives (with virtual arrival times).
 */
import { VirtualClock } from '../../src-main/core/clock';
import { SlipDecoder, slipEncode } from '../../src-main/esp/link/slip';
import {
  checksum,
  decodeResponse,
  encodeRequest,
  words,
  type Response,
} from '../../src-main/esp/link/protocol';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { SimulatedDevice } from '../../src-main/sim/device';
import type { SimOptions } from '../../src-main/sim/types';

export interface Arrival {
  at: number;
  bytes: Buffer;
}

export function rig(o: Partial<Omit<SimOptions, 'clock'>> & { hostBaud?: number } = {}) {
  const clock = new VirtualClock();
  const pair = createMemoryPair({ baudRate: o.hostBaud ?? 115200 });
  const device = new SimulatedDevice({ chip: 'esp8266', ...o, clock } as SimOptions);
  const arrivals: Arrival[] = [];
  const frames: Buffer[] = [];
  const noise: Buffer[] = [];
  const decoder = new SlipDecoder({ frame: (f) => frames.push(f), noise: (n) => noise.push(n) });
  pair.host.onData((c) => {
    arrivals.push({ at: clock.now(), bytes: c });
    decoder.push(c);
  });
  device.attach(pair.device);

  const rx = () => Buffer.concat(arrivals.map((a) => a.bytes));
  const wait = (ms: number) => clock.sleep(ms);
  /** Waits (virtual time) until `pred` holds, up to `limitMs`. */
  async function until(pred: () => boolean, limitMs = 5000, stepMs = 1): Promise<boolean> {
    const end = clock.now() + limitMs;
    while (!pred()) {
      if (clock.now() >= end) return false;
      await clock.sleep(stepMs);
    }
    return true;
  }
  async function send(op: number, data: Uint8Array = Buffer.alloc(0), chk = 0) {
    await pair.host.write(slipEncode(encodeRequest(op, data, chk)));
  }
  async function sendData(op: number, header: number[], body: Buffer) {
    await send(op, Buffer.concat([words(...header), body]), checksum(body));
  }
  /** Sends a command and waits for the next response frame with that op. */
  async function command(
    op: number,
    data: Uint8Array = Buffer.alloc(0),
    chk = 0,
    limitMs = 5000,
  ): Promise<Response> {
    const start = frames.length;
    await send(op, data, chk);
    let found: Response | undefined;
    await until(() => {
      for (let i = start; i < frames.length; i++) {
        const r = decodeResponse(frames[i]!);
        if (r && r.op === op) {
          found = r;
          frames.splice(start, i - start + 1);
          return true;
        }
      }
      return false;
    }, limitMs);
    if (!found) throw new Error(`no reply to op 0x${op.toString(16)} within ${limitMs} ms`);
    return found;
  }
  /** NodeMCU auto-reset into download mode (esptool Classic sequence), then waits for the banner. */
  async function classicReset(delayMs = 50) {
    await pair.host.setSignals({ dtr: false, rts: true });
    await wait(100);
    await pair.host.setSignals({ dtr: true, rts: false });
    await wait(delayMs);
    await pair.host.setSignals({ dtr: false, rts: false });
    await wait(60);
  }
  /** Sends SYNC until answered (the first may be lost to autobaud), then drains the burst. */
  async function sync(): Promise<Response[]> {
    const { SYNC_PAYLOAD, Op } = await import('../../src-main/esp/link/protocol');
    for (let attempt = 0; attempt < 5; attempt++) {
      // Like esptool's flush_input(): drop what came before (boot text) and restart the SLIP reader.
      decoder.reset();
      frames.length = 0;
      await send(Op.SYNC, SYNC_PAYLOAD);
      await wait(100);
      const replies = frames
        .map((f) => decodeResponse(f))
        .filter((r): r is Response => !!r && r.op === Op.SYNC);
      if (replies.length > 0) {
        await wait(20);
        const all = frames
          .map((f) => decodeResponse(f))
          .filter((r): r is Response => !!r && r.op === Op.SYNC);
        frames.length = 0;
        return all;
      }
    }
    throw new Error('no SYNC reply');
  }
  async function close() {
    await pair.host.close();
    device.detach();
  }
  return {
    clock,
    pair,
    device,
    arrivals,
    frames,
    noise,
    decoder,
    rx,
    wait,
    until,
    send,
    sendData,
    command,
    classicReset,
    sync,
    close,
  };
}

export type Rig = ReturnType<typeof rig>;
