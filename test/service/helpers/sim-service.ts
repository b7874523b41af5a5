/**
 * A service on the real engine, simulator, image planner and doctor, as a host builds it, with a VirtualClock so
 * modelled transfers cost little wall time. `listPorts` is whatever the test says (no real discovery), and
 * nothing watches for hot-plug.
 */
import path from 'node:path';
import { VirtualClock } from '../../../src-main/core/clock';
import { defaultDeps } from '../../../src-main/service/default-deps';
import { silentLogger, type PortInfo, type ServiceDeps } from '../../../src-main/service/deps';
import { createService, type KilnService } from '../../../src-main/service/service';
import type { EventName, EventPayload, MethodInput } from '../../../src-main/service/contract';
import { tempDir } from '../fakes';

export interface SimService {
  service: KilnService;
  events: { event: EventName; payload: unknown }[];
  dataDir: string;
}

/**
 * The real service on a fresh VirtualClock with no hot-plug watcher (boards are `sim:` URLs or virtual plug-ins),
 * keeping settings and cache in `dataDir` and logs in `logDir`; `override` replaces single dependencies.
 */
export function virtualClockService(
  dataDir: string,
  logDir = dataDir,
  override: Partial<ServiceDeps> = {},
): KilnService {
  const deps: ServiceDeps = { ...defaultDeps({ clock: new VirtualClock() }), ...override };
  delete deps.watchPorts;
  return createService(deps, {
    host: 'cli',
    appName: 'Kiln',
    appVersion: 'test',
    dataDir,
    logDir,
    logger: silentLogger,
  });
}

export function simService(opts: { ports?: PortInfo[] } = {}): SimService {
  const ports = opts.ports ?? [];
  const dataDir = tempDir('kiln-sim-service-');
  const service = virtualClockService(dataDir, path.join(dataDir, 'logs'), {
    listPorts: async () => [...ports],
  });
  const events: { event: EventName; payload: unknown }[] = [];
  service.subscribe((event, payload) => events.push({ event, payload }));
  return { service, events, dataDir };
}

/** Adds the bytes to the firmware cache, starts a flash and waits for its jobDone. */
export async function flashThrough(
  service: KilnService,
  port: string,
  images: { bytes: Uint8Array; name: string; offset?: number }[],
  options: { skipUnchanged?: boolean; baud?: number } = {},
): Promise<EventPayload<'jobDone'>> {
  const refs: MethodInput<'startFlash'>['images'] = [];
  for (const img of images) {
    const { sha256 } = await service.call('inspectFirmware', { name: img.name, bytes: img.bytes });
    refs.push(
      img.offset === undefined ? { sha256, name: img.name } : { sha256, name: img.name, offset: img.offset },
    );
  }
  const input: MethodInput<'startFlash'> = { port, images: refs };
  if (options.skipUnchanged !== undefined) input.options = { skipUnchanged: options.skipUnchanged };
  if (options.baud !== undefined) input.baud = options.baud;
  const { jobId } = await service.call('startFlash', input);
  return (await service.waitForJob(jobId)) as EventPayload<'jobDone'>;
}
