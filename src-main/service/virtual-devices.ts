/**
 * The app's virtual devices: one simulated board per `sim:` URL, created on first use and kept while there is
 * room, so a second flash finds what the first one wrote (and skip-unchanged has something to skip). They
 * run on the host's real clock: a virtual board at 115200 baud takes as long as a real one.
 *
 * Any page may name any number of `sim:` URLs, so boards are bounded: at most MAX_LIVE_VIRTUAL_BOARDS live, with
 * at most MAX_VIRTUAL_FLASH_BYTES of flash between them (their flash is sparse, allocated as it is written).
 * To make room, idle boards (no open connection, not plugged into the station) are released, least recently
 * used first; when none is idle the new board is refused. A URL is checked without creating a board
 * (`check`), so a call that fails afterwards leaves nothing behind.
 */
import type { Clock } from '../core/clock';
import { KilnError } from '../core/errors';
import type { ChipName } from '../esp/api';
import { CHIP_IDENTITIES } from '../esp/chips/table';
import { CHIP_NAMES, VIRTUAL_CHIPS } from '../vocabulary';
import type { PortEntry } from './contract';
import type { Transport } from '../serial/transport';
import type { ServiceDeps, VirtualDevice } from './deps';

/** The baud virtual devices flash at by default (a typical CP210x board). */
export const VIRTUAL_DEFAULT_BAUD = 460800;
export const MAX_LIVE_VIRTUAL_BOARDS = 16;
/** Declared flash of all live boards together (two 256 MB boards, or sixty-four 4 MB ones). */
export const MAX_VIRTUAL_FLASH_BYTES = 512 * 1024 * 1024;

export function isSimUrl(path: string): boolean {
  return path.startsWith('sim:');
}

interface Board {
  device: VirtualDevice;
  /** Connections open now (a board with one is never released). */
  open: number;
  lastUsed: number;
}

export class VirtualDevices {
  private readonly boards = new Map<string, Board>();
  /** Boards the station unplugged: kept (with their flash, like a real board on the shelf) but not listed. */
  private readonly unplugged = new Set<string>();
  /** Boards the station holds plugged in: never released. */
  private readonly plugged = new Set<string>();
  private useCounter = 0;

  constructor(
    private readonly create: ServiceDeps['createVirtualDevice'],
    private readonly clock: Clock,
  ) {}

  /** Throws the simulator's BAD_REQUEST for a bad URL; creates no board (a trial one is dropped at once). */
  check(url: string): void {
    if (this.boards.has(url)) return;
    this.create(url, this.clock).dispose?.();
  }

  /** The board behind a URL, created on first use (throws the simulator's BAD_REQUEST for a bad URL). */
  get(url: string): VirtualDevice {
    let board = this.boards.get(url);
    if (!board) {
      const device = this.create(url, this.clock);
      try {
        this.makeRoom(url, device.flashSize ?? 0);
      } catch (e) {
        device.dispose?.();
        throw e;
      }
      board = { device: this.counted(device, () => board!), open: 0, lastUsed: 0 };
      this.boards.set(url, board);
    }
    board.lastUsed = ++this.useCounter;
    return board.device;
  }

  /** The device as handed out: its connections are counted, so a board in use is never released. */
  private counted(device: VirtualDevice, board: () => Board): VirtualDevice {
    const open = (baudRate: number): Transport => {
      const transport = device.open(baudRate);
      const b = board();
      b.open++;
      let closed = false;
      const close = transport.close.bind(transport);
      transport.close = async () => {
        try {
          await close();
        } finally {
          if (!closed) {
            closed = true;
            b.open--;
            b.lastUsed = ++this.useCounter;
          }
        }
      };
      return transport;
    };
    return Object.assign(Object.create(device) as VirtualDevice, { open });
  }

  private makeRoom(url: string, flashSize: number): void {
    const used = () => [...this.boards.values()].reduce((sum, b) => sum + (b.device.flashSize ?? 0), 0);
    const full = () =>
      this.boards.size + 1 > MAX_LIVE_VIRTUAL_BOARDS || used() + flashSize > MAX_VIRTUAL_FLASH_BYTES;
    while (full()) {
      const idle = [...this.boards.entries()]
        .filter(([u, b]) => b.open === 0 && !this.plugged.has(u))
        .sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
      if (!idle) {
        throw new KilnError('BAD_REQUEST', `No room for another virtual board (${url}).`, {
          hint: `Kiln keeps at most ${MAX_LIVE_VIRTUAL_BOARDS} virtual boards with ${MAX_VIRTUAL_FLASH_BYTES / 1024 / 1024} MB of flash between them, and every one is in use. Close a monitor or finish a job first.`,
          details: { url, liveBoards: this.boards.size },
        });
      }
      this.release(idle[0]);
    }
  }

  private release(url: string): void {
    this.boards.get(url)?.device.dispose?.();
    this.boards.delete(url);
    this.unplugged.delete(url);
    this.plugged.delete(url);
  }

  /** A board plugged in (the station's virtual plug): created on first use and listed from now on. */
  plugIn(url: string): VirtualDevice {
    const device = this.get(url);
    this.unplugged.delete(url);
    this.plugged.add(url);
    return device;
  }

  /** A board unplugged: no longer listed until it is plugged in again. The three plain boards are always offered. */
  unplug(url: string): void {
    this.plugged.delete(url);
    if (!isPlainBoard(url)) this.unplugged.add(url);
  }

  peek(url: string): VirtualDevice | undefined {
    return this.boards.get(url)?.device;
  }

  /** Port-picker entries: the three plain boards, then any other URL used in this session (e.g. with a fault). */
  entries(): PortEntry[] {
    const urls: string[] = VIRTUAL_CHIPS.map((c) => `sim:${c}`);
    for (const url of this.boards.keys()) if (!urls.includes(url) && !this.unplugged.has(url)) urls.push(url);
    return urls.map((url) => {
      const chipName = url.slice(4).split('?')[0] ?? '';
      // A board in use knows its chip (aliases such as sim:esp32-c3 included); a listed-only one is named by its URL.
      const chip: ChipName | undefined =
        this.boards.get(url)?.device.chip ?? CHIP_NAMES.find((c) => c === chipName);
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
    for (const b of this.boards.values()) b.device.dispose?.();
    this.boards.clear();
    this.unplugged.clear();
    this.plugged.clear();
  }
}

function isPlainBoard(url: string): boolean {
  return (VIRTUAL_CHIPS as readonly string[]).some((c) => url === `sim:${c}`);
}
