/**
 * One station per report file (issue 15, finding 11): a second station on the same report is refused with
 * JOB_CONFLICT before it reads or flashes anything; the lock goes with the station, and a lock left by a
 * station killed with -9 (its PID gone) is taken over.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReportLog } from '../../src-main/station/report-log';
import { kilnRejection } from '../helpers/errors';
import { tempDir } from '../service/fakes';

describe('report lock', () => {
  it('a second writer of the same report is refused while the first has it open', async () => {
    const file = path.join(tempDir('kiln-lock-'), 'r.jsonl');
    const first = await ReportLog.open(file);
    const e = await kilnRejection(ReportLog.open(file));
    expect(e.code).toBe('JOB_CONFLICT');
    expect(e.message).toContain(`PID ${process.pid}`);
    await first.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
    const again = await ReportLog.open(file);
    await again.close();
  });

  it('a lock left by a process that no longer exists is taken over', async () => {
    const file = path.join(tempDir('kiln-lock-'), 'r.jsonl');
    const gone = spawnSync('true').pid; // exited and reaped: its PID names no process now
    writeFileSync(`${file}.lock`, `${gone}\n`);
    const log = await ReportLog.open(file);
    await log.close();
  });
});
