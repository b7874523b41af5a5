/**
 * The engine's public shape, as the service, CLI and station see it. Implementation lives beside this file
 * (session, connect, flash, read, erase); keep this file types-only so other rooms can depend on it early.
 */
import type { Clock } from '../core/clock';
import type { Transport } from '../serial/transport';

import type { ChipName } from '../vocabulary';

export type { ChipName };

/** `default` = the reset strategies that suit the port (esptool's cycle); `no-reset` = the user holds GPIO0 low. */
export type BeforeMode = 'default' | 'no-reset' | 'usb-reset';
export type AfterMode = 'hard-reset' | 'no-reset';
export type FlashModeOption = 'keep' | 'qio' | 'qout' | 'dio' | 'dout';
export type FlashFreqOption = 'keep' | '80m' | '40m' | '26m' | '20m';
/** 'detect' = the size read from the flash chip's JEDEC id. */
export type FlashSizeOption =
  'keep' | 'detect' | '256KB' | '512KB' | '1MB' | '2MB' | '4MB' | '8MB' | '16MB' | '32MB' | '64MB' | '128MB';

export type Phase =
  | 'connecting'
  | 'detecting'
  | 'stub'
  | 'baud'
  | 'planning'
  | 'erasing'
  | 'writing'
  | 'verifying'
  | 'reading'
  | 'resetting'
  | 'done';

export interface ProgressEvent {
  phase: Phase;
  /** Bytes the device acknowledged in this phase (uncompressed image bytes when writing). */
  bytesDone: number;
  bytesTotal: number;
  /** Smoothed rate of acknowledged bytes. */
  bytesPerSecond: number;
  /** Which region (index into the plan) this refers to, when the phase is per-region. */
  region?: number;
}

export type LogLevel = 'debug' | 'info' | 'warn';

export interface EngineHooks {
  onProgress?(e: ProgressEvent): void;
  onLog?(level: LogLevel, message: string): void;
}

export interface ConnectOptions extends EngineHooks {
  /**
   * Baud for data transfer after the stub is up. The first SYNC goes at this baud where a reset can follow, so an
   * ESP8266 (no CHANGE_BAUDRATE) takes the stub at it; otherwise the handshake is at 115200 (esp/flasher/fast-sync.ts).
   */
  baud?: number;
  before?: BeforeMode;
  /** Upload and run the flasher stub (default true). False = ROM only (slow; ESP8266 ROM path). */
  useStub?: boolean;
  /** Connection attempts (default 7, cycling reset strategies as esptool does). */
  attempts?: number;
  signal?: AbortSignal;
  clock?: Clock;
}

export interface DeviceInfo {
  chip: ChipName;
  /** Human description, e.g. 'ESP32-D0WD-V3 (revision v3.1)'. */
  description: string;
  revision: string;
  features: string[];
  /** 'aa:bb:cc:dd:ee:ff' */
  mac: string;
  crystalMHz: number;
  /** JEDEC id as 24-bit number (manufacturer in the low byte). */
  flashId: number;
  /** Bytes, from the JEDEC capacity byte; 0 when unknown. */
  flashSize: number;
  /** True once the flasher stub is running. */
  stub: boolean;
  baud: number;
}

export interface FlashImage {
  offset: number;
  data: Uint8Array;
  /** File name for messages and reports. */
  name?: string;
}

export interface FlashOptions extends EngineHooks {
  images: FlashImage[];
  eraseAll?: boolean;
  /** Compare the device's MD5 per region and send only what differs (default true). */
  skipUnchanged?: boolean;
  flashMode?: FlashModeOption;
  flashFreq?: FlashFreqOption;
  flashSize?: FlashSizeOption;
  /** Compress with zlib when a stub runs (default true). */
  compress?: boolean;
  signal?: AbortSignal;
}

export interface RegionResult {
  offset: number;
  /** Bytes written to flash for this image (padded to 4). */
  size: number;
  /** MD5 of the padded image, as verified on the device (hex). */
  md5: string;
  /** Bytes sent on the wire for this image (compressed if compressed), 0 when entirely skipped. */
  bytesSent: number;
  /** Sub-blocks skipped because the device already held them. */
  blocksSkipped: number;
  blocksTotal: number;
  verified: boolean;
  name?: string;
}

export interface FlashResult {
  regions: RegionResult[];
  bytesSent: number;
  durationMs: number;
}

export interface ReadOptions extends EngineHooks {
  offset: number;
  size: number;
  signal?: AbortSignal;
}

/** A connected chip. Always `close()` it (or use `withSession`), which closes the Transport. */
export interface EspSessionApi {
  readonly info: DeviceInfo;
  flash(opts: FlashOptions): Promise<FlashResult>;
  readFlash(opts: ReadOptions): Promise<Uint8Array>;
  eraseAll(opts?: EngineHooks & { signal?: AbortSignal }): Promise<void>;
  eraseRegion(offset: number, size: number, opts?: EngineHooks & { signal?: AbortSignal }): Promise<void>;
  /** Leaves the loader: hard reset (RTS pulse) or nothing. */
  finish(after: AfterMode): Promise<void>;
  close(): Promise<void>;
}

export type ConnectFn = (transport: Transport, opts: ConnectOptions) => Promise<EspSessionApi>;
