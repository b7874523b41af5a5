/**
 * Properties of the report formats: a JSONL report cut at ANY byte (a crash mid-write) still yields every record
 * whose line was complete, and flags the torn rest; CSV export survives a round trip through an RFC 4180 reader
 * for arbitrary text (commas, quotes, CR/LF, unicode), except the documented ' prefix on formula-like cells.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, parseReport, recordsToCsv, type DeviceRecord } from '../../src-main/station';

function record(i: number, over: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    id: `r${i}`,
    time: new Date(Date.UTC(2026, 0, 1, 10, i)).toISOString(),
    station: 's',
    profile: 'p',
    port: `/dev/ttyUSB${i}`,
    mac: `18:fe:34:00:00:${i.toString(16).padStart(2, '0')}`,
    firmware: [{ sha256: 'b'.repeat(64), name: 'fw.bin', offset: 0 }],
    result: 'verified',
    durationMs: 1000 + i,
    bytesSent: 100 * i,
    attempt: 1,
    ...over,
  };
}

/** A strict RFC 4180 reader (quoted fields may hold commas, quotes doubled, CR and LF). */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
    i++;
  }
  return rows;
}

describe('report properties', () => {
  it('a report cut at any byte keeps every complete record and reports the torn tail', () => {
    const records = [0, 1, 2, 3].map((i) => record(i, { station: `bench ✓ ${i}`, error: undefined }));
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const bytes = Buffer.from(text, 'utf8');
    const ends: number[] = [];
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) ends.push(i + 1);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const parsed = parseReport(bytes.subarray(0, cut).toString('utf8'));
      const complete = ends.filter((e) => e <= cut).length;
      expect(parsed.records.map((r) => r.id)).toEqual(records.slice(0, complete).map((r) => r.id));
      expect(parsed.invalidLines).toEqual([]);
      expect(parsed.partialLine !== undefined).toBe(!ends.includes(cut) && cut !== 0);
    }
  });

  it('CSV round-trips arbitrary text through an RFC 4180 reader', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ station: fc.string(), port: fc.string({ minLength: 1 }), message: fc.string() }),
          { maxLength: 5 },
        ),
        (rows) => {
          const recs = rows.map((r, i) =>
            record(i, {
              station: r.station,
              port: r.port,
              result: 'failed',
              error: { code: 'TIMEOUT', message: r.message },
            }),
          );
          const table = readCsv(recordsToCsv(recs));
          expect(table[0]).toEqual([...CSV_COLUMNS]);
          expect(table).toHaveLength(recs.length + 1);
          const unformula = (s: string) => (/^[=+\-@]/.test(s) ? `'${s}` : s);
          recs.forEach((r, i) => {
            const row = table[i + 1]!;
            expect(row).toHaveLength(CSV_COLUMNS.length);
            expect(row[CSV_COLUMNS.indexOf('station')]).toBe(unformula(r.station));
            expect(row[CSV_COLUMNS.indexOf('port')]).toBe(unformula(r.port));
            expect(row[CSV_COLUMNS.indexOf('error')]).toBe(unformula(r.error!.message));
            expect(row[CSV_COLUMNS.indexOf('mac')]).toBe(r.mac);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
