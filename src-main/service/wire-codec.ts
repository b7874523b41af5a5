/**
 * The `$bytes` codec of the WebSocket wire (see `WireCall`/`WireResult`/`WireEvent` in `./contract`): JSON
 * cannot carry binary, so every `Uint8Array` in a payload travels as `{"$bytes": "<base64>"}`.
 * Dependency-free and runtime-neutral (no Buffer, no DOM), so the browser-mode server and the renderer's
 * WebSocket client can share one implementation and cannot disagree.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Standard base64 with padding (RFC 4648 §4). */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    const n = (a << 16) | (b << 8) | c;
    chunk +=
      B64[(n >> 18) & 63]! +
      B64[(n >> 12) & 63]! +
      (i + 1 < bytes.length ? B64[(n >> 6) & 63]! : '=') +
      (i + 2 < bytes.length ? B64[n & 63]! : '=');
    // Join in slices so a 16 MB image does not build one ever-growing string.
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/** Strict decoder: rejects characters outside the alphabet and lengths that are not a multiple of 4. */
export function base64ToBytes(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error('base64 length is not a multiple of 4');
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const ch = text.charCodeAt(i + j);
      const isPad = ch === 61 && i + 4 === text.length && j >= 4 - pad;
      const v = isPad ? 0 : ch < 128 ? B64_INDEX[ch]! : -1;
      if (v < 0) throw new Error(`invalid base64 character at ${i + j}`);
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** Deep copy with every Uint8Array replaced by `{ $bytes }`; then `JSON.stringify` it. */
export function encodeWire(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: bytesToBase64(value) };
  if (Array.isArray(value)) return value.map(encodeWire);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeWire(v);
    return out;
  }
  return value;
}

/**
 * Deepest nesting a message may have. The contract's deepest input is a handful of levels; the cap keeps a
 * hostile frame (5000 nested arrays) from overflowing the stack of this recursive decoder.
 */
export const MAX_WIRE_DEPTH = 64;

export class WireDepthError extends Error {
  constructor() {
    super(`the message is nested more than ${MAX_WIRE_DEPTH} levels deep`);
    this.name = 'WireDepthError';
  }
}

/** Inverse of `encodeWire`, applied to `JSON.parse` output. Throws on a malformed `$bytes` object or deep nesting. */
export function decodeWire(value: unknown, depth = 0): unknown {
  if (depth > MAX_WIRE_DEPTH) throw new WireDepthError();
  if (Array.isArray(value)) return value.map((v) => decodeWire(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(rec, '$bytes')) {
      const keys = Object.keys(rec);
      if (keys.length !== 1 || typeof rec.$bytes !== 'string') throw new Error('malformed $bytes value');
      return base64ToBytes(rec.$bytes);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) {
      // JSON.parse can produce an own "__proto__" key; never let it reach an object literal's prototype slot.
      if (k === '__proto__') continue;
      out[k] = decodeWire(v, depth + 1);
    }
    return out;
  }
  return value;
}

/** `JSON.stringify(encodeWire(message))`. */
export function stringifyWire(message: unknown): string {
  return JSON.stringify(encodeWire(message));
}

/** `decodeWire(JSON.parse(text))`. */
export function parseWire(text: string): unknown {
  return decodeWire(JSON.parse(text));
}

const ID_IN_TEXT = /^\s*\{[^{}[\]]*?"id"\s*:\s*(\d{1,15})\s*[,}]/;

/**
 * The id of a call, read before anything else so that even a frame Kiln refuses is answered under the id the
 * caller waits on: from the parsed top-level object, or for text that is not JSON at all from an `"id": N`
 * among the object's first keys. 0 when there is none.
 */
export function recoverCallId(text: string, parsed?: unknown): number {
  const valid = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const id = (parsed as { id?: unknown }).id;
    return valid(id) ? id : 0;
  }
  const m = ID_IN_TEXT.exec(text);
  const id = m ? Number(m[1]) : 0;
  return valid(id) ? id : 0;
}
