/**
 * Flash dumps hold Wi-Fi passwords and keys, so every copy Kiln keeps is private to the user (issue 15,
 * finding 10): station backups, the service's read backups, the firmware cache (which stores reads too) and
 * `kiln read` output are 0600 files in 0700 folders — also when the folder already existed with 0755.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { saveBackup } from '../../src-main/station/backups';
import { runInProcess, tempDir, virtualCliService } from '../cli/helpers/cli-run';
import { simService } from '../service/helpers/sim-service';
import type { KilnService } from '../../src-main/service/service';

const mode = (p: string) => statSync(p).mode & 0o777;
const services: KilnService[] = [];
afterEach(async () => {
  while (services.length) await services.pop()!.shutdown();
});

describe.skipIf(process.platform === 'win32')('private files for flash contents', () => {
  it('a station backup is 0600 in a 0700 folder, even a folder made 0755 before', async () => {
    const root = tempDir('kiln-private-');
    const folder = path.join(root, 'backups', 'bench');
    mkdirSync(folder, { recursive: true, mode: 0o755 });
    const saved = await saveBackup(folder, '24:0a:c4:00:00:01', 0, new Uint8Array(4096).fill(7));
    expect(mode(saved.file)).toBe(0o600);
    expect(mode(folder)).toBe(0o700);
  });

  it('a read through the service: the backup and the cached copy are 0600 in 0700 folders', async () => {
    const { service, dataDir } = simService();
    services.push(service);
    const { jobId } = await service.call('startRead', { port: 'sim:esp8266', offset: 0, size: 0x1000 });
    const done = await service.waitForJob(jobId);
    expect(done.ok, JSON.stringify(done.error)).toBe(true);
    for (const sub of ['backups', 'firmware']) {
      const dir = path.join(dataDir, sub);
      expect(mode(dir), sub).toBe(0o700);
      const files = readdirSync(dir);
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) expect(mode(path.join(dir, f)), f).toBe(0o600);
    }
  });

  it('`kiln read OUT` writes OUT as 0600', async () => {
    const dir = tempDir('kiln-private-read-');
    const out = path.join(dir, 'dump.bin');
    const r = await runInProcess(['read', '--port', 'sim:esp8266', '--size', '0x1000', '--json', out], {
      createService: virtualCliService,
    });
    expect(r.code, r.stdout).toBe(0);
    expect(mode(out)).toBe(0o600);
  });
});
