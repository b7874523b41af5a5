/**
 * Files that hold a board's flash contents: backups, reads, cached copies of reads. A flash dump carries Wi-Fi
 * passwords and device keys, so these are 0600 files in 0700 folders (owner only). A folder created earlier
 * with the umask's 0755 is tightened when Kiln writes into it again. On Windows the modes mean nothing and the
 * user's profile folder is already private.
 */
import { chmod, mkdir, open, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

const posix = process.platform !== 'win32';

/** Creates the folder (and missing parents) and makes the folder itself owner-only. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (posix) await chmod(dir, PRIVATE_DIR_MODE);
}

/** Writes (or replaces) a file as 0600 inside a 0700 folder. */
export async function writePrivateFile(file: string, data: Uint8Array | string): Promise<void> {
  await ensurePrivateDir(path.dirname(file));
  await writeFile(file, data, { mode: PRIVATE_FILE_MODE });
  // writeFile keeps the mode of a file that already existed.
  if (posix) await chmod(file, PRIVATE_FILE_MODE);
}

/** Creates a new file (fails with EEXIST if there is one) as 0600. */
export function openPrivateExclusive(file: string): Promise<FileHandle> {
  return open(file, 'wx', PRIVATE_FILE_MODE);
}
