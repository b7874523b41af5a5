/**
 * The firmware cache has a quota (issue 15, finding 6): a page adding firmware as fast as it can no longer grows
 * the data folder without bound (the review saw 17 → 113 MB in 4 s). The least recently used files go first;
 * what a saved profile or a running job names is never removed.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger } from '../../src-main/service/deps';
import { FirmwareCache } from '../../src-main/service/firmware-cache';
import { createService, type KilnService } from '../../src-main/service/service';
import { pattern, tempDir } from './fakes';

const MB = 1024 * 1024;
const services: KilnService[] = [];
afterEach(async () => {
  while (services.length) await services.pop()!.shutdown();
});

function cacheBytes(dataDir: string): number {
  const dir = path.join(dataDir, 'firmware');
  return readdirSync(dir).reduce((sum, n) => sum + statSync(path.join(dir, n)).size, 0);
}

function service(quota: number): { service: KilnService; dataDir: string } {
  const dataDir = tempDir('kiln-quota-');
  const deps = defaultDeps();
  delete deps.watchPorts;
  const s = createService(deps, {
    host: 'web',
    appName: 'Kiln',
    appVersion: 'test',
    dataDir,
    logDir: path.join(dataDir, 'logs'),
    logger: silentLogger,
    firmwareCacheBytes: quota,
  });
  services.push(s);
  return { service: s, dataDir };
}

describe('firmware cache quota', () => {
  it('twenty 1 MB images through the contract leave at most the quota on disk, the newest kept', async () => {
    const { service: s, dataDir } = service(8 * MB);
    let last = '';
    for (let i = 1; i <= 20; i++) {
      const r = (await s.invoke('inspectFirmware', { name: `f${i}.bin`, bytes: pattern(MB, i) })) as {
        sha256: string;
      };
      last = r.sha256;
    }
    expect(cacheBytes(dataDir)).toBeLessThanOrEqual(8 * MB);
    expect(await s.firmwareCache.has(last)).toBe(true);
  });

  it('what a saved profile names is never evicted', async () => {
    const { service: s, dataDir } = service(4 * MB);
    const kept = (await s.invoke('inspectFirmware', { name: 'keep.bin', bytes: pattern(MB, 99) })) as {
      sha256: string;
    };
    await s.invoke('stationSaveProfile', {
      profile: { name: 'bench', images: [{ sha256: kept.sha256, offset: 0x10000, name: 'keep.bin' }] },
    });
    for (let i = 1; i <= 10; i++)
      await s.invoke('inspectFirmware', { name: `f${i}.bin`, bytes: pattern(MB, i) });
    expect(await s.firmwareCache.has(kept.sha256)).toBe(true);
    expect(cacheBytes(dataDir)).toBeLessThanOrEqual(4 * MB);
  });

  it('least recently used goes first: an image read again outlives one added after it', async () => {
    const dataDir = tempDir('kiln-quota-unit-');
    const pinned = new Set<string>();
    const cache = new FirmwareCache(dataDir, { quotaBytes: 3 * MB, pinned: async () => pinned });
    const a = await cache.put(pattern(MB, 1));
    const b = await cache.put(pattern(MB, 2));
    const c = await cache.put(pattern(MB, 3));
    pinned.add(b.sha256); // b: a running job's image
    await cache.get(a.sha256); // a: used again just now
    const d = await cache.put(pattern(MB, 4));
    expect(await cache.has(a.sha256)).toBe(true);
    expect(await cache.has(b.sha256)).toBe(true);
    expect(await cache.has(c.sha256)).toBe(false);
    expect(await cache.has(d.sha256)).toBe(true);
  });
});
