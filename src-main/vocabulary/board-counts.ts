/**
 * A batch counts boards, not attempts, wherever its counts are shown: the Station screen's counters, the service's
 * station summary (snapshot, `stationReport`, the fleet's station state) and `kiln batch`'s printed and JSON
 * summary all count here. It lives in the vocabulary because that is the one folder both src-main and the renderer
 * load at run time; like the rest of it, it imports nothing.
 *
 * A board that failed and then verified after "Retry failed" (or a re-run on the same report) is one verified
 * board (the report keeps every attempt; the CSV shows them all). A board is known by its MAC; an attempt that
 * failed before the MAC was read is known by its port, and a later attempt on that port that did read a MAC takes
 * it over (on a jig the board in a slot stays the same board between tries [guess: a board
 * swapped after a MAC-less failure would be merged with it — the report still lists both attempts]).
 *
 * The rate is boards verified per hour over the elapsed run time: from the first attempt's start to now while the
 * station runs (so it falls while the bench stands idle), to the last attempt's end once it has stopped.
 */

/** The fields of a report record (station/schemas.ts `deviceRecordSchema`) the counting reads. */
export interface CountedRecord {
  port: string;
  mac?: string | undefined;
  result: 'verified' | 'failed' | 'skipped';
  /** ISO time the attempt started. */
  time: string;
  durationMs: number;
}

export interface BoardCounts {
  /** Distinct boards with at least one attempt in the report. */
  boards: number;
  verified: number;
  failed: number;
  /** Boards only ever skipped (already verified in an earlier report). */
  skipped: number;
  /** Attempts in the report (retries included). */
  attempts: number;
  /** First attempt's start to now (running) or to the last attempt's end (stopped); 0 before any attempt. */
  elapsedMs: number;
  /** Verified boards per hour over `elapsedMs`, one decimal; 0 before any attempt. */
  perHour: number;
}

/**
 * Counts boards by their latest attempt that flashed or failed (a "skipped: duplicate MAC" attempt after a verified
 * one leaves the board verified). `now` (ms since the epoch) is given while the station runs.
 */
export function countBoards(records: readonly CountedRecord[], now?: number): BoardCounts {
  const latest = new Map<string, CountedRecord['result']>();
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    const portKey = `port:${r.port}`;
    const key = r.mac ? `mac:${r.mac.toLowerCase()}` : portKey;
    if (r.mac) latest.delete(portKey);
    const before = latest.get(key);
    if (r.result !== 'skipped' || before === undefined) latest.set(key, r.result);
    const start = Date.parse(r.time);
    if (Number.isFinite(start)) {
      first = Math.min(first, start);
      last = Math.max(last, start + r.durationMs);
    }
  }
  const counts = { verified: 0, failed: 0, skipped: 0 };
  for (const result of latest.values()) counts[result]++;
  const end = now ?? last;
  const elapsedMs = Number.isFinite(first) ? Math.max(end - first, 0) : 0;
  // At least one second, so a single quick board does not divide by zero.
  const hours = Math.max(elapsedMs, 1000) / 3_600_000;
  return {
    boards: latest.size,
    ...counts,
    attempts: records.length,
    elapsedMs,
    perHour: Number.isFinite(first) ? Math.round((counts.verified / hours) * 10) / 10 : 0,
  };
}
