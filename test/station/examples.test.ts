/**
 * The profiles shipped in examples/: each passes the real profile schema as written, and one runs through
 * `kiln batch` with real firmware placed beside a copy of it (the repo ships no firmware). The first run pins the
 * file's SHA-256 in `<profile>.lock`; a changed file is then refused with FIRMWARE_CHANGED before any board is
 * touched.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildImage } from '../../src-main/esp/image';
import { parseReport } from '../../src-main/station';
import { profileDocumentSchema } from '../../src-main/station/schemas';
import { repoRoot, runInProcess, virtualCliService } from '../cli/helpers/cli-run';
import { pattern } from '../service/fakes';
import { sha256 } from './virtual-bench';

const examplesDir = path.join(repoRoot, 'examples');
const fixtures = path.join(repoRoot, '..', 'shared', 'fixtures', 'firmware');
const exampleFiles = readdirSync(examplesDir).filter((n) => n.endsWith('.json'));

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('examples/', () => {
  it('ships the three profile kinds, each valid as written and naming its firmware by relative path', () => {
    expect(exampleFiles.sort()).toEqual([
      'esp32-three-part.json',
      'per-chip-line.json',
      'sonoff-tasmota.json',
    ]);
    for (const name of exampleFiles) {
      const r = profileDocumentSchema.safeParse(
        JSON.parse(readFileSync(path.join(examplesDir, name), 'utf8')),
      );
      expect(r.error?.issues, name).toBeUndefined();
      const images = r.data!.images ?? r.data!.builds!.flatMap((b) => b.parts);
      for (const img of images) {
        expect(img.file, name).toBeDefined();
        expect(path.isAbsolute(img.file!), name).toBe(false);
      }
    }
    const esp32 = profileDocumentSchema.parse(
      JSON.parse(readFileSync(path.join(examplesDir, 'esp32-three-part.json'), 'utf8')),
    );
    expect(esp32.images!.map((i) => i.offset)).toEqual([0x1000, 0x8000, 0x10000]);
    const perChip = profileDocumentSchema.parse(
      JSON.parse(readFileSync(path.join(examplesDir, 'per-chip-line.json'), 'utf8')),
    );
    expect(perChip.builds!.map((b) => b.chip)).toEqual(['esp8266', 'esp32']);
  });

  it('refuses an absolute path, and an image that names neither a file nor a sha256 and name', () => {
    const bad = [
      { name: 'x', images: [{ file: '/etc/passwd', offset: 0 }] },
      { name: 'x', images: [{ offset: 0 }] },
      { name: 'x', images: [{ sha256: 'a'.repeat(64), offset: 0 }] },
    ];
    for (const b of bad) expect(profileDocumentSchema.safeParse(b).success, JSON.stringify(b)).toBe(false);
  });

  it('kiln batch runs the Sonoff example as shipped, pins tasmota.bin, then refuses it once it changed', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-examples-'));
    const profile = path.join(dir, 'sonoff-tasmota.json');
    copyFileSync(path.join(examplesDir, 'sonoff-tasmota.json'), profile);
    const image = path.join(dir, 'tasmota.bin');
    copyFileSync(path.join(fixtures, 'esp8266_deepsleep.bin'), image);
    const data = path.join(dir, 'data');
    const report = path.join(dir, 'out.jsonl');
    const batch = (ports: string) =>
      runInProcess(['batch', '--profile', profile, '--ports', ports, '--report', report, '--json'], {
        dataDir: data,
        createService: virtualCliService,
      });

    const r = await batch('sim:esp8266?seed=61&flash=1MB,sim:esp8266?seed=62&flash=1MB');
    expect(r.final).toMatchObject({ ok: true, summary: { verified: 2, failed: 0 } });
    expect(r.code).toBe(0);
    const pinned = sha256(readFileSync(image));
    const { records } = parseReport(readFileSync(report, 'utf8'));
    expect(records.map((x) => x.result)).toEqual(['verified', 'verified']);
    expect(records[0]!.firmware).toEqual([{ sha256: pinned, name: 'tasmota.bin', offset: 0 }]);
    expect(JSON.parse(readFileSync(`${profile}.lock`, 'utf8'))).toEqual({
      version: 1,
      pins: { 'tasmota.bin': pinned },
    });
    // The technician's file is never rewritten.
    expect(readFileSync(profile)).toEqual(readFileSync(path.join(examplesDir, 'sonoff-tasmota.json')));

    // One byte of the image changes (a rebuilt or swapped file): the next run is refused before flashing.
    const changed = readFileSync(image);
    changed[changed.length - 1] = changed.at(-1)! ^ 0xff;
    writeFileSync(image, changed);
    const refused = await batch('sim:esp8266?seed=63&flash=1MB');
    expect(refused.code).toBe(10);
    expect(refused.final).toMatchObject({
      ok: false,
      error: {
        code: 'FIRMWARE_CHANGED',
        message: `tasmota.bin has changed since it was pinned: pinned ${pinned.slice(0, 12)}…, now ${sha256(changed).slice(0, 12)}….`,
      },
    });
    expect(parseReport(readFileSync(report, 'utf8')).records).toHaveLength(2);

    // Deleting the lock is how the new file is accepted: it is pinned afresh and flashed.
    rmSync(`${profile}.lock`);
    const again = await batch('sim:esp8266?seed=63&flash=1MB');
    // The report resumes: its summary counts the two earlier boards too.
    expect(again.final).toMatchObject({ ok: true, summary: { verified: 3, failed: 0 } });
    expect(JSON.parse(readFileSync(`${profile}.lock`, 'utf8')).pins['tasmota.bin']).toBe(sha256(changed));
  });

  it('a sha256 written next to the file in the profile is the pin; a missing file is named with its path', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-examples-'));
    mkdirSync(path.join(dir, 'fw'));
    const bytes = readFileSync(path.join(fixtures, 'esp8266_deepsleep.bin'));
    const profile = path.join(dir, 'line.json');
    const write = (image: object) =>
      writeFileSync(profile, JSON.stringify({ name: 'pinned line', baud: 921600, images: [image] }));
    const batch = () =>
      runInProcess(['batch', '--profile', profile, '--ports', 'sim:esp8266?seed=64', '--json'], {
        dataDir: path.join(dir!, 'data'),
        createService: virtualCliService,
      });

    write({ file: 'fw/app.bin', offset: 0, sha256: sha256(bytes) });
    const missing = await batch();
    expect(missing.final).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'The profile names fw/app.bin, which could not be read.' },
    });

    writeFileSync(path.join(dir, 'fw', 'app.bin'), bytes.subarray(0, bytes.length - 16));
    const refused = await batch();
    expect(refused.final).toMatchObject({ ok: false, error: { code: 'FIRMWARE_CHANGED' } });
    expect((refused.final as { error: { hint: string } }).error.hint).toContain("change the image's sha256");

    writeFileSync(path.join(dir, 'fw', 'app.bin'), bytes);
    const ok = await batch();
    expect(ok.final).toMatchObject({ ok: true, summary: { verified: 1 } });
  });

  it('kiln batch runs the ESP32 three-part and the per-chip examples as shipped; every ESP32 boots', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-examples-'));
    // The files the examples name, placed beside copies of them: the real ESP-IDF bootloader and partition
    // table, an app from our own image writer, and the real ESP8266 image as tasmota.bin.
    mkdirSync(path.join(dir, 'esp32'));
    copyFileSync(path.join(fixtures, 'bootloader_esp32.bin'), path.join(dir, 'esp32', 'bootloader.bin'));
    copyFileSync(path.join(fixtures, 'partitions_singleapp.bin'), path.join(dir, 'esp32', 'partitions.bin'));
    const app = buildImage({
      chip: 'esp32',
      entry: 0x400d0018,
      segments: [{ address: 0x3f400020, data: pattern(9000, 11) }],
      mode: 'dio',
      freq: '40m',
      size: '4MB',
    });
    writeFileSync(path.join(dir, 'esp32', 'app.bin'), app);
    copyFileSync(path.join(fixtures, 'esp8266_deepsleep.bin'), path.join(dir, 'tasmota.bin'));
    const batch = (example: string, ports: string) => {
      const profile = path.join(dir!, example);
      copyFileSync(path.join(examplesDir, example), profile);
      return runInProcess(
        ['batch', '--profile', profile, '--ports', ports, '--report', `${profile}.jsonl`, '--json'],
        { dataDir: path.join(dir!, 'data'), createService: virtualCliService },
      );
    };
    const recordsOf = (example: string) =>
      parseReport(readFileSync(path.join(dir!, `${example}.jsonl`), 'utf8')).records;

    const three = await batch('esp32-three-part.json', 'sim:esp32?seed=71,sim:esp32?seed=72');
    expect(three.final).toMatchObject({ ok: true, summary: { verified: 2, failed: 0 } });
    const threeRecords = recordsOf('esp32-three-part.json');
    expect(threeRecords.map((r) => r.firmware.map((f) => f.offset))).toEqual([
      [0x1000, 0x8000, 0x10000],
      [0x1000, 0x8000, 0x10000],
    ]);
    // The example asks for the boot check: the ROM starts the bootloader at 0x1000, which starts the app.
    expect(threeRecords.map((r) => r.bootCheck?.verdict)).toEqual(['booted', 'booted']);

    // The per-chip line: each board gets its chip's build.
    const mixed = await batch('per-chip-line.json', 'sim:esp8266?seed=73&flash=1MB,sim:esp32?seed=74');
    expect(mixed.final).toMatchObject({ ok: true, summary: { verified: 2, failed: 0 } });
    const byChip = Object.fromEntries(
      recordsOf('per-chip-line.json').map((r) => [r.chip, r.firmware.map((f) => f.name)]),
    );
    expect(byChip).toEqual({
      esp8266: ['tasmota.bin'],
      esp32: ['bootloader.bin', 'partitions.bin', 'app.bin'],
    });
  });
});
