/**
 * The app's virtual devices: one simulated board per `sim:` URL, created on first use and kept for the app's
 * lifetime, so a second flash finds what the first one wrote (and skip-unchanged has something to skip). They
 * run on the host's real clock: a virtual board at 115200 baud takes as long as a real one.
 */
import type { Clock } from '../core/clock';
import type { ChipName } from '../esp/api';
import { CHIP_IDENTITIES } from '../esp/chips/table';
import { CHIP_NAMES, VIRTUAL_CHIPS } from '../vocabulary';
import type { PortEntry } from './contract';
import type { ServiceDeps, VirtualDevice } from './deps';

/** The baud virtual devices flash at by default (a typical CP210x board). */
export const VIRTUAL_DEFAULT_BAUD = 460800;

export function isSimUrl(path: string): boolean {
  return path.startsWith('sim:');
}

export class VirtualDevices {
  private readonly devices = new Map<string, VirtualDevice>();
  /** Boards the station unplugged: kept (with their flash, like a real board on the shelf) but not listed. */
  private readonly unplugged = new Set<string>();

  constructor(
    private readonly create: ServiceDeps['createVirtualDevice'],
    private readonly clock: Clock,
  ) {}

  /** The board behind a URL, created on first use (throws the simulator's BAD_REQUEST for a bad URL). */
  get(url: string): VirtualDevice {
    let device = this.devices.get(url);
    if (!device) {
      device = this.create(url, this.clock);
      this.devices.set(url, device);
    }
    return device;
  }

  /** A board plugged in (the station's virtual plug): created on first use and listed from now on. */
  plugIn(url: string): VirtualDevice {
    const device = this.get(url);
    this.unplugged.delete(url);
    return device;
  }

  /** A board unplugged: no longer listed until it is plugged in again. The three plain boards are always offered. */
  unplug(url: string): void {
    if (!isPlainBoard(url)) this.unplugged.add(url);
  }

  peek(url: string): VirtualDevice | undefined {
    return this.devices.get(url);
  }

  /** Port-picker entries: the three plain boards, then any other URL used in this session (e.g. with a fault). */
  entries(): PortEntry[] {
    const urls: string[] = VIRTUAL_CHIPS.map((c) => `sim:${c}`);
    for (const url of this.devices.keys())
      if (!urls.includes(url) && !this.unplugged.has(url)) urls.push(url);
    return urls.map((url) => {
      const chipName = url.slice(4).split('?')[0] ?? '';
      // A board in use knows its chip (aliases such as sim:esp32-c3 included); a listed-only one is named by its URL.
      const chip: ChipName | undefined =
        this.devices.get(url)?.chip ?? CHIP_NAMES.find((c) => c === chipName);
      const display = chip ? CHIP_IDENTITIES[chip].displayName : chipName;
      const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
      const entry: PortEntry = {
        path: url,
        group: 'virtual',
        label: `Virtual ${display} (simulated)${query ? ` — ${query}` : ''}`,
        detail: 'No hardware needed: a simulated board inside Kiln that keeps its flash while the app runs.',
        defaultBaud: VIRTUAL_DEFAULT_BAUD,
      };
      if (chip) entry.chip = chip;
      return entry;
    });
  }

  disposeAll(): void {
    for (const d of this.devices.values()) d.dispose?.();
    this.devices.clear();
    this.unplugged.clear();
  }
}

function isPlainBoard(url: string): boolean {
  return (VIRTUAL_CHIPS as readonly string[]).some((c) => url === `sim:${c}`);
}
