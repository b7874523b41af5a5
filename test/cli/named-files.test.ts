/**
 * The CLI with hostile file names (issue 15, findings 4, 7 and 8): firmware, manifests and profiles are read only
 * when they are regular files of a size that fits the largest flash, checked before a byte is read (`/dev/zero`
 * used to grow the process to gigabytes, a FIFO hung it); manifest parts stay inside the manifest's folder even
 * through symlinks; output paths (`kiln read OUT`, `kiln batch --report`) are checked before the board is
 * touched; and each refusal has the exit code of the README's table.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { asNobody } from '../helpers/json-child';
import { readFirmware } from '../helpers/shared';
import { sha256, smallImage } from '../station/virtual-bench';
import { runInProcess, spawnKiln, tempDir, virtualCliService } from './helpers/cli-run';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function dir(): string {
  const d = tempDir('kiln-named-');
  dirs.push(d);
  return d;
}

const flash = (...args: string[]) =>
  runInProcess(['flash', '--port', 'sim:esp8266', '--json', ...args], { createService: virtualCliService });

describe('firmware and manifest inputs', () => {
  it('/dev/zero as firmware: refused as not a regular file, exit 2, nothing read', async () => {
    const r = await flash('/dev/zero@0x0');
    expect(r.code).toBe(2);
    expect(r.final.error?.code).toBe('BAD_REQUEST');
    expect(r.final.error?.message).toContain('is not a regular file');
  });

  it('a FIFO nobody writes to: refused at once instead of hanging', async () => {
    const d = dir();
    const fifo = path.join(d, 'fw.bin');
    execFileSync('mkfifo', [fifo]);
    const r = await flash(`${fifo}@0x0`);
    expect(r.code).toBe(2);
    expect(r.final.error?.message).toContain('is not a regular file');
  });

  it('a 100 MB image is IMAGE_TOO_LARGE (exit 10), from its size alone', async () => {
    const d = dir();
    const big = path.join(d, 'big.bin');
    writeFileSync(big, '');
    truncateSync(big, 100 * 1024 * 1024); // sparse: no disk used, but 100 MB if read
    const r = await flash(`${big}@0x0`);
    expect(r.code).toBe(10);
    expect(r.final.error?.code).toBe('IMAGE_TOO_LARGE');
  });

  it('a manifest part that is a symlink out of the manifest folder is MANIFEST_INVALID (exit 10)', async () => {
    const d = dir();
    const outside = path.join(d, 'secret.bin');
    writeFileSync(outside, readFirmware('esp8266_deepsleep.bin'));
    mkdirSync(path.join(d, 'm'));
    symlinkSync(outside, path.join(d, 'm', 'app.bin'));
    const manifest = path.join(d, 'm', 'manifest.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        name: 'x',
        builds: [{ chipFamily: 'ESP8266', parts: [{ path: 'app.bin', offset: 0 }] }],
      }),
    );
    const r = await flash(manifest);
    expect(r.code).toBe(10);
    expect(r.final.error?.code).toBe('MANIFEST_INVALID');
    expect(r.final.error?.message).toContain('outside the manifest folder');
  });

  it('a symlink that stays inside the manifest folder is fine', async () => {
    const d = dir();
    mkdirSync(path.join(d, 'm', 'builds'), { recursive: true });
    writeFileSync(path.join(d, 'm', 'builds', 'real.bin'), readFirmware('esp8266_deepsleep.bin'));
    symlinkSync('builds/real.bin', path.join(d, 'm', 'app.bin'));
    const manifest = path.join(d, 'm', 'manifest.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        name: 'x',
        builds: [{ chipFamily: 'ESP8266', parts: [{ path: 'app.bin', offset: 0 }] }],
      }),
    );
    const r = await flash(manifest);
    expect(r.code, r.stdout).toBe(0);
  });

  it('a manifest offset beyond any flash is MANIFEST_INVALID (exit 10), not BAD_REQUEST', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'app.bin'), readFirmware('esp8266_deepsleep.bin'));
    const manifest = path.join(d, 'manifest.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        name: 'x',
        builds: [{ chipFamily: 'ESP8266', parts: [{ path: 'app.bin', offset: 2 ** 40 }] }],
      }),
    );
    const r = await flash(manifest);
    expect(r.code).toBe(10);
    expect(r.final.error?.code).toBe('MANIFEST_INVALID');
  });
});

describe('output paths, checked before the work', () => {
  it('`kiln read` into a folder: exit 2 before a byte is read from the board', async () => {
    const d = dir();
    const r = await runInProcess(['read', '--port', 'sim:esp8266', '--json', d], {
      createService: virtualCliService,
    });
    expect(r.code).toBe(2);
    expect(r.final.error?.code).toBe('BAD_REQUEST');
    expect(r.final.error?.message).toContain('is a folder');
    expect(r.lines.filter((l) => l.event === 'progress')).toEqual([]);
  });

  function batchSetup() {
    const d = dir();
    const fw = smallImage(12);
    writeFileSync(path.join(d, 'fw.bin'), fw);
    const profile = path.join(d, 'bench.json');
    writeFileSync(
      profile,
      JSON.stringify({
        name: 'b',
        baud: 921600,
        images: [{ sha256: sha256(fw), offset: 0, name: 'fw.bin' }],
      }),
    );
    return { d, profile };
  }
  const batch = (profile: string, report: string) =>
    runInProcess(['batch', '--profile', profile, '--ports', 'sim:esp8266', '--report', report, '--json'], {
      createService: virtualCliService,
    });

  it('--report under /proc: refused at once (it used to spin for ever in a recursive mkdir)', async () => {
    const { profile } = batchSetup();
    const r = await batch(profile, '/proc/x/r.jsonl');
    expect(r.code).toBe(2);
    expect(r.final.error?.code).toBe('BAD_REQUEST');
  });

  it('--report that is a folder or a device (/dev/full): exit 2, nothing flashed, nothing read from it', async () => {
    const { d, profile } = batchSetup();
    for (const report of [d, '/dev/full']) {
      const r = await batch(profile, report);
      expect(r.code, report).toBe(2);
      expect(r.final.error?.code).toBe('BAD_REQUEST');
      expect(r.lines.filter((l) => l.event === 'record')).toEqual([]);
    }
  });

  it('a read-only --report (as an unprivileged user): exit 2, BAD_REQUEST, not a port error', async () => {
    const { d, profile } = batchSetup();
    chmodSync(d, 0o755);
    chmodSync(profile, 0o644);
    chmodSync(path.join(d, 'fw.bin'), 0o644);
    const report = path.join(d, 'ro.jsonl');
    writeFileSync(report, '');
    chmodSync(report, 0o444);
    const data = tempDir('kiln-named-data-');
    dirs.push(data);
    chmodSync(data, 0o777);
    const k = spawnKiln(
      ['batch', '--profile', profile, '--ports', 'sim:esp8266', '--report', report, '--json'],
      {
        prefix: asNobody(),
        dataDir: data,
        cwd: d,
      },
    );
    const r = await k.done;
    expect(r.code, r.stderr).toBe(2);
    expect(r.final.error?.code).toBe('BAD_REQUEST');
    expect(r.final.error?.message).toContain('not writable');
    expect(readFileSync(report, 'utf8')).toBe('');
  });
});
