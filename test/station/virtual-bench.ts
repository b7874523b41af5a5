/**
 * A bench of simulated boards for driving a Station directly: one SimulatedDevice per port path (distinct MACs
 * by seed), a firmware source in memory, a temp folder for reports and backups, and a VirtualClock so a whole
 * batch at 921600 baud is modelled exactly in little wall time.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VirtualClock, type Clock } from '../../src-main/core/clock';
import { KilnError } from '../../src-main/core/errors';
import { connectEsp } from '../../src-main/esp';
import { buildImage } from '../../src-main/esp/image';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { SimulatedDevice } from '../../src-main/sim';
import type { FlashWiring, SimChip, SimFaults } from '../../src-main/sim';
import type { StationDeps } from '../../src-main/station';
import type { ProfileInput } from '../../src-main/station/schemas';
import { parseProfile } from '../../src-main/station';

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A small valid ESP8266 image (header + one segment of seeded bytes + checksum): fast at 921600. */
export function smallImage(seed = 1, bytes = 12 * 1024, chip: 'esp8266' | 'esp32c3' = 'esp8266'): Buffer {
  const data = Buffer.alloc(bytes);
  let x = seed * 2654435761;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  return buildImage({
    chip,
    entry: 0x40100000,
    segments: [{ address: 0x40100000, data }],
    mode: 'dio',
    freq: '40m',
    size: '4MB',
  });
}

export interface BenchBoard {
  path: string;
  device: SimulatedDevice;
}

export class VirtualBench {
  readonly clock: Clock;
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-station-'));
  readonly boards = new Map<string, SimulatedDevice>();
  readonly firmware = new Map<string, Uint8Array>();
  readonly opened: string[] = [];
  /** Boards whose cable corrupts bytes above a baud (see `board`'s `noisyAbove`). */
  private readonly cables = new Map<string, { baud: number; noiseRate: number; faults: SimFaults }>();

  constructor(clock: Clock = new VirtualClock()) {
    this.clock = clock;
  }

  /** Adds a board on `path` (a sim: URL or any name); seed gives it its own MAC. */
  board(
    pathName: string,
    o: {
      chip?: SimChip;
      seed: number;
      mac?: string;
      faults?: SimFaults;
      flashImage?: Uint8Array;
      flashWiring?: FlashWiring;
      /**
       * A cable or adapter that corrupts bytes faster than `baud` (a clone CH340 or long wires at 921600): the
       * simulator's own seeded noise fault, switched on while the line runs above that rate.
       */
      noisyAbove?: { baud: number; noiseRate: number };
    },
  ): SimulatedDevice {
    const device = new SimulatedDevice({
      chip: o.chip ?? 'esp8266',
      seed: o.seed,
      clock: this.clock,
      faults: o.faults ?? {},
      ...(o.mac ? { mac: o.mac } : {}),
      ...(o.flashImage ? { flashImage: o.flashImage } : {}),
      ...(o.flashWiring ? { flashWiring: o.flashWiring } : {}),
    });
    this.boards.set(pathName, device);
    if (o.noisyAbove) this.cables.set(pathName, { ...o.noisyAbove, faults: o.faults ?? {} });
    return device;
  }

  addFirmware(bytes: Uint8Array): string {
    const h = sha256(bytes);
    this.firmware.set(h, bytes);
    return h;
  }

  profile(p: Omit<ProfileInput, 'baud'> & { baud?: ProfileInput['baud'] }) {
    return parseProfile({ baud: 921600, ...p });
  }

  deps(extra: Partial<StationDeps> = {}): StationDeps {
    return {
      clock: this.clock,
      connect: connectEsp,
      openPort: async (port) => {
        const device = this.boards.get(port.path);
        if (!device) throw new KilnError('PORT_NOT_FOUND', `${port.path} is not on the bench.`);
        this.opened.push(port.path);
        const pair = createMemoryPair({ path: port.path, baudRate: 115200 });
        device.attach(pair.device);
        const cable = this.cables.get(port.path);
        if (cable) {
          const at = (baud: number) =>
            device.setFaults(
              baud > cable.baud ? { ...cable.faults, noiseRate: cable.noiseRate } : cable.faults,
            );
          at(pair.device.hostBaudRate);
          pair.device.onBaudRate(at);
        }
        return pair.host;
      },
      firmware: {
        get: async (h) => {
          const b = this.firmware.get(h);
          if (!b) throw new KilnError('NOT_FOUND', `no firmware ${h}`);
          return b;
        },
        has: async (h) => this.firmware.has(h),
      },
      backupsRoot: path.join(this.dir, 'backups'),
      ...extra,
    };
  }

  get reportFile(): string {
    return path.join(this.dir, 'report.jsonl');
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
