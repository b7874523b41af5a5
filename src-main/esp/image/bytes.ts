/** Little helpers shared by the image readers and writers: LE fields, hex and human numbers for messages. */
import { KilnError, type ErrorDetails } from '../../core/errors';

export function u16(data: Uint8Array, at: number): number {
  return (data[at] ?? 0) | ((data[at + 1] ?? 0) << 8);
}

export function u32(data: Uint8Array, at: number): number {
  return (
    ((data[at] ?? 0) |
      ((data[at + 1] ?? 0) << 8) |
      ((data[at + 2] ?? 0) << 16) |
      ((data[at + 3] ?? 0) << 24)) >>>
    0
  );
}

export function hex(n: number, digits = 0): string {
  return '0x' + n.toString(16).padStart(digits, '0');
}

/** 30212 → "30,212" (fixed locale so messages do not depend on the machine). */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** IMAGE_INVALID with the file name leading the one-line cause, as every image error reads. */
export function invalidImage(
  name: string,
  cause: string,
  hint: string,
  details: ErrorDetails = {},
): KilnError {
  return new KilnError('IMAGE_INVALID', `${name}: ${cause}`, { hint, details: { file: name, ...details } });
}

export const HINT_CORRUPT =
  'The file is damaged or incomplete. Download or build the firmware again and check its size.';
