/**
 * Fakes for the service's dependencies: a scripted engine session that really "stores" what it is asked to
 * flash (and computes real MD5s of it), memory-pair transports that record opens and closes, a fixed port
 * list and a doctor that records what it was asked. Each test builds its own set; nothing is module-level.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { realClock, type Clock } from '../../src-main/core/clock';
import type { ConnectCapture } from '../../src-main/core/capture';
import { cancelled, KilnError, throwIfAborted } from '../../src-main/core/errors';
import type {
  ConnectOptions,
  DeviceInfo,
  EspSessionApi,
  FlashOptions,
  FlashResult,
  ReadOptions,
} from '../../src-main/esp/api';
import type { PortInfo } from '../../src-main/serial/discovery';
import { createMemoryPair, type DeviceEnd } from '../../src-main/serial/memory-pair';
import type { Transport } from '../../src-main/serial/transport';
import { bridgeFor, defaultBaudFor } from '../../src-main/serial/usb-bridges';
import type { Diagnosis } from '../../src-main/service/contract';
import type { DoctorFunctions, ServiceConfig, ServiceDeps, VirtualDevice } from '../../src-main/service/deps';
import { silentLogger } from '../../src-main/service/deps';
import { createService, type KilnService } from '../../src-main/service/service';
import { noiseBytes } from '../helpers/sim-bench';
import type { EventName, EventPayload } from '../../src-main/service/contract';

export function tempDir(prefix = 'kiln-service-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function cp2102(path = '/dev/ttyUSB0'): PortInfo {
  const bridge = bridgeFor('10c4', 'ea60');
  const p: PortInfo = {
    path,
    vendorId: '10c4',
    productId: 'ea60',
    usbId: '10c4:ea60',
    serialNumber: '0001',
    manufacturer: 'Silicon Labs',
    product: 'CP2102 USB to UART Bridge Controller',
    byId: '/dev/serial/by-id/usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001-if00-port0',
    defaultBaud: defaultBaudFor(bridge),
  };
  if (bridge) p.bridge = bridge;
  return p;
}

export function md5(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/** What a test can script per connect call. */
export interface ConnectScript {
  /** Throw this from connect (e.g. SYNC_FAILED with a capture). */
  failConnect?: (transport: Transport, opts: ConnectOptions) => KilnError | undefined;
  /** Throw this from flash at a given baud. */
  failFlash?: (baud: number) => KilnError | undefined;
  /** When set, flash waits for this promise (or the abort signal) after the first progress event. */
  holdFlash?: Promise<void>;
  /** Report every region as written but not verified (as the engine does where it cannot read the flash back). */
  cannotVerify?: boolean;
}

export const CAPTURE: ConnectCapture = {
  port: '/dev/ttyUSB0',
  syncFrameHex: 'c000082400000000000707122055555555c0',
  attempts: [
    { strategy: 'unix-tight', baud: 115200, rxHex: '' },
    { strategy: 'classic', baud: 115200, rxHex: '' },
  ],
};

export const WIRING_DIAGNOSIS: Diagnosis = {
  code: 'NO_RESPONSE_WIRING',
  title: 'No reply at all',
  explanation: 'Nothing came back from the board.',
  evidence: ['0 bytes in 2 attempts'],
  steps: ['Swap TX and RX'],
  confidence: 'medium',
};

export class FakeEngine {
  /** The "flash" of every device (by transport path). */
  readonly flashes = new Map<string, Uint8Array>();
  readonly connects: { path: string; baud: number | undefined }[] = [];
  readonly transports: Transport[] = [];
  script: ConnectScript = {};

