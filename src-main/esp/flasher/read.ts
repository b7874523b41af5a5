/**
 * Reading flash back (protocol notes §6). Stub: READ_FLASH(offset, len, 0x1000, 64) → a normal reply, then raw
 * data frames; the host acknowledges each with the cumulative byte count (u32) and finally receives a 16-byte MD5
 * of everything sent, which is checked. ESP32-family ROMs: READ_FLASH_SLOW, 64 bytes per command. ESP8266 ROM:
 * nothing but reading the memory-mapped flash window word by word (see rom-write.ts).
 */
import { createHash } from 'node:crypto';
import { KilnError } from '../../core/errors';
import { Op, words } from '../link/protocol';
import { timeoutFor } from '../link/commands';
import { timeoutError, hex } from '../link/errors';
import type { ChipRecord } from '../chips/records';
import type { EspLink } from '../link/link';
import type { ProgressMeter } from './progress';

export const READ_PACKET = 0x1000;
export const READ_IN_FLIGHT = 64;
const SLOW_BLOCK = 64;

export async function readFlashStub(
  link: EspLink,
  offset: number,
  size: number,
  meter?: ProgressMeter,
  signal?: AbortSignal,
): Promise<Buffer> {
  const sig = link.waitSignal(signal);
  await link.command(Op.READ_FLASH, words(offset, size, READ_PACKET, READ_IN_FLIGHT), { signal });
  const out = Buffer.allocUnsafe(size);
  let received = 0;
  const blockTimeout = timeoutFor(Op.READ_FLASH, READ_PACKET);
  while (received < size) {
    const frame = await link.reader.nextFrame(blockTimeout, sig, () =>
      timeoutError(Op.READ_FLASH, blockTimeout, link.port),
    );
    if (received + frame.length > size) {
      throw new KilnError(
        'FLASH_READ_FAILED',
        `The chip sent more data than asked for (${received + frame.length} > ${size} bytes).`,
        {
          hint: 'Run the read again; if it repeats, lower the baud rate.',
          details: { offset, size, received: received + frame.length },
        },
      );
    }
    frame.copy(out, received);
    received += frame.length;
    await link.writeRaw(words(received), signal);
    meter?.update(received);
  }
  const digest = await link.reader.nextFrame(blockTimeout, sig, () =>
    timeoutError(Op.READ_FLASH, blockTimeout, link.port),
  );
  const actual = createHash('md5').update(out).digest();
  if (digest.length !== 16 || !digest.equals(actual)) {
    throw new KilnError(
      'FLASH_READ_FAILED',
      'The data read back does not match the digest the chip computed.',
      {
        hint: 'The link corrupted data; try again at a lower baud rate.',
        details: { offset, size, expected: hex(digest), actual: actual.toString('hex') },
      },
    );
  }
  return out;
}

export async function readFlashRomSlow(
  link: EspLink,
  offset: number,
  size: number,
  meter?: ProgressMeter,
  signal?: AbortSignal,
): Promise<Buffer> {
  const out = Buffer.allocUnsafe(size);
  for (let done = 0; done < size; done += SLOW_BLOCK) {
    const n = Math.min(SLOW_BLOCK, size - done);
    // The ROM always answers 64 bytes, however many were asked for.
    const r = await link.command(Op.READ_FLASH_SLOW, words(offset + done, n), {
      resultLen: SLOW_BLOCK,
      signal,
    });
    if (r.data.length < n) {
      throw new KilnError('FLASH_READ_FAILED', `The ROM answered ${r.data.length} bytes instead of ${n}.`, {
        hint: 'Try again at a lower baud rate.',
        details: { offset: offset + done },
      });
    }
    r.data.copy(out, done, 0, n);
    meter?.update(done + n);
  }
  return out;
}

/** Reads through whatever this loader offers; the ESP8266 ROM path lives in rom-write.ts (window reads). */
export function readerFor(link: EspLink, chip: ChipRecord): typeof readFlashStub | undefined {
  if (link.isStub) return readFlashStub;
  if (chip.rom.readFlashSlow) return readFlashRomSlow;
  return undefined;
}
