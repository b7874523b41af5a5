/**
 * The list of ports clients may name. A real path is accepted only if the latest listing (or a fresh one)
 * contains it, directly or as its by-id link; `sim:` URLs are validated by the simulator, and a `socket://`
 * address only once the host confirmed it (socket-targets.ts). Hot-plug updates the listing and pushes
 * `portsChanged` to every client.
 */
import { KilnError } from '../core/errors';
import type { PortEntry } from './contract';
import type { EventBus } from './event-bus';
import type { Logger, PortInfo, ServiceDeps } from './deps';
import { isSimUrl, VIRTUAL_DEFAULT_BAUD, type VirtualDevices } from './virtual-devices';

export function isSocketUrl(path: string): boolean {
  return path.startsWith('socket://');
}

/** How the service should open a port and what it knows about it. */
export interface ResolvedPort {
  /** The name the client used (shown in messages). */
  path: string;
  /** The device the job locks: a by-id link and its tty are the same board. */
  lockKey: string;
  kind: 'serial' | 'virtual' | 'network';
  info?: PortInfo;
  defaultBaud: number;
}

export function toPortEntry(p: PortInfo): PortEntry {
  const bridge = p.bridge?.chip;
  const name = p.product ?? (bridge ? `${bridge} USB serial` : undefined) ?? p.manufacturer ?? 'Serial port';
  const entry: PortEntry = {
    path: p.path,
    group: 'serial',
    label: `${name} — ${p.path}`,
    defaultBaud: p.defaultBaud,
  };
  const detail = [
    p.byId?.replace(/^\/dev\/serial\/by-id\//, ''),
    p.manufacturer,
    p.serialNumber && `serial ${p.serialNumber}`,
  ]
    .filter(Boolean)
    .join(' · ');
  if (detail) entry.detail = detail;
  if (bridge) entry.bridge = bridge;
  if (p.usbId) entry.usbId = p.usbId;
  if (p.serialNumber) entry.serialNumber = p.serialNumber;
  if (p.manufacturer) entry.manufacturer = p.manufacturer;
  if (p.byId) entry.byId = p.byId;
  return entry;
}

export class PortDirectory {
  private known = new Map<string, PortInfo>();
  private listed = false;
  private watcher: { close(): void } | undefined;

  constructor(
    private readonly deps: Pick<ServiceDeps, 'listPorts' | 'findPort' | 'watchPorts'>,
    private readonly virtual: VirtualDevices,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly showVirtual: () => Promise<boolean>,
    /** Resolves when the host allows this socket:// target, throws otherwise. */
    private readonly admitSocket: (url: string) => Promise<void>,
  ) {}

  async list(): Promise<PortEntry[]> {
    const ports = await this.deps.listPorts();
    this.known = new Map(ports.map((p) => [p.path, p]));
    this.listed = true;
    return this.entries();
  }

  /** Starts hot-plug watching (once). */
  watch(): void {
    if (this.watcher || !this.deps.watchPorts) return;
    this.watcher = this.deps.watchPorts({
      onAdded: (p) => {
        this.known.set(p.path, p);
        this.logger.info(`port added: ${p.path}`);
        void this.announce();
      },
      onRemoved: (path) => {
        this.known.delete(path);
        this.logger.info(`port removed: ${path}`);
        void this.announce();
      },
    });
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  async entries(): Promise<PortEntry[]> {
    const real = [...this.known.values()].sort((a, b) => a.path.localeCompare(b.path)).map(toPortEntry);
    return (await this.showVirtual()) ? [...real, ...this.virtual.entries()] : real;
  }

  /** Accepts a client-named port or throws PORT_NOT_FOUND. */
  async resolve(path: string): Promise<ResolvedPort> {
    if (isSimUrl(path)) return { path, lockKey: path, kind: 'virtual', defaultBaud: VIRTUAL_DEFAULT_BAUD };
    if (isSocketUrl(path)) {
      await this.admitSocket(path);
      return { path, lockKey: path, kind: 'network', defaultBaud: 115200 };
    }
    // A port named before any listing (the CLI's --port) is looked up alone: a whole listing spawns udevadm.
    let info = this.find(path) ?? (this.listed ? undefined : await this.deps.findPort?.(path));
    if (!info) {
      // The client may be acting on a listing newer than ours (hot-plug without a watcher): look once more.
      await this.list();
      info = this.find(path);
    }
    if (!info) {
      throw new KilnError('PORT_NOT_FOUND', `${path} is not among the serial ports on this machine.`, {
        hint: 'Plug the board in, wait a second and pick the port from the refreshed list.',
        details: { port: path },
      });
    }
    return { path, lockKey: info.path, kind: 'serial', info, defaultBaud: info.defaultBaud };
  }

  /** Whether a listing has been made (for tests and diagnostics). */
  get hasListed(): boolean {
    return this.listed;
  }

  private find(path: string): PortInfo | undefined {
    return this.known.get(path) ?? [...this.known.values()].find((p) => p.byId === path);
  }

  /** Pushes the current listing as `portsChanged` (hot-plug, and virtual boards the station plugs in or out). */
  async announce(): Promise<void> {
    try {
      this.bus.emit('portsChanged', { ports: await this.entries() });
    } catch (e) {
      this.logger.warn(`portsChanged failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
