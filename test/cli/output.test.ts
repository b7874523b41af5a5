/**
 * The CLI's voice: `--json` events and the final object, the exit code for each error code, the diagnosis
 * printed after a failed connection, and Ctrl-C → CANCELLED. A scripted service stands in for the device
 * (the integration tests run the real one).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../src-main/core/errors';
import { EXIT, EXIT_FOR_ERROR, exitCodeFor, exitCodeMarkdown } from '../../src-main/hosts/cli/exit-codes';
import type { Diagnosis, JobResult } from '../../src-main/service/contract';
import { firmwarePath } from '../helpers/shared';
import { repoRoot, runInProcess } from './helpers/cli-run';
import { fakeService, JOB_ID } from './helpers/fake-service';

const image = firmwarePath('nonos_boot_v1.7.bin');
const device = {
  chip: 'esp8266',
  description: 'ESP8266EX',
  revision: 'n/a',
  features: ['Wi-Fi'],
  mac: '18:fe:34:00:00:01',
  crystalMHz: 26,
  flashId: 0x1640ef,
  flashSize: 4194304,
  stub: true,
  baud: 460800,
} as const;
const flashResult: JobResult = {
  kind: 'flash',
  device: { ...device, features: [...device.features] },
  regions: [
    {
      offset: 0,
      size: 4080,
      md5: '0'.repeat(32),
      bytesSent: 2100,
      blocksSkipped: 0,
      blocksTotal: 1,
      verified: true,
      name: 'nonos_boot_v1.7.bin',
    },
  ],
  bytesSent: 2100,
  durationMs: 1234,
  baud: 460800,
};
const events = [
  { event: 'jobPhase' as const, payload: { phase: 'connecting' } },
  { event: 'jobLog' as const, payload: { level: 'info', message: 'synced', time: 1 } },
  {
    event: 'jobProgress' as const,
    payload: { phase: 'writing', bytesDone: 2040, bytesTotal: 4080, bytesPerSecond: 40000 },
  },
  {
    event: 'jobProgress' as const,
    payload: { phase: 'writing', bytesDone: 4080, bytesTotal: 4080, bytesPerSecond: 40000 },
  },
  { event: 'jobPhase' as const, payload: { phase: 'done' } },
];
const diagnosis: Diagnosis = {
  code: 'NO_REPLY_WIRING',
  title: 'Nothing came back from the board',
  explanation: 'Not a single byte arrived.',
  evidence: ['no bytes received in 7 attempts on sim:esp8266'],
  steps: ['Swap TX and RX.', 'Connect GND to GND.'],
  confidence: 'medium',
};

describe('--json', () => {
  it('one event per line (job, phase, log, progress), then one final object with the result', async () => {
    const r = await runInProcess(['flash', '--port', 'sim:esp8266', '--json', image], {
      createService: fakeService({ events, result: flashResult }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').length).toBe(r.lines.length); // nothing but JSON on stdout
    expect(r.lines.map((l) => l.event ?? 'final')).toEqual([
      'firmware',
      'job',
      'phase',
      'log',
      'progress',
      'progress',
      'phase',
      'final',
    ]);
    expect(r.lines[1]).toEqual({ event: 'job', jobId: JOB_ID, kind: 'flash', port: 'sim:esp8266' });
    expect(r.lines[4]).toEqual({
      event: 'progress',
      phase: 'writing',
      bytesDone: 2040,
      bytesTotal: 4080,
      bytesPerSecond: 40000,
    });
    expect(r.final).toEqual({ ok: true, command: 'flash', ...flashResult });
  });

  it('a failure is {"ok":false,"error":{code,message,hint,details},"diagnosis","exitCode"}', async () => {
    const error = {
      code: 'SYNC_FAILED' as const,
      message: 'No bootloader handshake.',
      hint: 'Check the wiring.',
      details: { attempts: 7 },
    };
    const r = await runInProcess(['flash', '--port', 'sim:esp8266', '--json', image], {
      createService: fakeService({ events: events.slice(0, 2), error, diagnosis }),
    });
    expect(r.code).toBe(EXIT.SYNC);
    expect(r.final).toEqual({ ok: false, command: 'flash', error, diagnosis, exitCode: EXIT.SYNC });
  });
});

describe('people', () => {
  it('a failed connection prints the error, the hint and the diagnosis with numbered steps', async () => {
    const error = {
      code: 'SYNC_FAILED' as const,
      message: 'No bootloader handshake.',
      hint: 'Check the wiring.',
    };
    const r = await runInProcess(['flash', '--port', 'sim:esp8266', image], {
      createService: fakeService({ error, diagnosis }),
    });
    expect(r.code).toBe(EXIT.SYNC);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error SYNC_FAILED: No bootloader handshake.\nhint: Check the wiring.');
    expect(r.stderr).toContain('Diagnosis: Nothing came back from the board (medium confidence)');
    expect(r.stderr).toContain('    - no bytes received in 7 attempts on sim:esp8266');
    expect(r.stderr).toContain('    1. Swap TX and RX.\n    2. Connect GND to GND.');
  });

  it('a verified flash: the result on stdout, progress as plain lines on stderr when not a terminal', async () => {
    const r = await runInProcess(['flash', '--port', 'sim:esp8266', image], {
      createService: fakeService({ events, result: flashResult }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Flashed and verified ESP8266EX \(MAC 18:fe:34:00:00:01\) at 460800 baud in 1\.2 s:\n {2}0x000000 {2}nonos_boot_v1\.7\.bin {2}4\.0 KB {2}md5 0{32} {2}sent 2\.1 KB {2}verified\n$/,
    );
    expect(r.stderr).toContain('writing: 2.0 KB / 4.0 KB (50%) at 39.1 KB/s');
    expect(r.stderr).toContain('writing: 4.0 KB / 4.0 KB (100%)');
  });
});

describe('exit codes', () => {
  it('every error code has an exit code; port busy, permission, not found, sync and verify are all distinct', () => {
    expect(Object.keys(EXIT_FOR_ERROR).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    const codes = [
      'PORT_BUSY',
      'PORT_PERMISSION_DENIED',
      'PORT_NOT_FOUND',
      'SYNC_FAILED',
      'VERIFY_FAILED',
      'CANCELLED',
      'BAD_REQUEST',
      'INTERNAL',
      'DEVICE_LOST',
    ] as const;
    const exits = codes.map(exitCodeFor);
    expect(new Set(exits).size).toBe(codes.length);
    expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length);
    expect(exitCodeFor('SOMETHING_NEW')).toBe(EXIT.OTHER);
  });

  it.each(Object.keys(ERROR_CODES) as ErrorCode[])(
    'a job failing with %s exits with its mapped code',
    async (code) => {
      const r = await runInProcess(['erase', '--port', 'sim:esp8266', '--json'], {
        createService: fakeService({ error: { code, message: `failed: ${code}` } }),
      });
      expect(r.code).toBe(EXIT[EXIT_FOR_ERROR[code]]);
      expect(r.final).toMatchObject({ ok: false, command: 'erase', error: { code }, exitCode: r.code });
    },
  );

  it('Ctrl-C cancels the running job: CANCELLED, exit 130', async () => {
    const calls: { method: string; input: unknown }[] = [];
    const r = await runInProcess(['flash', '--port', 'sim:esp8266', '--json', image], {
      createService: fakeService({ events: events.slice(0, 3), hang: true }, calls),
      // Pressed once the job is running (a fixed delay raced the CLI's start on a busy machine).
      onStart: (press) => {
        const pressWhenStarted = () =>
          calls.some((c) => c.method === 'startFlash') ? press('SIGINT') : setTimeout(pressWhenStarted, 5);
        pressWhenStarted();
      },
    });
    expect(calls.map((c) => c.method)).toContain('cancelJob');
    expect(r.code).toBe(EXIT.CANCELLED);
    expect(r.final).toMatchObject({ ok: false, error: { code: 'CANCELLED' }, exitCode: 130 });
  });

  it('Ctrl-C outside a job (while identifying) still ends with a CANCELLED result and exit 130', async () => {
    const r = await runInProcess(['info', '--port', 'sim:esp8266', '--json'], {
      createService: fakeService({ hang: true }),
      onStart: (press) => setTimeout(() => press('SIGINT'), 50),
    });
    expect(r.code).toBe(EXIT.CANCELLED);
    expect(r.final).toMatchObject({
      ok: false,
      command: 'info',
      error: { code: 'CANCELLED' },
      exitCode: 130,
    });
  });

  it('the README carries the same exit-code table as `kiln --help`', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toContain(exitCodeMarkdown());
  });
});
