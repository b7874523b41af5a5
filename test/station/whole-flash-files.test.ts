/**
 * The whole-flash backup's file and the restore's checks, on their own: the name by MAC and local date and time,
 * a second backup in the same second never replacing the first, owner-only files; and what a restore accepts —
 * exactly the board's flash size, with an image where that chip boots from (0x0, or 0x1000 on the ESP32).
 */
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KilnError } from '../../src-main/core/errors';
import { checkRestorable, checkWholeFlashSize } from '../../src-main/flash/whole-flash';
import { backupStamp, saveWholeFlashBackup } from '../../src-main/station/backups';

const KB256 = 256 * 1024;

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof KilnError ? e.code : 'not a KilnError';
  }
}

describe('whole-flash backup files', () => {
  it('names by MAC and local time, keeps both backups made in the same second, owner-only', async () => {
    const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'kiln-full-')), 'backups');
    const when = new Date(2026, 11, 6, 9, 5, 7);
    expect(backupStamp(when)).toBe('20261206-090507');
    const first = await saveWholeFlashBackup(
      folder,
      '18:FE:34:A1:B2:C3',
      when,
      new Uint8Array(KB256).fill(1),
    );
    const second = await saveWholeFlashBackup(
      folder,
      '18:fe:34:a1:b2:c3',
      when,
      new Uint8Array(KB256).fill(2),
    );
    expect(path.basename(first.file)).toBe('18fe34a1b2c3-20261206-090507-full.bin');
    expect(path.basename(second.file)).toBe('18fe34a1b2c3-20261206-090507-2-full.bin');
    expect(readFileSync(first.file)[0]).toBe(1);
    expect(readFileSync(second.file)[0]).toBe(2);
    expect(first).toMatchObject({ offset: 0, size: KB256 });
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
  });
});

describe('what a restore accepts', () => {
  const esp8266 = { chip: 'esp8266' as const, flashSize: KB256 };
  const esp32 = { chip: 'esp32' as const, flashSize: KB256 };

  function dump(size: number, magicAt?: number): Uint8Array {
    const d = new Uint8Array(size).fill(0xff);
    if (magicAt !== undefined) d[magicAt] = 0xe9;
    return d;
  }

  it('a whole flash of the right size with an image where the chip boots', () => {
    expect(codeOf(() => checkRestorable('a.bin', dump(KB256, 0), esp8266))).toBeUndefined();
    expect(codeOf(() => checkRestorable('b.bin', dump(KB256, 0x1000), esp32))).toBeUndefined();
  });

  it('refuses sizes no flash has, other flash sizes, unknown flash sizes and no image at the boot offset', () => {
    expect(codeOf(() => checkWholeFlashSize('x.bin', 300_000))).toBe('NOT_A_FULL_BACKUP');
    expect(codeOf(() => checkWholeFlashSize('x.bin', 128 * 1024))).toBe('NOT_A_FULL_BACKUP');
    expect(codeOf(() => checkRestorable('big.bin', dump(2 * KB256, 0), esp8266))).toBe('BACKUP_WRONG_SIZE');
    expect(codeOf(() => checkRestorable('a.bin', dump(KB256, 0), { ...esp8266, flashSize: 0 }))).toBe(
      'UNSUPPORTED',
    );
    // An ESP8266 dump (image at 0x0) on an ESP32, which boots from 0x1000; and a blank flash.
    expect(codeOf(() => checkRestorable('a.bin', dump(KB256, 0), esp32))).toBe('NOT_A_FULL_BACKUP');
    expect(codeOf(() => checkRestorable('blank.bin', dump(KB256), esp8266))).toBe('NOT_A_FULL_BACKUP');
  });
});
