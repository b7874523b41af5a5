/**
 * Backups of a board's original firmware: `<backupsRoot>/<profile>/<mac>.bin`, one file per MAC. A file is never
 * overwritten: it is created with O_EXCL, and when a backup of that MAC already exists (the same board flashed
 * again with "reflash duplicates", or in a later run) the new one gets a suffix, `<mac>-2.bin`, `<mac>-3.bin`...
 * The first backup — the board's real original — therefore always survives. Data is fsync'ed before the path
 * goes into a record. Whole-flash backups (`<mac>-<YYYYMMDD-HHMMSS>-full.bin`, whole-flash.ts) are saved the same way.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { KilnError } from '../core/errors';
import { ensurePrivateDir, openPrivateExclusive } from '../core/private-files';

/** Most suffixes tried before giving up (a folder with 1000 backups of one board is a mistake worth reporting). */
const MAX_SUFFIX = 1000;

export interface SavedBackup {
  file: string;
  sha256: string;
  offset: number;
  size: number;
}

/** Profile names are already restricted to safe characters; this also keeps the folder name free of spaces. */
export function backupFolderFor(backupsRoot: string, profileName: string): string {
  return path.join(backupsRoot, profileName.replace(/[^A-Za-z0-9._-]/g, '_'));
}

/** The MAC as 12 lower-case hex digits, the stem of every backup's name. */
function macStem(mac: string): string {
  const base = mac.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (base.length !== 12) {
    throw new KilnError('INTERNAL', `Cannot name a backup after the MAC "${mac}".`, {
      hint: 'Please report this.',
    });
  }
  return base;
}

/** Local date and time as `YYYYMMDD-HHMMSS`: sorts by name, and reads as the time on the bench's clock. */
export function backupStamp(when: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${when.getFullYear()}${two(when.getMonth() + 1)}${two(when.getDate())}-` +
    `${two(when.getHours())}${two(when.getMinutes())}${two(when.getSeconds())}`
  );
}

/** A station's backup of the span it overwrites: `<mac>.bin`, then `<mac>-2.bin`... */
export function saveBackup(
  folder: string,
  mac: string,
  offset: number,
  data: Uint8Array,
): Promise<SavedBackup> {
  return saveExclusive(folder, macStem(mac), '.bin', offset, data);
}

/**
 * A whole-flash backup (the stock firmware, restorable): `<mac>-<YYYYMMDD-HHMMSS>-full.bin`; a second one in the
 * same second gets `-2`.
 */
export function saveWholeFlashBackup(
  folder: string,
  mac: string,
  when: Date,
  data: Uint8Array,
): Promise<SavedBackup> {
  return saveExclusive(folder, `${macStem(mac)}-${backupStamp(when)}`, '-full.bin', 0, data);
}

/** Creates `<stem><ending>` (or `<stem>-N<ending>`) without ever replacing a file, fsync'ed before returning. */
async function saveExclusive(
  folder: string,
  stem: string,
  ending: string,
  offset: number,
  data: Uint8Array,
): Promise<SavedBackup> {
  // Flash contents hold Wi-Fi passwords: owner-only folder and files.
  await ensurePrivateDir(folder);
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const file = path.join(folder, n === 1 ? `${stem}${ending}` : `${stem}-${n}${ending}`);
    let handle;
    try {
      handle = await openPrivateExclusive(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new KilnError('INTERNAL', `The backup ${file} could not be created.`, {
        hint: 'Check the data folder is writable and has free space.',
        details: { file, reason: e instanceof Error ? e.message : String(e) },
      });
    }
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { file, sha256: createHash('sha256').update(data).digest('hex'), offset, size: data.byteLength };
  }
  throw new KilnError('INTERNAL', `There are already ${MAX_SUFFIX} backups named ${stem} in ${folder}.`, {
    hint: 'Move old backups somewhere else.',
  });
}
