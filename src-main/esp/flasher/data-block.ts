/**
 * One FLASH_DATA / FLASH_DEFL_DATA block on the wire, shared by the stub path (write.ts) and the ROM path
 * (rom-write.ts): a damaged block or a lost reply re-sends the same sequence number, up to 3 times in all;
 * anything fatal (port lost, cancelled) or a status the chip means (not a transit error) ends the write at once.
 */
import { KilnError } from '../../core/errors';
import { checksum, words } from '../link/protocol';
import { timeoutFor } from '../link/commands';
import { RETRYABLE_STATUS, isFatalLinkError } from '../link/errors';
import type { ChipRecord } from '../chips/records';
import { encodeFrame, type EspLink } from '../link/link';
import type { EngineHooks } from '../api';

const BLOCK_ATTEMPTS = 3;

/** What every write step needs: the link, the chip, the caller's hooks and the plan's choices. */
export interface WriteContext {
  link: EspLink;
  chip: ChipRecord;
  hooks: EngineHooks;
  signal?: AbortSignal;
  compress: boolean;
  skipUnchanged: boolean;
}

/** One DATA block ready for the wire: built while the block before it is still being sent (`prepareBlock`). */
export interface PreparedBlock {
  op: number;
  seq: number;
  /** Header words and payload: what the checksum and the frame were made from. */
  body: Buffer;
  checksum: number;
  /** The SLIP frame, so a block sent (or re-sent) costs no encoding once its turn comes. */
  framed: Buffer;
  /** Image bytes this block stands for (for the size-scaled reply timeout). */
  uncompressedBytes: number;
}

export function prepareBlock(
  op: number,
  seq: number,
  block: Uint8Array,
  uncompressedBytes: number,
): PreparedBlock {
  const body = Buffer.concat([words(block.length, seq, 0, 0), block]);
  const chk = checksum(block);
  return { op, seq, body, checksum: chk, framed: encodeFrame(op, body, chk), uncompressedBytes };
}

/** One DATA block, re-sent (same sequence number) when it was damaged in transit or its reply was lost. */
export async function sendBlock(ctx: WriteContext, b: PreparedBlock): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.link.command(b.op, b.body, {
        checksum: b.checksum,
        framed: b.framed,
        timeoutMs: timeoutFor(b.op, b.uncompressedBytes),
        signal: ctx.signal,
      });
      return;
    } catch (e) {
      if (attempt >= BLOCK_ATTEMPTS || !isRetryable(e)) throw e;
      ctx.hooks.onLog?.(
        'warn',
        `block ${b.seq} failed (${(e as KilnError).code}), sending it again (${attempt}/${BLOCK_ATTEMPTS - 1})`,
      );
    }
  }
}

function isRetryable(e: unknown): boolean {
  if (!(e instanceof KilnError) || isFatalLinkError(e)) return false;
  if (e.code === 'TIMEOUT') return true;
  const status = e.details?.status;
  return typeof status === 'string' && RETRYABLE_STATUS.has(status);
}

export function padBlock(block: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size).fill(0xff);
  out.set(block);
  return out;
}
