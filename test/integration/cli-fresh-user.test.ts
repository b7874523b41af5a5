/**
 * `kiln flash --port sim:esp8266 ../shared/fixtures/firmware/esp8266_deepsleep.bin`, as a fresh user types it
 * after `npm ci`: a child process from the repository folder, with an empty data folder.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runInProcess, spawnKiln, tempDir } from '../cli/helpers/cli-run';
import { firmwarePath } from '../helpers/shared';

describe('kiln flash on a virtual device (child process)', () => {
  it('exits 0 with a verified result for the deep-sleep example', async () => {
    firmwarePath('esp8266_deepsleep.bin'); // a clear error if the shared fixtures are missing
    const rel = path.join('..', 'shared', 'fixtures', 'firmware', 'esp8266_deepsleep.bin');
    const run = spawnKiln(['flash', '--port', 'sim:esp8266', rel, '--json']);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.final).toMatchObject({ ok: true, command: 'flash', device: { chip: 'esp8266' } });
    const regions = r.final.regions as { offset: number; size: number; verified: boolean; md5: string }[];
    expect(regions).toHaveLength(1);
    expect(regions[0]).toMatchObject({ offset: 0, size: 297632, verified: true });
    expect(regions[0]!.md5).toMatch(/^[0-9a-f]{32}$/);
  }, 60_000);

  it('kiln read without --offset/--size backs up the whole detected flash', async () => {
    const out = path.join(tempDir(), 'whole.bin');
    const r = await runInProcess([
      'read',
      '--port',
      'sim:esp8266?flash=256KB',
      '--baud',
      '921600',
      out,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.final).toMatchObject({ ok: true, command: 'read', read: { offset: 0, size: 256 * 1024 } });
    const data = readFileSync(out);
    expect(data.length).toBe(256 * 1024);
    expect(data.every((b) => b === 0xff)).toBe(true); // a new board's flash is erased
  }, 30_000);
});
