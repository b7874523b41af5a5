/**
 * Whole-flash backup and restore through the real service, engine and simulator: board A (256 KB) gets its own
 * content, is backed up whole (MD5-checked, named by MAC and date, owner-only), the backup is restored onto board
 * B (another MAC, other content), and B then reads back byte-equal to A. Refusals: a file that cannot be a whole
 * flash (before the job starts), a backup of a 512 KB flash onto the 256 KB board, a blank 256 KB file — each with
 * its code, and B left as it was.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildImage } from '../../src-main/esp/image';
import type { EventPayload, JobResult } from '../../src-main/service/contract';
import type { KilnService } from '../../src-main/service/service';
import { readFirmware } from '../helpers/shared';
import { pattern } from './fakes';
import { flashThrough, simService } from './helpers/sim-service';

const A = 'sim:esp8266?flash=256K&mac=18:fe:34:00:00:0a';
const B = 'sim:esp8266?flash=256K&mac=18:fe:34:00:00:0b';
const BIG = 'sim:esp8266?flash=512K&mac=18:fe:34:00:00:0c';
const KB256 = 256 * 1024;

function appImage(seed: number): Buffer {
  return buildImage({
    chip: 'esp8266',
    entry: 0x40100004,
    segments: [{ address: 0x40100000, data: pattern(5000, seed) }],
    mode: 'dout',
    freq: '40m',
    size: '256KB',
  });
}

let open: KilnService | undefined;
afterEach(async () => {
  await open?.shutdown();
  open = undefined;
});

async function done(
  service: KilnService,
  started: Promise<{ jobId: string }>,
): Promise<EventPayload<'jobDone'>> {
  return (await service.waitForJob((await started).jobId)) as EventPayload<'jobDone'>;
}

/** A firmware at 0x0 and a data blob further in: a flash whose every part is told apart from another board's. */
async function giveContent(service: KilnService, port: string, seed: number): Promise<void> {
  const r = await flashThrough(service, port, [
    { bytes: appImage(seed), name: `app-${seed}.bin`, offset: 0 },
    { bytes: pattern(0x10000, seed + 100), name: `data-${seed}.bin`, offset: 0x30000 },
  ]);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
}

async function backup(service: KilnService, port: string): Promise<Extract<JobResult, { kind: 'backup' }>> {
  const r = await done(service, service.call('startBackup', { port }));
  if (!r.ok || r.result?.kind !== 'backup') throw new Error(JSON.stringify(r.error));
  return r.result;
}

async function restore(service: KilnService, port: string, name: string, bytes: Uint8Array) {
  const { sha256 } = await service.call('inspectFirmware', { name, bytes });
  return done(service, service.call('startRestore', { port, backup: { sha256, name }, bootCheck: false }));
}

