/**
 * Opening a port and bringing up the loader, the same way for every job: virtual boards through their
 * registry, everything else through the serial layer, always at the ROM's 115200 (the engine switches to the
 * data baud after the stub is up). The transport is closed on every path out, including failed connects
 * and cancellation, so the port is free for the next job.
 */
import type { BeforeMode, EngineHooks, EspSessionApi } from '../esp/api';
import type { Transport } from '../serial/transport';
import type { ServiceDeps } from './deps';
import type { ResolvedPort } from './port-directory';
import type { VirtualDevices } from './virtual-devices';
import { ROM_BAUD } from '../vocabulary';

export interface ConnectionEnv {
  deps: ServiceDeps;
  virtual: VirtualDevices;
}

export async function openPortTransport(
  env: ConnectionEnv,
  port: ResolvedPort,
  baudRate: number,
): Promise<Transport> {
  if (port.kind === 'virtual') return env.virtual.get(port.path).open(baudRate);
  const opts: { baudRate: number; usbId?: string } = { baudRate };
  if (port.info?.usbId) opts.usbId = port.info.usbId;
  // Open the by-id name the user chose when there is one: it survives re-enumeration between jobs.
  return env.deps.openTransport(port.path, opts);
}

export interface DeviceRequest {
  port: ResolvedPort;
  /** Data baud after the stub is up. */
  baud: number;
  before?: BeforeMode;
  signal: AbortSignal;
  hooks: EngineHooks;
}

/** `fn` also gets the open Transport (the post-flash boot check listens on it after the session's reset). */
export async function withDevice<T>(
  env: ConnectionEnv,
  req: DeviceRequest,
  fn: (session: EspSessionApi, transport: Transport) => Promise<T>,
): Promise<T> {
  const transport = await openPortTransport(env, req.port, ROM_BAUD);
  try {
    const opts: Parameters<ServiceDeps['connect']>[1] = {
      baud: req.baud,
      signal: req.signal,
      clock: env.deps.clock,
      ...req.hooks,
    };
    if (req.before) opts.before = req.before;
    const session = await env.deps.connect(transport, opts);
    try {
      return await fn(session, transport);
    } finally {
      await session.close().catch(() => undefined);
    }
  } finally {
    if (transport.isOpen) await transport.close().catch(() => undefined);
  }
}
