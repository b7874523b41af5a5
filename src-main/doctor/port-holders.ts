/**
 * Who holds a serial port open. Two sources, both readable without root: our own processes' open files
 * (/proc/PID/fd/* links that point at the node) and /proc/locks (a flock on the node's filesystem device and
 * inode names the PID, whoever owns it). Other users' fd directories answer EACCES; they are counted, so a
 * busy port with no visible holder can be reported as "held by another user or root" rather than a mystery.
 */
import { listPids, processInfo, readLocks } from './processes';
import { createSystemView, type SystemView } from './system-view';

export interface PortHolder {
  pid: number;
  comm: string;
  uid: number;
  /** From /proc/PID/stat; undefined when unreadable. */
  startTime?: string;
  /** How we know: an open file descriptor, a flock, or both. */
  via: ('fd' | 'flock')[];
}

export interface PortHolders {
  path: string;
  /** The node the path resolves to ('/dev/serial/by-id/...' → '/dev/ttyUSB0'). */
  node: string | undefined;
  holders: PortHolder[];
  /** Processes of other users whose open files we may not read. */
  uninspectedPids: number[];
}

export interface FindHoldersOptions {
  root?: string;
  view?: SystemView;
  /** PIDs to leave out (default on a live view: this process, which may be the one asking). */
  excludePids?: number[];
}

export async function findPortHolders(portPath: string, opts: FindHoldersOptions = {}): Promise<PortHolders> {
  const view = opts.view ?? createSystemView(opts.root !== undefined ? { root: opts.root } : {});
  const exclude = new Set(opts.excludePids ?? (view.isLive ? [process.pid] : []));
  const node = await view.realPath(portPath);
  const result: PortHolders = { path: portPath, node, holders: [], uninspectedPids: [] };
  if (node === undefined) return result;
  const st = await view.stat(node);
  const found = new Map<number, PortHolder>();
  const note = async (pid: number, via: 'fd' | 'flock'): Promise<void> => {
    const existing = found.get(pid);
    if (existing) {
      if (!existing.via.includes(via)) existing.via.push(via);
      return;
    }
    const info = await processInfo(view, pid);
    const holder: PortHolder = { pid, comm: info?.comm ?? '?', uid: info?.uid ?? -1, via: [via] };
    if (info?.startTime !== undefined) holder.startTime = info.startTime;
    found.set(pid, holder);
  };

  for (const pid of await listPids(view)) {
    if (exclude.has(pid)) continue;
    const fds = await view.tryReadDir(`/proc/${pid}/fd`);
    if ('failure' in fds) {
      if (fds.failure === 'denied') result.uninspectedPids.push(pid);
      continue;
    }
    for (const fd of fds.entries) {
      const link = await view.readLink(`/proc/${pid}/fd/${fd}`);
      if (link === node || link === portPath) {
        await note(pid, 'fd');
        break;
      }
    }
  }

  if (st) {
    for (const lock of await readLocks(view)) {
      if (lock.ino !== st.ino || lock.dev.major !== st.dev.major || lock.dev.minor !== st.dev.minor) continue;
      if (lock.pid > 0 && !exclude.has(lock.pid)) await note(lock.pid, 'flock');
    }
  }
  result.holders = [...found.values()].sort((a, b) => a.pid - b.pid);
  return result;
}