describe('whole-flash backup and restore (service + simulator)', () => {
  it('backs up a 256 KB board whole and restores it onto another: byte-equal', async () => {
    const { service } = simService();
    open = service;
    await giveContent(service, A, 1);
    await giveContent(service, B, 2);
    const a = service.virtualDevice(A).readFlash(0, KB256);
    expect(Buffer.from(service.virtualDevice(B).readFlash(0, KB256)).equals(Buffer.from(a))).toBe(false);

    const saved = await backup(service, A);
    expect(saved.device).toMatchObject({ chip: 'esp8266', mac: '18:fe:34:00:00:0a', flashSize: KB256 });
    expect(saved.backup).toMatchObject({ offset: 0, size: KB256 });
    expect(path.basename(saved.backup.file)).toMatch(/^18fe3400000a-\d{8}-\d{6}-full\.bin$/);
    expect(saved.backup.md5).toBe(createHash('md5').update(a).digest('hex'));
    const file = readFileSync(saved.backup.file);
    expect(file.equals(Buffer.from(a))).toBe(true);
    expect(statSync(saved.backup.file).mode & 0o777).toBe(0o600);
    // The cache holds it too (the GUI's "save a copy", the CLI's --out).
    const cached = await service.call('getFirmware', { sha256: saved.backup.sha256 });
    expect(Buffer.from(cached.bytes).equals(file)).toBe(true);

    const r = await restore(service, B, path.basename(saved.backup.file), file);
    if (!r.ok || r.result?.kind !== 'flash') throw new Error(JSON.stringify(r.error));
    expect(r.kind).toBe('restore');
    expect(r.result.regions).toHaveLength(1);
    expect(r.result.regions[0]).toMatchObject({
      offset: 0,
      size: KB256,
      verified: true,
      sha256: saved.backup.sha256,
    });
    expect(r.result.regions[0]!.md5).toBe(saved.backup.md5);
    expect(r.result.device.mac).toBe('18:fe:34:00:00:0b');

    // B read back through the service (another whole-flash backup) equals A.
    const back = await backup(service, B);
    expect(readFileSync(back.backup.file).equals(file)).toBe(true);
    expect(back.backup.md5).toBe(saved.backup.md5);
    expect(Buffer.from(service.virtualDevice(B).readFlash(0, KB256)).equals(file)).toBe(true);
  }, 60_000);

  it('an ESP32 (boots from 0x1000): three real parts backed up, restored onto another ESP32, which then boots', async () => {
    const { service } = simService();
    open = service;
    const C = 'sim:esp32?flash=1MB&mac=24:6f:28:00:00:0c';
    const D = 'sim:esp32?flash=1MB&mac=24:6f:28:00:00:0d';
    const app = buildImage({
      chip: 'esp32',
      entry: 0x400d0018,
      segments: [{ address: 0x3f400020, data: pattern(6000, 9) }],
      mode: 'dio',
      freq: '40m',
      size: '1MB',
    });
    const r = await flashThrough(service, C, [
      { bytes: readFirmware('bootloader_esp32.bin'), name: 'bootloader.bin', offset: 0x1000 },
      { bytes: readFirmware('partitions_singleapp.bin'), name: 'partitions.bin', offset: 0x8000 },
      { bytes: app, name: 'app.bin', offset: 0x10000 },
    ]);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const saved = await backup(service, C);
    expect(saved.device).toMatchObject({ chip: 'esp32', flashSize: 1024 * 1024 });
    const file = readFileSync(saved.backup.file);
    expect(file.equals(Buffer.from(service.virtualDevice(C).readFlash(0, 1024 * 1024)))).toBe(true);

    const { sha256 } = await service.call('inspectFirmware', { name: 'esp32-full.bin', bytes: file });
    const restored = await done(
      service,
      service.call('startRestore', { port: D, backup: { sha256, name: 'esp32-full.bin' } }),
    );
    if (!restored.ok || restored.result?.kind !== 'flash') throw new Error(JSON.stringify(restored.error));
    expect(restored.result.regions.map((g) => [g.offset, g.size, g.verified])).toEqual([
      [0, 1024 * 1024, true],
    ]);
    expect(restored.result.boot?.verdict).toBe('booted');
    expect(Buffer.from(service.virtualDevice(D).readFlash(0, 1024 * 1024)).equals(file)).toBe(true);
  }, 60_000);

  it('refuses a file that cannot be a whole flash before any job starts (NOT_A_FULL_BACKUP)', async () => {
    const { service } = simService();
    open = service;
    for (const [name, bytes] of [
      ['app.bin', appImage(3)],
      ['odd.bin', new Uint8Array(300_000).fill(0x5a)],
      ['small.bin', new Uint8Array(128 * 1024).fill(0x5a)],
    ] as const) {
      const { sha256 } = await service.call('inspectFirmware', { name, bytes });
      await expect(
        service.call('startRestore', { port: B, backup: { sha256, name } }),
        name,
      ).rejects.toMatchObject({ code: 'NOT_A_FULL_BACKUP', details: { file: name, size: bytes.byteLength } });
    }
    expect((await service.call('listJobs', {})).jobs).toEqual([]);
  });

  it('refuses a 512 KB backup on the 256 KB board (BACKUP_WRONG_SIZE) and a blank one; the board keeps its flash', async () => {
    const { service } = simService();
    open = service;
    await giveContent(service, BIG, 4);
    await giveContent(service, B, 5);
    const before = Buffer.from(service.virtualDevice(B).readFlash(0, KB256));
    const big = await backup(service, BIG);
    expect(big.backup.size).toBe(512 * 1024);

    const wrong = await restore(service, B, 'big.bin', readFileSync(big.backup.file));
    expect(wrong.ok).toBe(false);
    expect(wrong.error).toMatchObject({
      code: 'BACKUP_WRONG_SIZE',
      details: { file: 'big.bin', size: 512 * 1024, flashSize: KB256 },
    });
    expect(wrong.error?.message).toContain('512 KB');
    expect(wrong.error?.message).toContain('256 KB');

    const blank = await restore(service, B, 'blank.bin', new Uint8Array(KB256).fill(0xff));
    expect(blank.ok).toBe(false);
    expect(blank.error).toMatchObject({
      code: 'NOT_A_FULL_BACKUP',
      details: { file: 'blank.bin', offset: 0 },
    });

    expect(Buffer.from(service.virtualDevice(B).readFlash(0, KB256)).equals(before)).toBe(true);
  }, 60_000);
});
