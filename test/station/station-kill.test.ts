/**
 * Kill the process mid-batch: a child runs a station (real clock, two quick boards and two slow ones) and is
 * SIGKILLed once its first records are reported. The report must still be valid JSONL holding every record the
 * child had reported as written, with no torn line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReport } from '../../src-main/station';

const here = path.dirname(fileURLToPath(import.meta.url));
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('station: crash safety', () => {
  it('after SIGKILL mid-batch the report is valid JSONL with every record completed before the kill', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-station-kill-'));
    const report = path.join(dir, 'report.jsonl');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'helpers', 'station-runner.ts'), report],
      {
        cwd: path.resolve(here, '..', '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const reported: string[] = [];
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (c: Buffer) => {
        buffered += c.toString();
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.startsWith('RECORD ')) reported.push(line.split(' ')[1]!);
          if (line === 'DONE') reject(new Error('the batch finished before it could be killed'));
          if (reported.length >= 2) {
            child.kill('SIGKILL');
            resolve();
          }
        }
      });
      child.on('exit', () => reject(new Error(`runner exited early: ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');

    const text = readFileSync(report, 'utf8');
    const parsed = parseReport(text);
    expect(parsed.partialLine).toBeUndefined();
    expect(parsed.invalidLines).toEqual([]);
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    // Every record the child announced is in the file, complete; the slow boards were still flashing.
    const macs = parsed.records.map((r) => r.mac);
    for (const mac of reported) expect(macs).toContain(mac);
    expect(parsed.records.length).toBeGreaterThanOrEqual(2);
    expect(parsed.records.length).toBeLessThan(4);
    expect(parsed.records.every((r) => r.result === 'verified')).toBe(true);
  }, 60_000);
});
