import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256, smallImage, VirtualBench } from './virtual-bench';
import { classifyBootText } from '../../src-main/flash';
import {
  parseReport,
  readReport,
  recordsToCsv,
  ReportLog,
  Station,
  type DeviceRecord,
} from '../../src-main/station';
import { countBoards } from '../../src-main/vocabulary';

let bench: VirtualBench;
afterEach(() => bench?.cleanup());

function record(over: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    id: 'r1',
    time: '2026-01-01T10:00:00.000Z',
    station: 'bench "A", left',
    profile: 'p',
    port: '/dev/ttyUSB0',
    firmware: [{ sha256: 'a'.repeat(64), name: 'fw.bin', offset: 0 }],
    result: 'verified',
    durationMs: 60_000,
    bytesSent: 1000,
    attempt: 1,
    ...over,
  };
}

describe('report file', () => {
  it('appends durable lines; a torn trailing line is reported, and the next append starts a fresh line', async () => {
    bench = new VirtualBench();
    const file = bench.reportFile;
    const log = await ReportLog.open(file);
    await log.append(record({ id: 'one' }));
    await log.close();
    appendFileSync(file, '{"id":"torn","time":"2026-'); // a kill in the middle of a write
    expect(await readReport(file)).toMatchObject({
      records: [{ id: 'one' }],
      partialLine: '{"id":"torn","time":"2026-',
      invalidLines: [],
    });
    const again = await ReportLog.open(file);
    await again.append(record({ id: 'two' }));
    await again.close();
    const r = await readReport(file);
    expect(r.records.map((x) => x.id)).toEqual(['one', 'two']);
    expect(r.partialLine).toBeUndefined();
    expect(r.invalidLines).toEqual([2]);
  });

  it('exports CSV with quoting and formula-safe cells, and summarises the run', () => {
    const recs = [
      record(),
      record({
        id: 'r2',
        time: '2026-01-01T10:30:00.000Z',
        port: '/dev/ttyUSB1',
        result: 'failed',
        error: { code: 'SYNC_FAILED', message: 'no answer,\n"silence"' },
      }),
      record({
        id: 'r3',
        time: '2026-01-01T10:59:00.000Z',
        port: '=cmd|calc',
        result: 'skipped',
        durationMs: 0,
      }),
    ];
    const csv = recordsToCsv(recs);
    const lines = csv.split('\r\n');
    expect(lines[0]!.startsWith('time,station,profile,port,bridge')).toBe(true);
    expect(lines[1]).toContain('"bench ""A"", left"');
    expect(csv).toContain('"no answer,\n""silence"""');
    expect(csv).toContain(`'=cmd|calc`);
    // Three boards (three ports, no MAC read); 1 verified in the 59 minutes from 10:00 to the skipped board's
    // zero-length attempt at 10:59: 1 board/hour.
    expect(countBoards(recs)).toEqual({
      boards: 3,
      verified: 1,
      failed: 1,
      skipped: 1,
      attempts: 3,
      elapsedMs: 59 * 60_000,
      perHour: 1,
    });
  });
});

