/**
 * Writing planned regions (protocol notes §5) and proving they landed. Per region:
 *  1. skip unchanged: ask the device for MD5s — its first and last sector, then the whole region, then each 64 KB
 *     block, as far as the answers make it worth it (changedRuns) — and send only differing blocks, adjacent
 *     ones merged into one run. A flash cut short by an unplug is therefore resumed, not restarted, by simply
 *     flashing again; a blank board costs two 4 KB checks, not a hash of the whole region.
 *  2. each run: zlib level 9 (in the thread pool, tracked by the clock) when that is smaller, then
 *     FLASH_DEFL_BEGIN/DATA/END (or FLASH_BEGIN/DATA/END uncompressed) with 16 KB blocks, each block re-sent up to
 *     3 times when it was damaged in transit. The ROM path (no stub) is in rom-write.ts.
 *  3. verify: MD5 of the whole region against the padded image (read-back where the ROM has no MD5); a region
 *     found unchanged by step 1's MD5s is verified by them.
 * Progress counts uncompressed bytes the device acknowledged.
 */
import { deflate } from 'node:zlib';
import { promisify } from 'node:util';
import { KilnError } from '../../core/errors';
import { Op, words } from '../link/protocol';
import { canMd5, deviceMd5, localMd5 } from './md5';
import { SECTOR, lastSectorStart, runsToWrite, skipBlocks, type PlannedRegion, type Run } from './write-plan';
import { romWriteRun, romFinish, verifyByWindowRead } from './rom-write';
import { padBlock, prepareBlock, sendBlock, type WriteContext } from './data-block';
import { ProgressMeter } from './progress';
import type { RegionResult } from '../api';

const deflateAsync = promisify(deflate);
export const STUB_BLOCK = 0x4000;

export async function writeRegions(ctx: WriteContext, regions: PlannedRegion[]): Promise<RegionResult[]> {
  const results: RegionResult[] = [];
  for (const region of regions) results.push(await writeRegion(ctx, region));
  if (!ctx.link.isStub) await romFinish(ctx.link, ctx.signal);
  for (const [i, region] of regions.entries()) await verifyRegion(ctx, region, results[i]!);
  return results;
}

async function writeRegion(ctx: WriteContext, region: PlannedRegion): Promise<RegionResult> {
  const { link } = ctx;
  const blocks = skipBlocks(region.data.length);
  const runs = ctx.skipUnchanged
    ? await changedRuns(ctx, region, blocks)
    : [{ start: 0, end: region.data.length }];
  const toWrite = runs.reduce((n, r) => n + (r.end - r.start), 0);
  const meter = new ProgressMeter(link.clock, ctx.hooks, 'writing', toWrite, region.index);
  const wireBefore = link.bytesWritten;
  // Announce the phase before the first block, so the rate clock starts when sending starts.
  if (toWrite > 0) meter.update(0);
  let done = 0;
  for (const run of runs) {
    const data = region.data.subarray(run.start, run.end);
    const at = region.offset + run.start;
    if (link.isStub) await stubWriteRun(ctx, at, data, (n) => meter.update(done + n));
    else await romWriteRun(ctx, at, data, (n) => meter.update(done + n));
    done += data.length;
    meter.update(done);
  }
  const blocksWritten = blocks.filter((b) => runs.some((r) => b.start >= r.start && b.end <= r.end)).length;
  ctx.hooks.onLog?.(
    'info',
    `region 0x${region.offset.toString(16)}: ${toWrite} of ${region.data.length} bytes written, ${blocks.length - blocksWritten} block(s) unchanged`,
  );
  return {
    offset: region.offset,
    size: region.data.length,
    md5: localMd5(region.data),
    bytesSent: link.bytesWritten - wireBefore,
    blocksSkipped: blocks.length - blocksWritten,
    blocksTotal: blocks.length,
    // Nothing to send: the pre-check's MD5s already showed the device holds every byte, so that is the proof.
    verified: toWrite === 0 && ctx.skipUnchanged,
    ...(region.name === undefined ? {} : { name: region.name }),
  };
}

/**
 * Which parts of the region differ from the device, by MD5, cheapest question first. Hashing costs the chip about
 * as long per megabyte as the whole-region check it replaces, so a board that holds something else (blank, or
 * other firmware) must not pay for it: the first and the last 4 KB sector are asked first.
 *  - both differ: nothing of this image is there (blank or other firmware) → write it all, after two small checks;
 *  - the first matches, the last not: a write cut short (they go front to back) → per 64 KB block, to resume;
 *  - the last matches, the first not: the same image with another header (flash mode, size) → per block;
 *  - both match: the whole region's MD5 decides "unchanged"; when it differs, per block.
 * Regions of one 64 KB block are asked as a whole (one check of at most 64 KB).
 */
