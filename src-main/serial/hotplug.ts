/**
 * Hot-plug watching without busy polling: inotify (`fs.watch`) on `<root>/dev`, filtered to serial tty names,
 * debounced (udev creates a node, then changes its owner, mode and ACL: several events per plug), and diffed
 * against the last known set. A node that appears and vanishes inside one debounce window (brltty grabbing a
 * CH340) is still reported as added then removed, so the doctor can see the flicker; a known node that vanishes
 * and returns inside the window (a chip re-enumerating) is reported as removed then added. Only when `fs.watch`
 * is not available does a low-frequency re-list run instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describePort, type PortInfo } from './discovery';
import { isSerialPortName } from './sysfs-list';
import { defaultBaudFor } from './usb-bridges';

export interface WatchPortsOptions {
  onAdded: (port: PortInfo) => void;
  onRemoved: (path: string) => void;
  /** System root; tests pass a temp dir. Default '/'. */
  root?: string;
  /** Quiet time after the last event before re-reading /dev (default 150 ms). */
  debounceMs?: number;
  /** Re-list period when fs.watch is unavailable (default 2500 ms). */
  pollMs?: number;
  /** Skip fs.watch and poll (for systems where inotify is known to be broken). */
  forcePolling?: boolean;
  log?: (message: string) => void;
}

export interface PortWatcher {
  /** 'inotify' normally; 'polling' when fs.watch could not be used. */
  readonly mode: 'inotify' | 'polling';
  close(): void;
}

function readSerialNames(devDir: string): Set<string> {
  try {
    return new Set(fs.readdirSync(devDir).filter(isSerialPortName));
  } catch {
    return new Set();
  }
}

export function watchPorts(options: WatchPortsOptions): PortWatcher {
  const root = options.root ?? '/';
  const devDir = path.join(root, 'dev');
  const debounceMs = options.debounceMs ?? 150;
  let known = readSerialNames(devDir);
  /**
   * Names with a create/delete ('rename') event since the last report. Event types, not existence checks at
   * callback time, tell a flicker (unknown before and after) or a replug (known before and after) from nothing:
   * by the time the callback runs the node may already have changed again.
   */
  const renamed = new Set<string>();
  let closed = false;
  let debounceTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let watcher: fs.FSWatcher | undefined;
  let chain: Promise<void> = Promise.resolve();
  let mode: PortWatcher['mode'] = 'inotify';

  const added = async (name: string) => {
    const devPath = `/dev/${name}`;
    const info = await describePort(devPath, root).catch((): PortInfo => ({
      path: devPath,
      defaultBaud: defaultBaudFor(undefined),
    }));
    if (!closed) options.onAdded(info);
  };
  const removed = (name: string) => {
    if (!closed) options.onRemoved(`/dev/${name}`);
  };

  const report = async () => {
    const current = readSerialNames(devDir);
    const appeared = [...current].filter((n) => !known.has(n)).sort();
    const vanished = [...known].filter((n) => !current.has(n)).sort();
    const flickered = [...renamed].filter((n) => !current.has(n) && !known.has(n)).sort();
    const bounced = [...renamed].filter((n) => current.has(n) && known.has(n)).sort();
    renamed.clear();
    known = current;
    for (const name of vanished) removed(name);
    for (const name of bounced) {
      removed(name);
      await added(name);
    }
    for (const name of appeared) await added(name);
    for (const name of flickered) {
      await added(name);
      removed(name);
    }
  };
  // Reports run one at a time, so an add is never delivered after the remove that followed it.
  const scan = () => {
    chain = chain.then(report).catch((err) => options.log?.(`port watch: ${(err as Error).message}`));
  };

  const startPolling = (reason: string) => {
    if (closed || pollTimer) return;
    mode = 'polling';
    options.log?.(
      `fs.watch unavailable on ${devDir} (${reason}); re-listing every ${options.pollMs ?? 2500} ms.`,
    );
    pollTimer = setInterval(scan, options.pollMs ?? 2500);
    pollTimer.unref();
  };

  if (options.forcePolling) {
    startPolling('polling requested');
  } else {
    try {
      watcher = fs.watch(devDir, { persistent: true }, (event, filename) => {
        if (closed) return;
        const name = filename?.toString();
        if (name !== undefined && !isSerialPortName(name)) return;
        if (name !== undefined && event === 'rename') renamed.add(name);
        clearTimeout(debounceTimer);
        debounceTimer = setTimeout(scan, debounceMs);
      });
      watcher.on('error', (err) => {
        watcher?.close();
        watcher = undefined;
        startPolling(err.message);
      });
    } catch (err) {
      startPolling((err as Error).message);
    }
  }

  return {
    get mode() {
      return mode;
    },
    close() {
      closed = true;
      clearTimeout(debounceTimer);
      if (pollTimer) clearInterval(pollTimer);
      watcher?.close();
    },
  };
}
