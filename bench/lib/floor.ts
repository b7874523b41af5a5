/**
 * The floor of one flash at a baud: what no host, however quick, can avoid, from the bytes and the simulator's own
 * chip figures. It says how far a measured time is from the best possible one, and whether a goal lies below it.
 * - wire: every byte of the write as framed on the line (SLIP ENDs and escapes, the 8-byte request header and the
 *   16-byte DATA header of each block) at 10 bits per byte;
 * - verify: the stub reading and hashing the region (sim/stub-timing.ts hashMsPerKB, with its source);
 * - stub: the flasher stub's text and data on the wire at the rate it goes up at.
 * Left out on purpose, so the floor stays a floor: start-up, sync, the per-block ack turnaround, the stub's start.
 */
import { deflateSync } from 'node:zlib';
import { STUB_BLOCK } from '../../src-main/esp/flasher/write';
import { loadStubImage } from '../../src-main/esp/flasher/stub';
import { CHIP_RECORDS } from '../../src-main/esp/chips/records';
import { STUB_TIMING } from '../../src-main/sim/stub-timing';
import type { SimChip } from '../../src-main/sim/types';

const SLIP_END = 0xc0;
const SLIP_ESC = 0xdb;
/** Request header (8) and the DATA command's own header words (16). */
const BLOCK_HEADERS = 8 + 16;

function escapes(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) if (b === SLIP_END || b === SLIP_ESC) n++;
  return n;
}

/** Bytes on the wire for the payload sent in STUB_BLOCK blocks (compressed when that is smaller, as Kiln does). */
export function framedWriteBytes(data: Uint8Array): number {
  const z = deflateSync(data, { level: 9 });
  const payload = z.length < data.length ? z : data;
  const blocks = Math.ceil(payload.length / STUB_BLOCK);
  return payload.length + escapes(payload) + blocks * (BLOCK_HEADERS + 2);
}

export interface Floor {
  wireMs: number;
  verifyMs: number;
  stubMs: number;
  totalMs: number;
}

export function flashFloor(chip: SimChip, data: Uint8Array, baud: number, stubBaud = baud): Floor {
  const byteMs = (n: number, b: number) => (n * 10 * 1000) / b;
  const wireMs = byteMs(framedWriteBytes(data), baud);
  const verifyMs = (data.length / 1024) * STUB_TIMING[chip].hashMsPerKB;
  const stub = loadStubImage(CHIP_RECORDS[chip]);
  const stubBytes = stub.text.length + stub.data.length;
  const stubMs = byteMs(stubBytes + escapes(stub.text) + escapes(stub.data), stubBaud);
  return {
    wireMs: Math.round(wireMs),
    verifyMs: Math.round(verifyMs),
    stubMs: Math.round(stubMs),
    totalMs: Math.round(wireMs + verifyMs + stubMs),
  };
}
