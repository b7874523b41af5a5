/**
 * Running processes as /proc shows them to an unprivileged user: every /proc/PID/comm and the real uid from
 * /proc/PID/status are world-readable; /proc/PID/fd is readable only for our own processes. /proc/locks is
 * world-readable and names the PID behind every flock(), which is how node-serialport and esptool lock a port.
 */
import type { SystemView } from './system-view';

export interface ProcessInfo {
  pid: number;
  /** Command name (at most 15 characters, as the kernel keeps it). */
  comm: string;
  /** Real uid; -1 when the status file could not be read. */
  uid: number;
  /**
   * When it started (field 22 of /proc/PID/stat, clock ticks since boot): with the PID, it names one process
   * for good, as a PID alone may be reused after the process exits.
   */
  startTime?: string;
}

export interface LockEntry {
  /** 'FLOCK', 'POSIX', 'OFDLCK', ... */
  kind: string;
  access: string;
  /** -1 for OFD locks, which belong to an open file rather than a process. */
  pid: number;
  /** Device of the filesystem holding the inode (hex in /proc/locks, numbers here). */
  dev: { major: number; minor: number };
  ino: string;
}

export async function listPids(view: SystemView): Promise<number[]> {
  const entries = (await view.readDir('/proc')) ?? [];
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .sort((a, b) => a - b);
}

export async function processInfo(view: SystemView, pid: number): Promise<ProcessInfo | undefined> {
  const comm = await view.readText(`/proc/${pid}/comm`);
  if (comm === undefined) return undefined;
  const status = (await view.readText(`/proc/${pid}/status`)) ?? '';
  const uidLine = status.match(/^Uid:\s+(\d+)/m);
  const info: ProcessInfo = { pid, comm: comm.replace(/\n$/, ''), uid: uidLine ? Number(uidLine[1]) : -1 };
  const startTime = parseStartTime((await view.readText(`/proc/${pid}/stat`)) ?? '');
  if (startTime !== undefined) info.startTime = startTime;
  return info;
}

/** Field 22 of /proc/PID/stat; the command name (field 2) may hold spaces and ')', so count after the last ')'. */
export function parseStartTime(stat: string): string | undefined {
  const fields = stat
    .slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const value = fields[19];
  return value !== undefined && /^\d+$/.test(value) ? value : undefined;
}

export async function listProcesses(view: SystemView): Promise<ProcessInfo[]> {
  const infos = await Promise.all((await listPids(view)).map((pid) => processInfo(view, pid)));
  return infos.filter((p): p is ProcessInfo => p !== undefined);
}

export function parseProcLocks(text: string): LockEntry[] {
  const out: LockEntry[] = [];
  // "1: FLOCK  ADVISORY  WRITE 4242 00:05:1234 0 EOF"; blocked waiters carry "->" and hold nothing.
  const re = /^\d+:\s+(->\s+)?(\S+)\s+\S+\s+(\S+)\s+(-?\d+)\s+([0-9a-fA-F]+):([0-9a-fA-F]+):(\d+)\s/;
  for (const line of text.split('\n')) {
    const m = line.match(re);
    if (!m || m[1]) continue;
    out.push({
      kind: m[2]!,
      access: m[3]!,
      pid: Number(m[4]),
      dev: { major: parseInt(m[5]!, 16), minor: parseInt(m[6]!, 16) },
      ino: m[7]!,
    });
  }
  return out;
}

export async function readLocks(view: SystemView): Promise<LockEntry[]> {
  return parseProcLocks((await view.readText('/proc/locks')) ?? '');
}

/** Processes whose command name starts with one of the given names (comm is cut at 15 characters). */
export function findByComm(processes: ProcessInfo[], names: string[]): ProcessInfo[] {
  return processes.filter((p) =>
    names.some((n) => p.comm === n || (n.length > 15 && p.comm === n.slice(0, 15))),
  );
}
