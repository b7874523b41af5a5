/**
 * Opening a port and bringing up the loader, the same way for every run: the port is opened at the ROM's 115200
 * (the engine switches to the data baud once the stub is up) by an opener the caller supplies — the service
 * builds the one opener (virtual boards through its registry, everything else through the serial layer), tests
 * pass their own. The transport is closed on every path out, including failed connects and cancellation, so the
 * port is free for the next run.
 */
import type { Clock } from '../core/clock';
import type { BeforeMode, ConnectFn, EngineHooks, EspSessionApi } from '../esp';
import { ROM_BAUD } from '../vocabulary';
import type { Transport } from '../serial/transport';
import { waitForDownloadMode, type GuidedEvent } from './guided';

/** A port as a run names it: the path the user chose and, for USB adapters, its VID:PID. */
export interface PortRef {
  path: string;
  usbId?: string | undefined;
}

/** The engine's reset choices, plus 'manual': the guided download mode (guided.ts) for boards Kiln cannot reset. */
export type RunBefore = BeforeMode | 'manual';

/** How the guided download mode listens and whom it tells (only with `before: 'manual'`). */
export interface GuidedOptions {
  /** 74880 (ESP8266, default) or 115200 (ESP32 family). */
  listenBaud?: number | undefined;
  /** The user says they powered the board up; without it Kiln listens until cancelled. */
  userDone?: Promise<void> | undefined;
  onEvent(e: GuidedEvent): void;
}

/** Opens a port at `baudRate` (default: the ROM's 115200). */
export type PortOpener = (port: PortRef, baudRate?: number) => Promise<Transport>;

interface DeviceRequest {
  port: PortRef;
  openPort: PortOpener;
  connect: ConnectFn;
  clock: Clock;
  /** Data baud after the stub is up. */
  baud: number;
  before?: RunBefore | undefined;
  guided?: GuidedOptions | undefined;
  signal: AbortSignal;
  hooks: EngineHooks;
}

/** Runs `fn` with a connected session; `fn` also gets the open Transport (the boot check listens on it). */
export async function withDevice<T>(
  req: DeviceRequest,
  fn: (session: EspSessionApi, transport: Transport) => Promise<T>,
): Promise<T> {
  const transport = await req.openPort(req.port, ROM_BAUD);
  try {
    const opts: Parameters<ConnectFn>[1] = {
      baud: req.baud,
      signal: req.signal,
      clock: req.clock,
      ...req.hooks,
    };
    if (req.before === 'manual') {
      // The user brings the chip into download mode by hand; then sync at once, without touching the lines.
      await waitForDownloadMode({
        transport,
        clock: req.clock,
        signal: req.signal,
        listenBaud: req.guided?.listenBaud,
        userDone: req.guided?.userDone,
        onEvent: (e) => req.guided?.onEvent(e),
      });
      opts.before = 'no-reset';
    } else if (req.before) opts.before = req.before;
    const session = await req.connect(transport, opts);
    try {
      return await fn(session, transport);
    } finally {
      await session.close().catch(() => undefined);
    }
  } finally {
    if (transport.isOpen) await transport.close().catch(() => undefined);
  }
}
