/**
 * `kiln batch` in-process: argv → exit code, JSON lines and the report file. The service behind it is the real one
 * (engine + simulator) on a VirtualClock, so boards at 921600 flash in little wall time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReport, type StationSnapshot } from '../../src-main/station';
import { runInProcess, virtualCliService } from '../cli/helpers/cli-run';
import { sha256, smallImage } from './virtual-bench';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function setup() {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-batch-cli-'));
  const fw = smallImage(12);
  writeFileSync(path.join(dir, 'fw.bin'), fw);
  const profile = path.join(dir, 'bench.json');
  writeFileSync(
    profile,
    JSON.stringify({
      name: 'cli bench',
      baud: 921600,
      images: [{ sha256: sha256(fw), offset: 0, name: 'fw.bin' }],
    }),
  );
  return { dir, profile, report: path.join(dir, 'out.jsonl'), data: path.join(dir, 'data') };
}

describe('kiln batch', () => {
  it('flashes the listed ports, takes the firmware from next to the profile, and exits 0 with a summary', async () => {
    const s = setup();
    const r = await runInProcess(
      [
        'batch',
        '--profile',
        s.profile,
        '--ports',
        'sim:esp8266?seed=1,sim:esp8266?seed=2',
        '--report',
        s.report,
        '--station',
        'line-3',
        '--json',
      ],
      {
        dataDir: s.data,
        createService: virtualCliService,
      },
    );
    expect(r.code).toBe(0);
    expect(r.lines.filter((l) => l.event === 'record')).toHaveLength(2);
    expect(r.final).toMatchObject({
      ok: true,
      command: 'batch',
      reportFile: s.report,
      summary: { verified: 2, failed: 0 },
    });
    const { records } = parseReport(readFileSync(s.report, 'utf8'));
    expect(records.map((x) => [x.result, x.station])).toEqual([
      ['verified', 'line-3'],
      ['verified', 'line-3'],
    ]);
  });

  it('--concurrency 2 flashes four boards two at a time; a limit outside 1-16 is a usage error', async () => {
    const s = setup();
    // Working slots at each station update, counted on the service the command runs.
    const working = new Map<string, boolean>();
    let mostAtOnce = 0;
    const watched = async (o: Parameters<typeof virtualCliService>[0]) => {
      const service = await virtualCliService(o);
      service.subscribe((event, payload) => {
        if (event !== 'stationUpdate') return;
        for (const slot of (payload as StationSnapshot).slots)
          working.set(
            slot.port,
            !['waiting', 'verified', 'failed', 'skipped', 'cancelled'].includes(slot.state),
          );
        mostAtOnce = Math.max(mostAtOnce, [...working.values()].filter(Boolean).length);
      });
      return service;
    };
    const ports = [41, 42, 43, 44].map((seed) => `sim:esp8266?seed=${seed}`);
    const r = await runInProcess(
      [
        'batch',
        '--profile',
        s.profile,
        '--ports',
        ports.join(','),
        '--report',
        s.report,
        '--concurrency',
        '2',
        '--json',
      ],
      { dataDir: s.data, createService: watched },
    );
    expect(r.code).toBe(0);
    expect(r.final).toMatchObject({ ok: true, summary: { verified: 4, failed: 0 } });
    expect(mostAtOnce).toBe(2);
    for (const bad of ['0', '17', 'two', '1.5']) {
      const refused = await runInProcess(
        ['batch', '--profile', s.profile, '--ports', ports[0]!, '--concurrency', bad, '--json'],
        {
          dataDir: s.data,
          createService: virtualCliService,
        },
      );
      expect(refused.code).toBe(2);
      expect(refused.final).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST', message: expect.stringContaining('--concurrency') },
      });
    }
  });

  it('a board with a wiring fault makes the run exit with the sync code and the diagnosis in the report', async () => {
    const s = setup();
    const r = await runInProcess(
      [
        'batch',
        '--profile',
        s.profile,
        '--ports',
        'sim:esp8266?seed=3,sim:esp8266?seed=4&fault=swap-txrx',
        '--report',
        s.report,
        '--json',
      ],
      {
        dataDir: s.data,
        createService: virtualCliService,
      },
    );
    expect(r.code).toBe(7);
    expect(r.final).toMatchObject({ ok: false, error: { code: 'SYNC_FAILED' } });
    const { records } = parseReport(readFileSync(s.report, 'utf8'));
    const failed = records.find((x) => x.result === 'failed')!;
    expect(failed.port).toBe('sim:esp8266?seed=4&fault=swap-txrx');
    expect(failed.diagnosis?.code).toBe('NO_RESPONSE_WIRING');
    expect(records.filter((x) => x.result === 'verified')).toHaveLength(1);
  });

  it('counts boards, not attempts: a board that fails, then verifies on a re-run with the same report, is one verified board', async () => {
    const s = setup();
    const run = (port: string) =>
      runInProcess(['batch', '--profile', s.profile, '--ports', port, '--report', s.report, '--json'], {
        dataDir: s.data,
        createService: virtualCliService,
      });
    // The flash refuses the write after the MAC was read; the same board (seed 7: same MAC) then on a good jig.
    const first = await run('sim:esp8266?seed=7&fault=flash-write-error');
    expect(first.code).not.toBe(0);
    expect(first.final).toMatchObject({
      ok: false,
      error: { details: { verified: 0, failed: 1, skipped: 0 } },
    });
    const second = await run('sim:esp8266?seed=7');
    expect(second.code).toBe(0);
    expect(second.final).toMatchObject({
      ok: true,
      summary: { boards: 1, verified: 1, failed: 0, skipped: 0, attempts: 2 },
    });
    // The report keeps both attempts, of one MAC.
    const { records } = parseReport(readFileSync(s.report, 'utf8'));
    expect(records.map((x) => x.result)).toEqual(['failed', 'verified']);
    expect(records[0]!.mac).toBeDefined();
    expect(records[1]!.mac).toBe(records[0]!.mac);
    // Printed: one board, the attempts named because a retry added one.
    const printed = await runInProcess(
      ['batch', '--profile', s.profile, '--ports', 'sim:esp8266?seed=7', '--report', s.report],
      { dataDir: s.data, createService: virtualCliService },
    );
    expect(printed.stdout).toContain('1 board (3 attempts): 1 verified, 0 failed, 0 skipped');
  });

  it('names the firmware file to add when the profile needs one Kiln cannot find; refuses --ports with --auto', async () => {
    const s = setup();
    rmSync(path.join(s.dir, 'fw.bin'));
    const r = await runInProcess(['batch', '--profile', s.profile, '--ports', 'sim:esp8266', '--json'], {
      dataDir: s.data,
      createService: virtualCliService,
    });
    expect(r.final).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(r.final.error!.message).toContain('fw.bin');
    const both = await runInProcess(['batch', '--profile', s.profile, '--ports', 'sim:esp8266', '--auto'], {
      dataDir: s.data,
      createService: virtualCliService,
    });
    expect(both.code).toBe(2);
  });
});