async function changedRuns(ctx: WriteContext, region: PlannedRegion, blocks: Run[]): Promise<Run[]> {
  const { link, chip, signal } = ctx;
  const length = region.data.length;
  const all = [{ start: 0, end: length }];
  if (!canMd5(link, chip)) {
    ctx.hooks.onLog?.('info', 'this loader cannot hash flash: writing everything');
    return all;
  }
  const meter = new ProgressMeter(link.clock, ctx.hooks, 'planning', length, region.index);
  const matches = async (start: number, end: number) =>
    (await deviceMd5(link, region.offset + start, end - start, signal)) ===
    localMd5(region.data.subarray(start, end));
  if (blocks.length === 1) {
    const same = await matches(0, length);
    meter.update(length);
    return same ? [] : all;
  }
  const first = await matches(0, SECTOR);
  const last = await matches(lastSectorStart(length), length);
  if (!first && !last) {
    meter.update(length);
    return all;
  }
  if (first && last && (await matches(0, length))) {
    meter.update(length);
    return [];
  }
  const differs: boolean[] = [];
  for (const b of blocks) {
    differs.push(!(await matches(b.start, b.end)));
    meter.update(b.end);
  }
  return runsToWrite(blocks, differs);
}

async function stubWriteRun(
  ctx: WriteContext,
  offset: number,
  data: Uint8Array,
  onAcked: (n: number) => void,
): Promise<void> {
  const { link, signal } = ctx;
  let payload: Uint8Array = data;
  let compressed = false;
  if (ctx.compress) {
    const z = await link.clock.track(deflateAsync(data, { level: 9 }));
    if (z.length < data.length) {
      payload = z;
      compressed = true;
    }
  }
  const [beginOp, dataOp, endOp] = compressed
    ? [Op.FLASH_DEFL_BEGIN, Op.FLASH_DEFL_DATA, Op.FLASH_DEFL_END]
    : [Op.FLASH_BEGIN, Op.FLASH_DATA, Op.FLASH_END];
  const blocks = Math.ceil(payload.length / STUB_BLOCK);
  // The stub takes the exact uncompressed size and erases as it goes; stubs always take the encryption word.
  await link.command(beginOp, words(data.length, blocks, STUB_BLOCK, offset, 0), {
    size: data.length,
    signal,
  });
  const ratio = data.length / payload.length;
  const prepare = (seq: number) => {
    let block = payload.subarray(seq * STUB_BLOCK, (seq + 1) * STUB_BLOCK);
    if (!compressed && block.length < STUB_BLOCK) block = padBlock(block, STUB_BLOCK);
    return prepareBlock(dataOp, seq, block, Math.ceil(block.length * ratio));
  };
  let next = prepare(0);
  for (let seq = 0; seq < blocks; seq++) {
    // The block goes out first; the one after it is built while these bytes are on the wire (the stub takes it
    // only after this block's ack: one block in flight, sim/stub.ts RX_FRAME_BUFFERS), so once the ack arrives
    // nothing but the write is left to do: ~0.7 ms less per block on a pty, measured.
    const sent = sendBlock(ctx, next);
    if (seq + 1 < blocks) next = prepare(seq + 1);
    await sent;
    onAcked(
      seq === blocks - 1 ? data.length : Math.min(data.length, Math.floor((seq + 1) * STUB_BLOCK * ratio)),
    );
  }
  await link.command(endOp, words(1), { signal });
}

async function verifyRegion(ctx: WriteContext, region: PlannedRegion, result: RegionResult): Promise<void> {
  if (result.verified) return;
  const { link, chip, signal } = ctx;
  const meter = new ProgressMeter(link.clock, ctx.hooks, 'verifying', region.data.length, region.index);
  const expected = result.md5;
  // Announced before the check, so the phase's time is the check's.
  meter.update(0);
  let actual: string;
  if (canMd5(link, chip)) {
    actual = await deviceMd5(link, region.offset, region.data.length, signal);
  } else {
    const readBack = await verifyByWindowRead(ctx, region, meter);
    if (readBack === undefined) {
      ctx.hooks.onLog?.(
        'warn',
        `region 0x${region.offset.toString(16)} lies beyond the readable window: written but not verified`,
      );
      return;
    }
    actual = localMd5(readBack);
  }
  meter.update(region.data.length);
  if (actual !== expected) {
    throw new KilnError(
      'VERIFY_FAILED',
      `Flash at 0x${region.offset.toString(16)} does not match ${region.name ?? 'the image'} after writing.`,
      {
        hint: 'Flash again; if it fails again, the flash chip may be faulty or the flash mode/size wrong for this board.',
        details: {
          offset: region.offset,
          size: region.data.length,
          expected,
          actual,
          ...(region.name ? { name: region.name } : {}),
        },
      },
    );
  }
  result.verified = true;
}
