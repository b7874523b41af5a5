/**
 * `kiln backup` and `kiln restore` over real ptys: two `kiln sim --chip esp8266 --pty --flash-size 256KB` child
 * processes, board A loaded with one 256 KB content and board B with another. A is backed up whole (into --out),
 * the backup is restored onto B, and B is read back with `kiln read` and, after Ctrl-C, from the flash its
 * simulator saved: both byte-equal to A. Before that, B refuses a file that is not a whole flash and a backup of
 * a 512 KB flash (exit 10, with their codes) and keeps its own content.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../src-main/esp/image';
import { runInProcess, spawnKiln, tempDir, type KilnChild } from '../cli/helpers/cli-run';
import { requireSocat } from '../serial/helpers/pty-pair';
import { pattern } from '../service/fakes';

requireSocat();

const KB256 = 256 * 1024;
/** The rate a pty carries without loss; the default (115200) would spend a minute on three 256 KB transfers. */
const FAST = ['--baud', '921600'];

/** 256 KB of noise with a bootable ESP8266 image at 0x0: no two seeds share a byte pattern anywhere. */
function flashContent(seed: number): Buffer {
  const out = Buffer.from(pattern(KB256, seed));
  const app = buildImage({
    chip: 'esp8266',
    entry: 0x40100004,
    segments: [{ address: 0x40100000, data: pattern(4000, seed + 1) }],
    mode: 'dout',
    freq: '40m',
    size: '256KB',
  });
  out.set(app, 0);
  return out;
}

async function serve(work: string, name: string, content: Buffer): Promise<{ sim: KilnChild; port: string }> {
  const load = path.join(work, `${name}-load.bin`);
  writeFileSync(load, content);
  const sim = spawnKiln([
    'sim',
    '--chip',
    'esp8266',
    '--pty',
    '--flash-size',
    '256KB',
    '--load-flash',
    load,
    '--save-flash',
    path.join(work, `${name}-saved.bin`),
    '--json',
  ]);
  const line = await sim.waitForLine((l) => l.includes('"listening"'), 60_000);
  return { sim, port: (JSON.parse(line) as { endpoint: string }).endpoint };
}

describe('kiln backup → kiln restore onto another board, over ptys (kiln sim --pty)', () => {
  const work = tempDir('kiln-backup-pty-');
  const out = tempDir('kiln-backup-out-');
  const dataDir = tempDir('kiln-data-');
  const a = flashContent(21);
  const b = flashContent(42);
  let boardA: { sim: KilnChild; port: string };
  let boardB: { sim: KilnChild; port: string };

  beforeAll(async () => {
    [boardA, boardB] = await Promise.all([serve(work, 'a', a), serve(work, 'b', b)]);
  }, 90_000);
  afterAll(() => {
    for (const s of [boardA?.sim, boardB?.sim]) if (s && s.child.exitCode === null) s.child.kill('SIGKILL');
  });

  it('backs up A whole, refuses wrong files on B, restores A onto B: B reads back byte-equal', async () => {
    const backup = await runInProcess(['backup', '--port', boardA.port, ...FAST, '--out', out, '--json'], {
      dataDir,
    });
    expect(backup.code, backup.stderr).toBe(0);
    const file = backup.final.file as string;
    expect(path.dirname(file)).toBe(out);
    expect(readdirSync(out)).toEqual([path.basename(file)]);
    const mac = (backup.final.device as { mac: string }).mac.replace(/:/g, '');
    expect(path.basename(file)).toMatch(new RegExp(`^${mac}-\\d{8}-\\d{6}-full\\.bin$`));
    expect(backup.final).toMatchObject({
      ok: true,
      command: 'backup',
      device: { chip: 'esp8266', flashSize: KB256 },
      backup: { offset: 0, size: KB256, md5: createHash('md5').update(a).digest('hex') },
    });
    expect(readFileSync(file).equals(a)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // Not a whole flash: refused before the board is touched.
    const odd = path.join(work, 'app-only.bin');
    writeFileSync(odd, a.subarray(0, 100_000));
    const notWhole = await runInProcess(['restore', '--port', boardB.port, odd, '--json'], { dataDir });
    expect(notWhole.code).toBe(10);
    expect(notWhole.final.error).toMatchObject({ code: 'NOT_A_FULL_BACKUP', details: { size: 100_000 } });

    // A whole flash, but of a 512 KB board: refused once B says it has 256 KB.
    const big = path.join(work, 'big-full.bin');
    writeFileSync(big, Buffer.concat([a, b]));
    const wrongSize = await runInProcess(['restore', '--port', boardB.port, big, '--json'], { dataDir });
    expect(wrongSize.code).toBe(10);
    expect(wrongSize.final.error).toMatchObject({
      code: 'BACKUP_WRONG_SIZE',
      details: { size: 2 * KB256, flashSize: KB256 },
    });

    const restore = await runInProcess(
      ['restore', '--port', boardB.port, ...FAST, '--no-boot-check', file, '--json'],
      {
        dataDir,
      },
    );
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.final).toMatchObject({ ok: true, command: 'restore' });
    const regions = restore.final.regions as {
      offset: number;
      size: number;
      verified: boolean;
      md5: string;
    }[];
    expect(regions.map((g) => [g.offset, g.size, g.verified, g.md5])).toEqual([
      [0, KB256, true, createHash('md5').update(a).digest('hex')],
    ]);
    expect(restore.lines.some((l) => l.event === 'progress' && l.phase === 'writing')).toBe(true);

    const readBack = path.join(work, 'b-readback.bin');
    const read = await runInProcess(['read', '--port', boardB.port, ...FAST, readBack], { dataDir });
    expect(read.code, read.stderr).toBe(0);
    expect(readFileSync(readBack).equals(a)).toBe(true);

    // The simulator's own flash (saved when it stops) says the same.
    boardB.sim.child.kill('SIGINT');
    const end = await boardB.sim.done;
    expect(end.code, end.stderr).toBe(0);
    expect(readFileSync(path.join(work, 'b-saved.bin')).equals(a)).toBe(true);
  }, 120_000);
});
