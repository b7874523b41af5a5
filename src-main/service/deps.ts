/**
 * Everything the service needs from the outside world, passed in by each host (ExpressLRS Configurator's
 * config + logger injection): the engine, the serial layer, the simulator, the doctor, a clock, the data folder and a logger. `default-deps.ts` wires the real modules; tests pass fakes. No
 * environment switches and no Electron here. Pure modules (image
 * inspection and planning, the bridge table, reset sequences) are imported directly by the service.
 */
import type { Clock } from '../core/clock';
import type { ConnectCapture } from '../core/capture';
import type { ChipName, ConnectFn } from '../esp/api';
import type { PortInfo } from '../serial/discovery';
import type { Transport } from '../serial/transport';
import type { VirtualHands } from '../sim/hands';
import type { AccessReport, Diagnosis, HostKind, MethodOutput } from './contract';

export interface Logger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export type { PortInfo } from '../serial/discovery';

export interface PortWatchHandlers {
  onAdded(port: PortInfo): void;
  onRemoved(path: string): void;
}

/**
 * One simulated board, alive for the app's lifetime so its flash survives between jobs. Each `open()` gives a
 * fresh host Transport wired to the same board (the previous connection is gone once its Transport closes).
 */
export interface VirtualDevice {
  readonly url: string;
  readonly chip: ChipName;
  /** The simulated flash's size in bytes (counted against the cap on all virtual flash). */
  readonly flashSize?: number;
  open(baudRate: number): Transport;
  /** The simulated flash contents (for tests and `kiln sim` inspection). */
  readFlash(offset: number, size: number): Uint8Array;
  /** The user's hands on the board (sim/hands.ts), when its URL asked for them (`hands=`). */
  readonly hands?: VirtualHands;
  dispose?(): void;
}

/** What the host shows before a doctor fix runs: exactly the commands that will run, and any file written. */
export interface FixConfirmationRequest {
  title: string;
  why: string;
  warning?: string;
  /** The argv arrays, in order, exactly as they will be spawned (no shell). */
  commands: string[][];
  preview?: { path: string; content: string };
}

/**
 * The host's own yes or no for a doctor fix: a native dialog (Electron), a question typed in the terminal that
 * runs Kiln (browser mode), the CLI's prompt. Never the page's word: in Electron the page is the trusted main
 * frame and in browser mode it is whatever holds the token, so a page saying "confirmed" proves nothing.
 */
export type FixConfirmation = (request: FixConfirmationRequest) => Promise<boolean>;

/** The doctor, adapted to the contract's shapes (default-deps.ts does the adapting). */
export interface DoctorFunctions {
  accessReport(opts: { port?: string }): Promise<AccessReport>;
  /** `context.usbId` sharpens bridge-specific diagnoses (CH340 kernel regression...). */
  diagnoseSync(capture: ConnectCapture, context: { usbId?: string }): Diagnosis;
  /**
   * Runs a fix of the latest access report once the host's `confirm` said yes to its exact commands. Without
   * a `confirm` nothing runs: the answer is the commands to type by hand.
   */
  runFix(fixId: string, confirm: FixConfirmation | undefined): Promise<MethodOutput<'runFix'>>;
  /** Human-readable holders of a busy port, e.g. ['minicom (pid 4242)']. */
  findPortHolders(path: string): Promise<string[]>;
}

export interface ServiceDeps {
  connect: ConnectFn;
  openTransport(path: string, opts: { baudRate: number; usbId?: string }): Promise<Transport>;
  /** Real ports (the serial layer's discovery). */
  listPorts(): Promise<PortInfo[]>;
  /**
   * One named port without a whole listing (sysfs only, no udevadm); undefined when there is no such port.
   * Optional: without it a port the directory has not listed yet is looked up by listing them all.
   */
  findPort?(path: string): Promise<PortInfo | undefined>;
  /** Hot-plug. Optional: without it the list refreshes on `listPorts` only. */
  watchPorts?(handlers: PortWatchHandlers): { close(): void };
  /** Builds a virtual device for a `sim:` URL (throws BAD_REQUEST for an unknown chip or fault). */
  createVirtualDevice(url: string, clock: Clock): VirtualDevice;
  doctor: DoctorFunctions;
  clock: Clock;
}

/** Per-host configuration. */
export interface ServiceConfig {
  host: HostKind;
  appName: string;
  appVersion: string;
  /** Where the firmware cache, backups and settings live. */
  dataDir: string;
  /** Where the host's log files go (shown by openLogFolder). */
  logDir: string;
  logger: Logger;
  platform?: string;
  /** Finished jobs kept for `listJobs`. */
  keepFinishedJobs?: number;
  /** Size quota of the firmware cache (default DEFAULT_FIRMWARE_CACHE_BYTES). */
  firmwareCacheBytes?: number;
  /** How this host asks the person at the machine before a doctor fix runs; without it fixes only print. */
  confirmFix?: FixConfirmation;
  /**
   * How this host asks before Kiln first opens a `socket://` target (`host:port`); without it only targets
   * confirmed earlier (remembered in the data folder) are opened.
   */
  confirmSocketTarget?: (target: string) => Promise<boolean>;
}
