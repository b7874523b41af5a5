/**
 * Request and response packets of the ESP serial bootloader protocol (protocol notes §1–2), as pure
 * encode/decode over Buffers. Shared by the engine (host side) and the simulator (device side), so both
 * speak exactly one definition of the wire format.
 */

export const Op = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  READ_FLASH_SLOW: 0x0e,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  GET_SECURITY_INFO: 0x14,
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
  READ_FLASH: 0xd2,
  RUN_USER_CODE: 0xd3,
} as const;

export const OP_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Op).map(([k, v]) => [v, k]),
);

/** 36-byte SYNC payload: 07 07 12 20 followed by 32 × 0x55 (the ROM autobauds on the 0x55s). */
export const SYNC_PAYLOAD: Buffer = Buffer.concat([
  Buffer.from([0x07, 0x07, 0x12, 0x20]),
  Buffer.alloc(32, 0x55),
]);

/** Checksum seed for MEM_DATA/FLASH_DATA/FLASH_DEFL_DATA: 0xEF XOR every data byte. */
export const CHECKSUM_SEED = 0xef;

export function checksum(data: Uint8Array, seed = CHECKSUM_SEED): number {
  let c = seed;
  for (let i = 0; i < data.length; i++) c ^= data[i]!;
  return c & 0xff;
}

export interface Request {
  op: number;
  data: Buffer;
  /** The checksum word (only meaningful for the *_DATA commands; 0 otherwise). */
  checksum: number;
}

/** The 8-byte header both directions share — direction, op, u16 data length, u32 word — then the data. */
function encodePacket(direction: 0x00 | 0x01, op: number, word: number, data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(8 + data.length);
  out[0] = direction;
  out[1] = op;
  out.writeUInt16LE(data.length, 2);
  out.writeUInt32LE(word >>> 0, 4);
  out.set(data, 8);
  return out;
}

/** Builds an (unframed) request: 00, op, u16 len, u32 checksum, data. */
export function encodeRequest(op: number, data: Uint8Array = Buffer.alloc(0), chk = 0): Buffer {
  return encodePacket(0x00, op, chk, data);
}

/** Parses an unframed request; returns undefined for a frame that is not a request (direction byte ≠ 0). */
export function decodeRequest(frame: Uint8Array): Request | undefined {
  if (frame.length < 8 || frame[0] !== 0x00) return undefined;
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const len = b.readUInt16LE(2);
  return { op: b[1]!, checksum: b.readUInt32LE(4), data: b.subarray(8, 8 + len) };
}

export interface Response {
  op: number;
  /** The u32 value field (READ_REG result; stale on most other ROM replies). */
  value: number;
  /** Everything after the 8-byte header: result bytes followed by status bytes. */
  data: Buffer;
}

/** Builds an (unframed) response: 01, op, u16 len, u32 value, data (result bytes, then status bytes). */
export function encodeResponse(op: number, value: number, data: Uint8Array): Buffer {
  return encodePacket(0x01, op, value, data);
}

/** Parses an unframed response; undefined when the frame is not a response (direction byte ≠ 1, too short). */
export function decodeResponse(frame: Uint8Array): Response | undefined {
  if (frame.length < 8 || frame[0] !== 0x01) return undefined;
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const size = b.readUInt16LE(2);
  return { op: b[1]!, value: b.readUInt32LE(4), data: b.subarray(8, 8 + Math.min(size, b.length - 8)) };
}

/** Packs u32 little-endian words, the shape of almost every command payload. */
export function words(...values: number[]): Buffer {
  const out = Buffer.allocUnsafe(values.length * 4);
  values.forEach((v, i) => out.writeUInt32LE(v >>> 0, i * 4));
  return out;
}

/** Status codes in byte 1 of a failed ROM reply (protocol notes §2). */
export const ROM_ERRORS: Record<number, string> = {
  0x05: 'ROM_INVALID_MESSAGE',
  0x06: 'ROM_FAILED_TO_ACT',
  0x07: 'ROM_BAD_CHECKSUM',
  0x08: 'ROM_FLASH_WRITE_ERROR',
  0x09: 'ROM_FLASH_READ_ERROR',
  0x0a: 'ROM_READ_LENGTH_ERROR',
  0x0b: 'ROM_DEFLATE_ERROR',
  0x0c: 'ROM_ADLER32_ERROR',
  0x0d: 'ROM_DEFLATE_PARAM_ERROR',
  0x0e: 'ROM_BAD_RAM_SIZE',
  0x0f: 'ROM_BAD_RAM_ADDRESS',
};

/** Stub error codes (first status byte when the second is 0; protocol notes §2). */
export const STUB_ERRORS: Record<number, string> = {
  0xc0: 'STUB_BAD_DATA_LEN',
  0xc1: 'STUB_BAD_DATA_CHECKSUM',
  0xc2: 'STUB_BAD_BLOCKSIZE',
  0xc3: 'STUB_INVALID_COMMAND',
  0xc4: 'STUB_FAILED_SPI_OP',
  0xc5: 'STUB_FAILED_SPI_UNLOCK',
  0xc6: 'STUB_NOT_IN_FLASH_MODE',
  0xc7: 'STUB_INFLATE_ERROR',
  0xc8: 'STUB_NOT_ENOUGH_DATA',
  0xc9: 'STUB_TOO_MUCH_DATA',
  0xff: 'STUB_CMD_NOT_IMPLEMENTED',
};

export interface Status {
  ok: boolean;
  /** Raw status bytes [s0, s1]. */
  bytes: [number, number];
  /** Named error ('ROM_BAD_CHECKSUM', 'STUB_INFLATE_ERROR', …) or undefined on success. */
  name?: string;
}

/**
 * Reads the status that follows `resultLen` bytes of result in a reply's data. ROMs of the ESP32 family
 * append 4 status bytes, ESP8266 and stubs 2; reading two at `resultLen` works for both (as esptool 5 does).
 * A ROM failure is [1, code]; a stub failure is [code, 0] with code ≥ 0xC0.
 */
export function readStatus(data: Uint8Array, resultLen = 0): Status {
  const s0 = data[resultLen] ?? 0xff;
  const s1 = data[resultLen + 1] ?? 0xff;
  if (s0 === 0) return { ok: true, bytes: [s0, s1] };
  const name =
    s0 === 1
      ? (ROM_ERRORS[s1] ?? `ROM_ERROR_0x${s1.toString(16).padStart(2, '0')}`)
      : (STUB_ERRORS[s0] ??
        `STATUS_0x${s0.toString(16).padStart(2, '0')}_0x${s1.toString(16).padStart(2, '0')}`);
  return { ok: false, bytes: [s0, s1], name };
}
