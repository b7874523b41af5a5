/**
 * Files a person names on the command line (firmware, manifests, profiles; a backup or report to write). A name
 * can point anywhere: /dev/zero (endless), a FIFO (blocks for ever), a device, a folder, a 100 MB file, a
 * symlink out of a manifest's folder, a path under /proc where a recursive mkdir never returns. So a file is
 * read only when it is a regular file whose size, checked on the open descriptor before a byte is read, fits
 * the caller's limit; and an output path is checked before the work that would produce the bytes.
 */
import { constants as fsc, promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import { KilnError } from './errors';

export interface ReadLimits {
  /** Largest size accepted; checked from the file's size before reading. */
  maxBytes: number;
  /** The error for a file over the limit (IMAGE_TOO_LARGE for firmware, BAD_REQUEST for a profile...). */
  tooLarge(size: number): KilnError;
  /**
   * The folder the file must stay in once every symlink is resolved (a manifest's parts), and the error
   * when it does not.
   */
  within?: { folder: string; outside(realPath: string): KilnError };
}

function kind(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a plain file';
}

function unreadable(shown: string, e: unknown): KilnError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'is not readable by this user'
        : code === 'ELOOP'
          ? 'is a symlink loop'
          : `cannot be read (${code ?? String(e)})`;
  return new KilnError('BAD_REQUEST', `The file ${shown} ${why}.`, {
    hint: 'Check the path; paths are relative to the current folder.',
    details: { file: shown },
  });
}

function notRegular(shown: string, st: Stats): KilnError {
  return new KilnError('BAD_REQUEST', `The file ${shown} is not a regular file: it is ${kind(st)}.`, {
    hint: 'Name a firmware or JSON file saved on disk.',
    details: { file: shown },
  });
}

/** Reads a regular file of at most `limits.maxBytes` (opened non-blocking, so a FIFO cannot hang the open). */
export async function readRegularFile(abs: string, limits: ReadLimits, shown = abs): Promise<Uint8Array> {
  let target = abs;
  if (limits.within) {
    let real: string;
    let folder: string;
    try {
      [real, folder] = await Promise.all([fsp.realpath(abs), fsp.realpath(limits.within.folder)]);
    } catch (e) {
      throw unreadable(shown, e);
    }
    if (!real.startsWith(folder + path.sep)) throw limits.within.outside(real);
    target = real;
  }
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(target, fsc.O_RDONLY | fsc.O_NONBLOCK | (limits.within ? fsc.O_NOFOLLOW : 0));
  } catch (e) {
    throw unreadable(shown, e);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw notRegular(shown, st);
    if (st.size > limits.maxBytes) throw limits.tooLarge(st.size);
    // Read what the size said, no more: a file that grows meanwhile cannot push past the limit.
    const buf = Buffer.alloc(st.size);
    let filled = 0;
    while (filled < st.size) {
      const { bytesRead } = await handle.read(buf, filled, st.size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, filled);
  } finally {
    await handle.close();
  }
}

/** Pseudo filesystems where nothing of ours belongs (statfs f_type; linux/magic.h). */
const PSEUDO_FILESYSTEMS: Record<number, string> = { 0x9fa0: 'proc', 0x62656572: 'sysfs' };

function badOutput(shown: string, why: string, hint: string): KilnError {
  return new KilnError('BAD_REQUEST', `Cannot write ${shown}: ${why}.`, { hint, details: { file: shown } });
}

/**
 * Checks, before any work, that `abs` can be written as a regular file: it is absent or a writable regular
 * file, and its folder exists, is a folder, is writable and is not under /proc or /sys. Returns `abs`.
 */
export async function checkOutputPath(abs: string, shown = abs): Promise<string> {
  const st = await fsp.stat(abs).catch(() => undefined);
  if (st) {
    if (st.isDirectory()) throw badOutput(shown, 'it is a folder', 'Name a file inside it, e.g. backup.bin.');
    if (!st.isFile()) throw badOutput(shown, `it is ${kind(st)}, not a regular file`, 'Name a file on disk.');
    if (
      !(await fsp.access(abs, fsc.W_OK).then(
        () => true,
        () => false,
      ))
    )
      throw badOutput(shown, 'the file is not writable by this user', 'Pick another file name or folder.');
  }
  const folder = path.dirname(abs);
  const dir = await fsp.stat(folder).catch(() => undefined);
  if (!dir?.isDirectory())
    throw badOutput(
      shown,
      `the folder ${folder} does not exist`,
      'Create the folder first, or pick another.',
    );
  const fs = await fsp.statfs(folder).catch(() => undefined);
  const pseudo = fs ? PSEUDO_FILESYSTEMS[fs.type] : undefined;
  if (pseudo)
    throw badOutput(shown, `${folder} is on the ${pseudo} pseudo filesystem`, 'Pick a folder on disk.');
  if (
    !st &&
    !(await fsp.access(folder, fsc.W_OK).then(
      () => true,
      () => false,
    ))
  )
    throw badOutput(shown, `the folder ${folder} is not writable by this user`, 'Pick another folder.');
  return abs;
}
