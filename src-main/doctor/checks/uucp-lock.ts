/**
 * UUCP lock files (/run/lock/LCK..ttyUSB0, /var/lock is usually a link to it) hold the PID, in ASCII, of the
 * program using the port. minicom and friends refuse a locked port; a lock whose PID is gone is stale.
 */
import type { AccessCheck } from '../access-context';
import { FIXES } from '../fixes';
import type { Finding } from '../findings';

export const uucpLockCheck: AccessCheck = {
  id: 'uucp-lock',
  scope: 'port',
  async run(ctx, port) {
    if (!port) return [];
    const seen = new Set<string>();
    const out: Finding[] = [];
    for (const dir of ['/run/lock', '/var/lock']) {
      const lockPath = `${dir}/LCK..${port.ttyName}`;
      const real = await ctx.view.realPath(lockPath);
      if (real === undefined || seen.has(real)) continue;
      seen.add(real);
      const text = (await ctx.view.readText(lockPath)) ?? '';
      const st = await ctx.view.stat(lockPath);
      const m = text.match(/^\s*(\d+)\s*$/);
      if (!m) {
        out.push({
          id: 'uucp-lock-unreadable',
          severity: 'info',
          title: `Lock file ${lockPath} has no readable PID`,
          explanation: 'Some tools may treat the port as locked.',
          evidence: [`${lockPath}: ${JSON.stringify(text.slice(0, 40))}`],
          fixes: [],
        });
        continue;
      }
      const pid = Number(m[1]);
      const alive = await ctx.view.pidAlive(pid);
      const comm = ctx.processes.find((p) => p.pid === pid)?.comm;
      if (alive) {
        out.push({
          id: 'uucp-lock-held',
          severity: 'warn',
          title: `${port.ttyName} is locked by ${comm ?? 'a process'} (PID ${pid})`,
          explanation: 'A program announced that it uses this port. Close it before flashing.',
          evidence: [`${lockPath}: PID ${pid}${comm ? ` (${comm})` : ''}, alive`],
          fixes: [],
        });
      } else {
        const needsRoot = st === undefined || st.uid !== ctx.who.uid;
        out.push({
          id: 'uucp-lock-stale',
          severity: 'warn',
          title: `Stale lock file ${lockPath}`,
          explanation: `The lock names PID ${pid}, which is no longer running. Tools that honour UUCP locks (minicom, picocom) refuse the port until the file is removed.`,
          evidence: [`${lockPath}: PID ${pid}, not running`],
          fixes: [FIXES.removeStaleLock(lockPath, needsRoot)],
        });
      }
    }
    return out;
  },
};
