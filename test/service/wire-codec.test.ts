/**
 * The `$bytes` codec of the WebSocket wire: exact round trips of any bytes anywhere in a payload, agreement with
 * Node's own base64, and refusal of malformed values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64ToBytes,
  bytesToBase64,
  decodeWire,
  encodeWire,
  parseWire,
  stringifyWire,
} from '../../src-main/service/wire-codec';

describe('base64', () => {
  it('matches Node for every length around the padding boundaries and random content', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = bytesToBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(Buffer.from(base64ToBytes(text)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('handles a large image in one piece', () => {
    const big = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 0xff);
    expect(Buffer.from(base64ToBytes(bytesToBase64(big))).equals(Buffer.from(big))).toBe(true);
  });

  it('refuses malformed base64', () => {
    for (const bad of ['A', 'AAA', 'AA=A', 'AA*A', '====', 'AAAA\n'])
      expect(() => base64ToBytes(bad), bad).toThrow();
  });
});

describe('wire messages', () => {
  it('round-trips Uint8Arrays nested anywhere', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.string(),
        fc.integer(),
        (a, b, s, n) => {
          const msg = {
            type: 'event',
            event: 'monitorData',
            payload: { data: a, nested: [{ more: b, s, n }], flag: true, nothing: null },
          };
          const back = parseWire(stringifyWire(msg)) as typeof msg;
          expect(back.payload.data).toBeInstanceOf(Uint8Array);
          expect(Buffer.from(back.payload.data).equals(Buffer.from(a))).toBe(true);
          expect(Buffer.from(back.payload.nested[0]!.more).equals(Buffer.from(b))).toBe(true);
          expect(back.payload.nested[0]!.s).toBe(s);
          expect(back.payload.nested[0]!.n).toBe(n);
          expect(back.payload.nothing).toBeNull();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('encodes bytes as {"$bytes": base64} (the documented wire form) and drops undefined fields', () => {
    expect(stringifyWire({ data: new Uint8Array([0, 255, 16]), gone: undefined })).toBe(
      '{"data":{"$bytes":"AP8Q"}}',
    );
    expect(encodeWire(Buffer.from('hi'))).toEqual({ $bytes: 'aGk=' });
  });

  it('refuses a $bytes object with other keys or a non-string value, and never sets a prototype', () => {
    expect(() => decodeWire({ $bytes: 'AAAA', extra: 1 })).toThrow();
    expect(() => decodeWire({ $bytes: 5 })).toThrow();
    const parsed = parseWire('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    expect(parsed.ok).toBe(1);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
