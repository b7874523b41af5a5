import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SlipDecoder, slipEncode } from '../../src-main/esp/link/slip';

function decodeAll(chunks: Uint8Array[]) {
  const frames: Buffer[] = [];
  const noise: Buffer[] = [];
  const invalid: Buffer[] = [];
  const d = new SlipDecoder({
    frame: (f) => frames.push(f),
    noise: (n) => noise.push(n),
    invalid: (b) => invalid.push(b),
  });
  for (const c of chunks) d.push(c);
  return { frames, noise: Buffer.concat(noise), invalid, partial: d.partial };
}

/** Splits a buffer at the given cut points (sorted, deduplicated, within range). */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

describe('slipEncode', () => {
  it('escapes C0 and DB exactly as the ROM expects', () => {
    expect(slipEncode(Buffer.from([0x01, 0xc0, 0x02, 0xdb, 0x03]))).toEqual(
      Buffer.from([0xc0, 0x01, 0xdb, 0xdc, 0x02, 0xdb, 0xdd, 0x03, 0xc0]),
    );
  });

  it('frames an empty payload as C0 C0', () => {
    expect(slipEncode(Buffer.alloc(0))).toEqual(Buffer.from([0xc0, 0xc0]));
  });

  it('never emits a bare C0 or an unescaped DB inside the frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (payload) => {
        const enc = slipEncode(payload);
        const inner = enc.subarray(1, enc.length - 1);
        expect(inner.includes(0xc0)).toBe(false);
        for (let i = 0; i < inner.length; i++) {
          if (inner[i] === 0xdb) {
            expect([0xdc, 0xdd]).toContain(inner[i + 1]);
            i++;
          }
        }
      }),
    );
  });
});

describe('SlipDecoder', () => {
  it('round-trips any sequence of non-empty frames, split anywhere', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (payloads, cuts) => {
          const wire = Buffer.concat(payloads.map((p) => slipEncode(p)));
          const { frames, noise, invalid, partial } = decodeAll(split(wire, cuts));
          expect(frames.map((f) => Buffer.from(f).toString('hex'))).toEqual(
            payloads.map((p) => Buffer.from(p).toString('hex')),
          );
          expect(noise.length).toBe(0);
          expect(invalid).toEqual([]);
          expect(partial).toBe(false);
        },
      ),
    );
  });

  it('reports bytes between frames as noise, in order, and still finds the frames', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b.filter((x) => x !== 0xc0))),
        fc.uint8Array({ minLength: 1, maxLength: 50 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (text, payload, cuts) => {
          const wire = Buffer.concat([text, slipEncode(payload)]);
          const { frames, noise } = decodeAll(split(wire, cuts));
          expect(noise.toString('hex')).toBe(text.toString('hex'));
          expect(frames).toHaveLength(1);
          expect(frames[0]!.toString('hex')).toBe(Buffer.from(payload).toString('hex'));
        },
      ),
    );
  });

  it('decodes the ESP32-C6 reply whose value contains C0 (sent as DB DC)', () => {
    // trace_esp32c6_slip_escape_in_reply_esptool963.txt, first reply: read as "c0" then
    // "010904000000dbdc1200000000c0"; esptool decoded it to 010904000000c01200000000.
    const { frames } = decodeAll([
      Buffer.from('c0', 'hex'),
      Buffer.from('010904000000dbdc1200000000c0', 'hex'),
    ]);
    expect(frames.map((f) => f.toString('hex'))).toEqual(['010904000000c01200000000']);
  });

  it('treats back-to-back replies separated by C0 C0 as two frames', () => {
    const wire = Buffer.from('c00108020007071220000 0c0c00108020007071220000 0c0'.replace(/ /g, ''), 'hex');
    expect(decodeAll([wire]).frames).toHaveLength(2);
  });

  it('drops a frame with an invalid escape and recovers for the next one', () => {
    const wire = Buffer.concat([
      Buffer.from([0xc0, 0x01, 0xdb, 0x42, 0x02, 0xc0]),
      slipEncode(Buffer.from([9, 9])),
    ]);
    const { frames, invalid } = decodeAll([wire]);
    expect(invalid).toHaveLength(1);
    expect(frames.map((f) => f.toString('hex'))).toEqual(['0909']);
  });

  it('never throws and never loses a well-formed frame that follows random garbage', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (garbage, payload) => {
          // Whatever the garbage did, a C0 C0 resynchronises: the next frame must decode intact.
          const wire = Buffer.concat([garbage, Buffer.from([0xc0]), slipEncode(payload)]);
          const { frames } = decodeAll([wire]);
          expect(frames.at(-1)!.toString('hex')).toBe(Buffer.from(payload).toString('hex'));
        },
      ),
    );
  });
});