describe('backups and the boot check', () => {
  it('backs up the original firmware per MAC, never overwriting: a second backup gets a suffix', async () => {
    bench = new VirtualBench();
    const original = smallImage(99);
    const image = smallImage(4);
    const sha = bench.addFirmware(image);
    const port = 'sim:esp8266?seed=61';
    const board = bench.board(port, { seed: 61, flashImage: original });
    const profile = bench.profile({
      name: 'with backup',
      images: [{ sha256: sha, offset: 0, name: 'fw.bin' }],
      options: { backupFirst: true },
      policy: { reflashDuplicates: true },
    });
    for (let i = 0; i < 2; i++) {
      const st = await Station.open(bench.deps(), {
        profile,
        stationName: 's',
        reportFile: bench.reportFile,
        mode: { kind: 'ports', ports: [{ path: port }] },
      });
      st.start();
      await st.whenIdle();
      await st.stop();
    }
    const { records } = parseReport(readFileSync(bench.reportFile, 'utf8'));
    expect(records.map((r) => r.result)).toEqual(['verified', 'verified']);
    const mac = board.mac.replace(/:/g, '');
    const folder = path.join(bench.dir, 'backups', 'with_backup');
    expect(readdirSync(folder).sort()).toEqual([`${mac}-2.bin`, `${mac}.bin`]);
    const first = readFileSync(path.join(folder, `${mac}.bin`));
    const span = image.length + ((4 - (image.length % 4)) % 4);
    // The first backup holds what the board had before Kiln touched it; the second, Kiln's own image.
    expect(
      first.equals(Buffer.concat([original, Buffer.alloc(span - original.length, 0xff)]).subarray(0, span)),
    ).toBe(true);
    expect(records[0]!.backup).toEqual({
      file: path.join(folder, `${mac}.bin`),
      sha256: sha256(first),
      offset: 0,
      size: span,
    });
    expect(records[1]!.backup!.file).toBe(path.join(folder, `${mac}-2.bin`));
    // The second run found the first backup in place and left it byte for byte.
    expect(sha256(readFileSync(path.join(folder, `${mac}.bin`)))).toBe(records[0]!.backup!.sha256);
  });

  it('boot check: an ESP8266 that boots the new image is "booted"; a C3 with no bootable image boot-loops and fails', async () => {
    bench = new VirtualBench();
    const app = bench.addFirmware(smallImage(2));
    // An app without its bootloader: flash at 0x0 stays erased, so the C3 ROM finds no image header.
    const c3App = bench.addFirmware(smallImage(9, 8192, 'esp32c3'));
    bench.board('sim:esp8266?seed=71', { seed: 71 });
    bench.board('sim:esp32c3?seed=72', { chip: 'esp32c3', seed: 72 });
    const profile = bench.profile({
      name: 'boot',
      builds: [
        { chip: 'esp8266', parts: [{ sha256: app, offset: 0, name: 'app.bin' }] },
        { chip: 'esp32c3', parts: [{ sha256: c3App, offset: 0x10000, name: 'app-only.bin' }] },
      ],
      bootCheck: true,
    });
    const st = await Station.open(bench.deps(), {
      profile,
      stationName: 's',
      reportFile: bench.reportFile,
      mode: { kind: 'ports', ports: [{ path: 'sim:esp8266?seed=71' }, { path: 'sim:esp32c3?seed=72' }] },
    });
    st.start();
    await st.whenIdle();
    await st.stop();
    const { records } = parseReport(readFileSync(bench.reportFile, 'utf8'));
    const esp8266 = records.find((r) => r.chip === 'esp8266')!;
    expect(esp8266.result).toBe('verified');
    expect(esp8266.bootCheck).toMatchObject({ verdict: 'booted', baud: 74880, resets: 1 });
    expect(esp8266.bootCheck!.heard.some((l) => l.includes('boot mode:(3,6)'))).toBe(true);
    const c3 = records.find((r) => r.chip === 'esp32c3')!;
    expect(c3.result).toBe('failed');
    expect(c3.error?.code).toBe('BOOT_CHECK_FAILED');
    expect(c3.bootCheck?.verdict).toBe('boot-loop');
    expect(c3.bootCheck!.heard).toContain('invalid header: 0xffffffff');
    // The flash was still written and verified before the check.
    expect(c3.bytesSent).toBeGreaterThan(0);
  });

  it('classifies boot text: ESP8266 wdt loop, download mode, garbage, silence', () => {
    const t = (s: string) => Buffer.from(s, 'latin1');
    const banner = (c: number, m: string) => `\r\n ets Jan  8 2013,rst cause:${c}, boot mode:${m}\r\n\r\n`;
    expect(
      classifyBootText(
        t(banner(2, '(3,6)') + banner(4, '(3,6)') + 'wdt reset\r\n' + banner(4, '(3,6)')),
        'esp8266',
        74880,
        3500,
      ),
    ).toMatchObject({ verdict: 'boot-loop', resets: 3 });
    expect(classifyBootText(t(banner(2, '(1,7)')), 'esp8266', 74880, 3500).verdict).toBe('download-mode');
    expect(
      classifyBootText(
        Buffer.from([0xf0, 0x80, 0x8e, 0x00, 0xfe, 0x92, 0x81, 0xff, 0x0c, 0x9c]),
        'esp8266',
        74880,
        3500,
      ).verdict,
    ).toBe('garbage');
    expect(classifyBootText(Buffer.alloc(0), 'esp32', 115200, 3500).verdict).toBe('silent');
  });
});