  connect = async (transport: Transport, opts: ConnectOptions): Promise<EspSessionApi> => {
    this.transports.push(transport);
    this.connects.push({ path: transport.info.path, baud: opts.baud });
    throwIfAborted(opts.signal);
    opts.onProgress?.({ phase: 'connecting', bytesDone: 0, bytesTotal: 0, bytesPerSecond: 0 });
    const failure = this.script.failConnect?.(transport, opts);
    if (failure) throw failure;
    const flash = this.flashes.get(transport.info.path) ?? new Uint8Array(4 * 1024 * 1024).fill(0xff);
    this.flashes.set(transport.info.path, flash);
    const baud = opts.baud ?? 115200;
    const info: DeviceInfo = {
      chip: 'esp8266',
      description: 'ESP8266EX',
      revision: '',
      features: ['WiFi'],
      mac: 'aa:bb:cc:00:11:22',
      crystalMHz: 26,
      flashId: 0x1640ef,
      flashSize: flash.length,
      stub: true,
      baud,
    };
    const script = this.script;
    let closed = false;
    return {
      info,
      async flash(o: FlashOptions): Promise<FlashResult> {
        const total = o.images.reduce((n, i) => n + i.data.length, 0);
        let done = 0;
        const regions = [];
        for (const img of o.images) {
          throwIfAborted(o.signal);
          const fail = script.failFlash?.(baud);
          if (fail) throw fail;
          // Two acknowledged halves, so progress mapping has something to map.
          const half = Math.floor(img.data.length / 2);
          flash.set(img.data.subarray(0, half), img.offset);
          done += half;
          o.onProgress?.({
            phase: 'writing',
            bytesDone: done,
            bytesTotal: total,
            bytesPerSecond: 1000,
            region: regions.length,
          });
          if (script.holdFlash) {
            await Promise.race([
              script.holdFlash,
              new Promise<void>((_, reject) =>
                o.signal?.addEventListener('abort', () => reject(cancelled()), { once: true }),
              ),
            ]);
          }
          throwIfAborted(o.signal);
          flash.set(img.data.subarray(half), img.offset + half);
          done += img.data.length - half;
          o.onProgress?.({
            phase: 'writing',
            bytesDone: done,
            bytesTotal: total,
            bytesPerSecond: 1000,
            region: regions.length,
          });
          o.onProgress?.({
            phase: 'verifying',
            bytesDone: img.data.length,
            bytesTotal: img.data.length,
            bytesPerSecond: 0,
            region: regions.length,
          });
          const stored = flash.subarray(img.offset, img.offset + img.data.length);
          regions.push({
            offset: img.offset,
            size: img.data.length,
            md5: md5(stored),
            bytesSent: img.data.length,
            blocksSkipped: 0,
            blocksTotal: 1,
            verified: !script.cannotVerify && md5(stored) === md5(img.data),
            name: img.name,
          });
        }
        return { regions, bytesSent: total, durationMs: 1 };
      },
      async readFlash(o: ReadOptions) {
        throwIfAborted(o.signal);
        o.onProgress?.({ phase: 'reading', bytesDone: o.size, bytesTotal: o.size, bytesPerSecond: 1000 });
        return flash.slice(o.offset, o.offset + o.size);
      },
      async eraseAll() {
        flash.fill(0xff);
      },
      async eraseRegion(offset: number, size: number) {
        flash.fill(0xff, offset, offset + size);
      },
      async finish() {},
      async close() {
        if (closed) return;
        closed = true;
        await transport.close();
      },
    };
  };
}

export class FakeDoctor implements DoctorFunctions {
  readonly diagnosed: { capture: ConnectCapture; context: { usbId?: string } }[] = [];
  holders: string[] = ['minicom (pid 4242)'];
  async accessReport(opts: { port?: string }) {
    return {
      platform: 'linux',
      ok: true,
      worst: 'ok' as const,
      processGroups: ['dialout'],
      databaseGroups: ['dialout'],
      system: [],
      ports: opts.port ? [{ path: opts.port, present: true, findings: [] }] : [],
    };
  }
  diagnoseSync(capture: ConnectCapture, context: { usbId?: string }): Diagnosis {
    this.diagnosed.push({ capture, context });
    return WIRING_DIAGNOSIS;
  }
  async runFix(fixId: string) {
    return { ok: fixId === 'ok-fix', status: fixId === 'ok-fix' ? ('done' as const) : ('failed' as const) };
  }
  async findPortHolders() {
    return this.holders;
  }
}

