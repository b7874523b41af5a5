/**
 * The flasher stub (protocol notes §4): its images are data, read from the esptool-js package (byte-identical to
 * esp-flasher-stub v1.2.2, Apache-2.0 OR MIT), uploaded to RAM with MEM_BEGIN/MEM_DATA/MEM_END, and it greets
 * with one `OHAI` frame — at which rate, and how the host finds it, is stub-greeting.ts. After that, replies come
 * from the stub (2 status bytes, compressed writes, READ_FLASH).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { KilnError } from '../../core/errors';
import { Op, checksum, words } from '../link/protocol';
import { RETRYABLE_STATUS, isFatalLinkError } from '../link/errors';
import { ROM_BAUD } from '../../vocabulary';
import type { ChipRecord } from '../chips/records';
import { encodeFrame, type EspLink } from '../link/link';
import { greetStub, type StubUpload } from './stub-greeting';

export const RAM_BLOCK = 0x1800;

export interface StubImage {
  text: Buffer;
  textStart: number;
  data: Buffer;
  dataStart: number;
  entry: number;
}

export function stubDirectory(): string {
  // When the main process is bundled to CommonJS, esbuild empties import.meta: fall back to the bundle's own path.
  const from =
    typeof import.meta.url === 'string'
      ? import.meta.url
      : typeof __filename === 'string'
        ? __filename
        : path.join(process.cwd(), 'index.js');
  const pkg = createRequire(from).resolve('esptool-js/package.json');
  return path.join(path.dirname(pkg), 'lib', 'targets', 'stub_flasher');
}

const cache = new Map<string, StubImage>();

export function loadStubImage(chip: ChipRecord): StubImage {
  const hit = cache.get(chip.stubFile);
  if (hit) return hit;
  const file = path.join(stubDirectory(), chip.stubFile);
  let json: { text: string; text_start: number; data: string; data_start: number; entry: number };
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new KilnError('STUB_FAILED', `The flasher stub for ${chip.name} could not be read (${file}).`, {
      hint: 'Reinstall Kiln; the esptool-js stub files are missing.',
      details: { file },
      cause: e,
    });
  }
  const img: StubImage = {
    text: Buffer.from(json.text, 'base64'),
    textStart: json.text_start,
    data: Buffer.from(json.data ?? '', 'base64'),
    dataStart: json.data_start,
    entry: json.entry,
  };
  cache.set(chip.stubFile, img);
  return img;
}

async function uploadSegment(link: EspLink, bytes: Buffer, address: number): Promise<void> {
  const blocks = Math.ceil(bytes.length / RAM_BLOCK);
  const begin = link.command(Op.MEM_BEGIN, words(bytes.length, blocks, RAM_BLOCK, address));
  // Framed while MEM_BEGIN is on its way, so each MEM_DATA goes out as soon as the one before is acknowledged.
  const frames = Array.from({ length: blocks }, (_, seq) => {
    const block = bytes.subarray(seq * RAM_BLOCK, (seq + 1) * RAM_BLOCK);
    const payload = Buffer.concat([words(block.length, seq, 0, 0), block]);
    const chk = checksum(block);
    return { payload, chk, framed: encodeFrame(Op.MEM_DATA, payload, chk) };
  });
  await begin;
  for (const f of frames) await link.command(Op.MEM_DATA, f.payload, { checksum: f.chk, framed: f.framed });
}

/**
 * Uploads and starts the stub at the port's current rate (stub-greeting.ts prepareStubUpload chose it); afterwards
 * `link.isStub` is true and the port runs at the rate the stub answers at.
 */
export async function runStub(link: EspLink, chip: ChipRecord, upload?: StubUpload): Promise<void> {
  const img = loadStubImage(chip);
  try {
    await uploadSegment(link, img.text, img.textStart);
    if (img.data.length > 0) await uploadSegment(link, img.data, img.dataStart);
    await link.send(Op.MEM_END, words(0, img.entry));
    await greetStub(link, chip, upload);
  } catch (e) {
    if (isFatalLinkError(e) || (e instanceof KilnError && e.code === 'STUB_FAILED')) throw e;
    const err = e as KilnError;
    const rate = link.transport.baudRate;
    if (rate > ROM_BAUD && isTransitError(err)) {
      // Above 115200 (fast-sync.ts) a damaged upload is a data error like a damaged write: said as one, so the baud
      // fallback tries a lower rate instead of the stub being taken for broken.
      throw new KilnError(
        err.code === 'TIMEOUT' ? 'TIMEOUT' : 'PROTOCOL_ERROR',
        `The flasher stub did not go up at ${rate} baud: ${err.message}`,
        {
          hint: 'The link lost data at this rate; a lower baud rate usually works.',
          details: { chip: chip.name, baud: rate, ...(err.code ? { cause: err.code } : {}) },
          cause: e,
        },
      );
    }
    throw new KilnError('STUB_FAILED', `The flasher stub could not be started: ${err.message}`, {
      hint: 'Reset the board into download mode and try again, or flash without the stub (slower).',
      details: { chip: chip.name, ...(err.code ? { cause: err.code } : {}) },
      cause: e,
    });
  }
  link.isStub = true;
}

/** A reply lost or damaged on the line (as opposed to the chip refusing what reached it intact). */
function isTransitError(e: KilnError): boolean {
  if (e.code === 'TIMEOUT' || e.code === 'PROTOCOL_ERROR') return true;
  const status = e.details?.status;
  return typeof status === 'string' && RETRYABLE_STATUS.has(status);
}
