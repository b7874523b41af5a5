/**
 * A tiny scripted responder for engine unit tests: decodes the host's SLIP requests on the device end of a
 * memory pair and answers with whatever the test's handler returns (built with encodeResponse + slipEncode).
 * Not a simulator: no pacing, no state beyond what a test puts in its handler. Replies can be delayed on the
 * test's clock so timeouts are exercised on virtual time.
 */
import { createMemoryPair, type MemoryPair } from '../../src-main/serial/memory-pair';
import type { TransportInfo } from '../../src-main/serial/transport';
import { SlipDecoder, slipEncode } from '../../src-main/esp/link/slip';
import { decodeRequest, encodeResponse, Op, type Request } from '../../src-main/esp/link/protocol';
import { VirtualClock } from '../../src-main/core/clock';

export type Reply = Buffer | { raw: Buffer } | { delayMs: number; then: Reply[] };
export type Handler = (
  req: Request,
  ctx: { pair: MemoryPair; rawFrame: Buffer },
) => Reply[] | Reply | undefined | void;

export interface Scripted {
  pair: MemoryPair;
  clock: VirtualClock;
  requests: Request[];
  /** Every raw frame the host sent (unframed), including non-requests such as READ_FLASH acks. */
  frames: Buffer[];
  setHandler(h: Handler): void;
}

/** ROM-style reply: result bytes followed by a status (2 bytes; pass 4 for ESP32-family ROMs). */
export function reply(
  op: number,
  value = 0,
  result: Uint8Array = Buffer.alloc(0),
  status: number[] = [0, 0],
): Buffer {
  return encodeResponse(op, value, Buffer.concat([Buffer.from(result), Buffer.from(status)]));
}

export const syncReplies = (value = 0x20120707): Buffer[] =>
  Array.from({ length: 8 }, () => reply(Op.SYNC, value));

export function scripted(
  handler: Handler,
  opts: { path?: string; lines?: TransportInfo['lines']; clock?: VirtualClock } = {},
): Scripted {
  const pair = createMemoryPair({ path: opts.path ?? '/dev/ttyTEST0', lines: opts.lines ?? 'uart' });
  const clock = opts.clock ?? new VirtualClock();
  const requests: Request[] = [];
  const frames: Buffer[] = [];
  let h = handler;
  const send = (r: Reply): void => {
    if (Buffer.isBuffer(r)) pair.device.send(slipEncode(r));
    else if ('raw' in r) pair.device.send(r.raw);
    else clock.setTimer(r.delayMs, () => r.then.forEach(send));
  };
  const decoder = new SlipDecoder({
    frame(f) {
      frames.push(f);
      const req = decodeRequest(f);
      if (!req) {
        const out = h({ op: -1, data: f, checksum: 0 }, { pair, rawFrame: f });
        if (out) (Array.isArray(out) ? out : [out]).forEach(send);
        return;
      }
      requests.push(req);
      const out = h(req, { pair, rawFrame: f });
      if (out) (Array.isArray(out) ? out : [out]).forEach(send);
    },
  });
  pair.device.onHostData((chunk) => decoder.push(chunk));
  return { pair, clock, requests, frames, setHandler: (nh) => (h = nh) };
}
