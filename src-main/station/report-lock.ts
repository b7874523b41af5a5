/**
 * One station per report file. Two stations appending to the same report each resume from what they read at
 * start, so both flash (and record as verified) the same board. A lock file `<report>.lock`, created with
 * O_EXCL and holding the owner's PID, keeps the second one out; a lock whose process is gone (the station was
 * killed with -9) is stale and taken over.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { KilnError } from '../core/errors';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the report's lock; resolves with its release. Throws JOB_CONFLICT while another live process holds it. */
export async function lockReport(report: string): Promise<() => Promise<void>> {
  const lock = `${report}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => unlink(lock).catch(() => undefined);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
      throw new KilnError('JOB_CONFLICT', `Another station is writing the report ${report} (PID ${owner}).`, {
        hint: 'Give this station its own report file, or stop the other one first.',
        details: { file: report, pid: owner },
      });
    }
    await unlink(lock).catch(() => undefined); // stale: its station is gone
  }
  throw new KilnError('JOB_CONFLICT', `The report ${report} is locked.`, {
    hint: `Remove ${lock} if no station is running.`,
    details: { file: report },
  });
}