export interface Harness {
  service: KilnService;
  engine: FakeEngine;
  doctor: FakeDoctor;
  ports: PortInfo[];
  opened: Transport[];
  /** The device end of each opened transport (same index). */
  devices: DeviceEnd[];
  dataDir: string;
  events: { event: EventName; payload: unknown }[];
  /** How many whole listings the service asked for (each one is a udevadm run on a real host). */
  listings: number;
  watch?: { onAdded(p: PortInfo): void; onRemoved(path: string): void };
  /** Resolves when an event matching the predicate arrives (or has arrived). */
  next<E extends EventName>(event: E, pred?: (p: EventPayload<E>) => boolean): Promise<EventPayload<E>>;
  of<E extends EventName>(event: E): EventPayload<E>[];
}

export function harness(
  opts: { ports?: PortInfo[]; clock?: Clock; dataDir?: string; watch?: boolean; findPort?: boolean } = {},
): Harness {
  const engine = new FakeEngine();
  const doctor = new FakeDoctor();
  const ports = opts.ports ?? [cp2102()];
  const opened: Transport[] = [];
  const devices: DeviceEnd[] = [];
  const open = (p: string, baudRate: number) => {
    const pair = createMemoryPair({ path: p, baudRate });
    opened.push(pair.host);
    devices.push(pair.device);
    return pair.host;
  };
  const dataDir = opts.dataDir ?? tempDir();
  const h: Partial<Harness> = { engine, doctor, ports, opened, devices, dataDir, events: [], listings: 0 };
  const deps: ServiceDeps = {
    connect: engine.connect,
    async openTransport(p, o) {
      return open(p, o.baudRate);
    },
    async listPorts() {
      h.listings!++;
      return [...ports];
    },
    createVirtualDevice(url): VirtualDevice {
      if (!/^sim:(esp8266|esp32|esp32c3)(\?.*)?$/.test(url))
        throw new KilnError('BAD_REQUEST', `no simulator for ${url}`);
      return {
        url,
        chip: 'esp8266',
        open: (baudRate) => open(url, baudRate),
        readFlash: (offset, size) =>
          (engine.flashes.get(url) ?? new Uint8Array(0)).slice(offset, offset + size),
      };
    },
    doctor,
    clock: opts.clock ?? realClock,
  };
  if (opts.findPort) deps.findPort = async (p) => ports.find((x) => x.path === p);
  if (opts.watch) {
    deps.watchPorts = (handlers) => {
      h.watch = handlers;
      return { close() {} };
    };
  }
  const config: ServiceConfig = {
    host: 'web',
    appName: 'Kiln',
    appVersion: '0.0.0-test',
    dataDir,
    logDir: path.join(dataDir, 'logs'),
    logger: silentLogger,
  };
  const service = createService(deps, config);
  const waiters: { event: EventName; pred: (p: never) => boolean; resolve: (p: unknown) => void }[] = [];
  service.subscribe((event, payload) => {
    h.events!.push({ event, payload });
    for (const w of [...waiters]) {
      if (w.event === event && w.pred(payload as never)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(payload);
      }
    }
  });
  h.service = service;
  h.next = (event, pred = () => true) => {
    const seen = h.events!.find((e) => e.event === event && pred(e.payload as never));
    if (seen) return Promise.resolve(seen.payload as never);
    return new Promise((resolve) =>
      waiters.push({ event, pred: pred as (p: never) => boolean, resolve: resolve as (p: unknown) => void }),
    );
  };
  h.of = (event) => h.events!.filter((e) => e.event === event).map((e) => e.payload as never);
  return h as Harness;
}

/** Deterministic bytes (incompressible, as a Uint8Array the way clients send them). */
export function pattern(len: number, seed = 1): Uint8Array {
  return new Uint8Array(noiseBytes(len, seed));
}
