/**
 * The content-addressed firmware cache: the hash is the name, the same bytes are stored once, nothing a client
 * sends can name a file outside the cache folder, and damaged entries are not handed out.
 */
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KilnError } from '../../src-main/core/errors';
import { FirmwareCache } from '../../src-main/service/firmware-cache';
import { harness, pattern, tempDir } from './fakes';

describe('FirmwareCache', () => {
  it('names bytes by their SHA-256 and stores the same bytes once', async () => {
    const dir = tempDir();
    const cache = new FirmwareCache(dir);
    const data = pattern(5000);
    const a = await cache.put(data);
    const b = await cache.put(Buffer.from(data));
    expect(a.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(b).toEqual(a);
    expect(a.file).toBe(path.join(dir, 'firmware', `${a.sha256}.bin`));
    expect(readdirSync(path.join(dir, 'firmware'))).toEqual([`${a.sha256}.bin`]);
    expect(Buffer.from(await cache.get(a.sha256)).equals(Buffer.from(data))).toBe(true);
    const c = await cache.put(pattern(5000, 2));
    expect(c.sha256).not.toBe(a.sha256);
  });

  it('cannot be pointed outside its folder', async () => {
    const cache = new FirmwareCache(tempDir());
    const tries = [
      '../../etc/passwd',
      '/etc/passwd',
      'A'.repeat(64),
      'a'.repeat(63),
      `${'a'.repeat(64)}/../x`,
      `..${'a'.repeat(62)}`,
      '',
    ];
    for (const t of tries) {
      await expect(cache.get(t), t).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      expect(() => cache.fileFor(t)).toThrow(KilnError);
    }
    fc.assert(
      fc.property(fc.string(), (s) => {
        let file: string | undefined;
        try {
          file = cache.fileFor(s);
        } catch {
          return;
        }
        expect(path.dirname(file)).toBe(cache.dir);
        expect(s).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
  });

  it('treats a missing or damaged entry as NOT_FOUND', async () => {
    const cache = new FirmwareCache(tempDir());
    await expect(cache.get('0'.repeat(64))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const { sha256, file } = await cache.put(pattern(100));
    writeFileSync(file, 'tampered');
    await expect(cache.get(sha256)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await cache.has(sha256)).toBe(false);
  });
});

describe('inspectFirmware and getFirmware through the service', () => {
  it('caches what the renderer sends and returns the same bytes by hash', async () => {
    const h = harness();
    const bytes = pattern(3000, 9);
    const summary = await h.service.call('inspectFirmware', { name: 'blob.bin', bytes });
    expect(summary).toMatchObject({
      name: 'blob.bin',
      size: 3000,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(summary.info.format).toBe('unknown');
    expect(summary.warnings.map((w) => w.code)).toContain('NO_HEADER');
    const back = await h.service.call('getFirmware', { sha256: summary.sha256 });
    expect(Buffer.from(back.bytes).equals(Buffer.from(bytes))).toBe(true);
  });
});
