/**
 * Turns the real-world captures into ConnectCaptures, per kind of file:
 * - ROM/application output (banners): the bytes after line 1, as received.
 * - esptool `--trace` logs: the bytes the trace says were read, one attempt per SYNC write; "Read invalid data"
 *   repeats bytes already read and is skipped; host writes are skipped.
 * - tool logs without bytes (esptool, esptool-ck): what the tool says it received: esptool-ck `-vv` prints
 *   "XX instead of C0" for a byte and "read 0" for none; a timeout or "espcomm_sync failed" means nothing;
 *   esptool's "Wrong boot mode detected (0xNN)" is printed only after it read the ROM's `boot:0xNN`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConnectCapture } from '../../src-main/core/capture';
import { sharedDir } from '../helpers/shared';

export const SYNC_FRAME_HEX = 'c000082400000000' + '0007071220' + '55'.repeat(32) + 'c0';

export function realWorldPath(name: string): string {
  return path.join(sharedDir(), 'fixtures', 'real-world', name);
}

/** Raw bytes of the file after the `# source:` line. */
export function bodyBytes(name: string): Buffer {
  const raw = readFileSync(realWorldPath(name));
  return raw.subarray(raw.indexOf(0x0a) + 1);
}

export function bodyText(name: string): string {
  return bodyBytes(name).toString('utf8');
}

function make(attempts: Buffer[], port = '/dev/ttyUSB0'): ConnectCapture {
  return {
    port,
    syncFrameHex: SYNC_FRAME_HEX,
    attempts: attempts.map((b) => ({ strategy: 'classic', baud: 115200, rxHex: b.toString('hex') })),
  };
}

export function captureFromBanner(name: string): ConnectCapture {
  return make([bodyBytes(name)]);
}

/** esptool --trace (old "TRACE +0.001 Read 3 bytes: ..." and new indented formats). */
export function captureFromTrace(name: string): ConnectCapture {
  const attempts: Buffer[][] = [];
  let mode: 'read' | 'skip' = 'skip';
  const current = (): Buffer[] => {
    if (attempts.length === 0) attempts.push([]);
    return attempts[attempts.length - 1]!;
  };
  for (const line of bodyText(name).split('\n')) {
    const trace = line.match(/TRACE\s+\+[\d.]+\s+(.*)$/);
    if (trace) {
      const what = trace[1]!;
      const write = what.match(/^Write \d+ bytes:\s*([0-9a-f]*)\s*$/);
      if (write) {
        mode = 'skip';
        if (write[1]!.startsWith('c0000824') || what.match(/^Write 46 bytes/)) attempts.push([]);
        continue;
      }
      const read = what.match(/^(?:Read \d+ bytes|Remaining data in serial buffer):\s*([0-9a-f]*)\s*$/);
      if (read) {
        if (read[1]) current().push(Buffer.from(read[1], 'hex'));
        mode = read[1] ? 'skip' : 'read';
        continue;
      }
      mode = 'skip';
      continue;
    }
    const dump = line.match(/^\s+([0-9a-f]{2,16}(?: [0-9a-f]{2,16})*)\s+\|/);
    if (dump && mode === 'read') current().push(Buffer.from(dump[1]!.replace(/ /g, ''), 'hex'));
    else if (!dump) mode = 'skip';
  }
  return make(attempts.map((a) => Buffer.concat(a)));
}

export function captureFromToolLog(name: string): ConnectCapture {
  const attempts: Buffer[] = [];
  for (const line of bodyText(name).split('\n')) {
    const ck = line.match(/serialport_receive_C0: ([0-9A-Fa-f]{2}) instead of C0/);
    if (/^trying to connect/.test(line)) attempts.push(Buffer.alloc(0));
    else if (ck && attempts.length)
      attempts[attempts.length - 1] = Buffer.concat([
        attempts[attempts.length - 1]!,
        Buffer.from(ck[1]!, 'hex'),
      ]);
    else if (/Timed out waiting for packet header|espcomm_sync failed|No serial data received/.test(line))
      attempts.push(Buffer.alloc(0));
    const wrong = line.match(/Wrong boot mode detected \((0x[0-9a-f]+)\)/);
    if (wrong) attempts.push(Buffer.from(`boot:${wrong[1]}\r\n`));
  }
  if (attempts.length === 0) throw new Error(`${name}: no connection attempt found in the log`);
  return make(attempts);
}

/** The esptool-js development trace of PR 107 drops leading zeros, so only its ASCII column is usable. */
export function captureFromLossyAsciiColumn(name: string): ConnectCapture {
  const blocks = bodyText(name)
    .split(/^TRACE /m)
    .slice(1);
  const ascii = blocks[0]!
    .split('\n')
    .slice(1)
    .map((l) => l.match(/\|\s?(.*)$/)?.[1] ?? '')
    .join('');
  return make([Buffer.from(ascii, 'latin1')]);
}

/**
 * What a 115200-baud receiver makes of text sent at `txBaud` (8N1, idle high): it waits for a falling edge,
 * samples each bit in its middle at its own rate, and resynchronises on the next start bit.
 */
export function misreadAtBaud(text: Buffer, txBaud: number, rxBaud = 115200): Buffer {
  const bitT = 1 / txBaud;
  const transitions: { t: number; level: number }[] = [];
  let t = 0;
  for (const byte of text) {
    const bits = [0, ...Array.from({ length: 8 }, (_, i) => (byte >> i) & 1), 1];
    for (const b of bits) {
      transitions.push({ t, level: b });
      t += bitT;
    }
  }
  const end = t;
  const level = (at: number): number => {
    let lv = 1;
    for (const tr of transitions) {
      if (tr.t > at) break;
      lv = tr.level;
    }
    return lv;
  };
  const out: number[] = [];
  const rxT = 1 / rxBaud;
  let now = 0;
  while (now < end) {
    // find the next falling edge at or after `now`
    const edge = transitions.find(
      (tr, i) => tr.t >= now && tr.level === 0 && (i === 0 ? true : level(tr.t - 1e-9) === 1),
    );
    if (!edge) break;
    let byte = 0;
    for (let i = 0; i < 8; i++) byte |= level(edge.t + rxT * (1.5 + i)) << i;
    out.push(byte);
    now = edge.t + rxT * 9.5;
  }
  return Buffer.from(out);
}
