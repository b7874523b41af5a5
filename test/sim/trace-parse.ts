/**
 * Parses the byte-level esptool traces in ../shared/fixtures/real-world (trace_*.txt). Formats differ per file:
 * esptool 2.x/3.x `TRACE +0.000 Write 14 bytes: c000…` (inline) or followed by hex-dump lines
 * (`    c000082400000000 0007071220555555 | ascii`); esptool 4.x+ indents and pads (`  TRACE +0.001   Read 1 bytes:
 * 45`). Line 1 (`# source: …`) is skipped; nothing else is. The esptool-js dump format (leading zeros dropped)
 * is not parseable losslessly and is not handled here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedDir } from '../helpers/shared';

export interface TraceEvent {
  kind: 'write' | 'read' | 'packet' | 'invalid' | 'remaining';
  bytes: Buffer;
  line: number;
}

const HEXDUMP = /^\s+((?:[0-9a-fA-F]{2})+(?:\s+(?:[0-9a-fA-F]{2})+)*)\s*(\||$)/;

export function readTrace(name: string): string[] {
  return readFileSync(path.join(sharedDir(), 'fixtures', 'real-world', name), 'latin1')
    .split('\n')
    .slice(1);
}

export function parseTrace(name: string): TraceEvent[] {
  const lines = readTrace(name);
  const events: TraceEvent[] = [];
  let current: TraceEvent | undefined;
  const kinds: [RegExp, TraceEvent['kind']][] = [
    [/Write \d+ bytes:\s*([0-9a-fA-F]*)\s*$/, 'write'],
    [/Read \d+ bytes:\s*([0-9a-fA-F]*)\s*$/, 'read'],
    [/Received full packet:\s*([0-9a-fA-F]*)\s*$/, 'packet'],
    [/Read invalid data:\s*([0-9a-fA-F]*)\s*$/, 'invalid'],
    [/Remaining data in serial buffer:\s*([0-9a-fA-F]*)\s*$/, 'remaining'],
  ];
  lines.forEach((text, i) => {
    if (/TRACE/.test(text)) {
      current = undefined;
      for (const [re, kind] of kinds) {
        const m = re.exec(text);
        if (m) {
          current = { kind, bytes: Buffer.from(m[1] ?? '', 'hex'), line: i + 2 };
          events.push(current);
          break;
        }
      }
      return;
    }
    const dump = HEXDUMP.exec(text);
    if (current && dump) {
      current.bytes = Buffer.concat([current.bytes, Buffer.from(dump[1]!.replace(/\s+/g, ''), 'hex')]);
      return;
    }
    current = undefined;
  });
  return events;
}
