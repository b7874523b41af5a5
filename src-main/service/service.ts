/**
 * The service: one implementation of every contract method, shared by the Electron, web and CLI hosts.
 * Hosts hand it raw input through `invoke` (which validates with the contract's schemas) and relay its events;
 * they never reach past it to the engine, the serial layer or the doctor.
 */
import { KilnError } from '../core/errors';
import { parseCall } from './validate';
import type { JobResult, MethodInput, MethodName, MethodOutput, ParsedInput } from './contract';
import type { ServiceConfig, ServiceDeps, VirtualDevice } from './deps';
import { EventBus, type ServiceEventListener } from './event-bus';
import { describeFailure } from './failure';
import { FirmwareCache } from './firmware-cache';
import { FirmwarePins } from './firmware-pins';
import { summariseFirmware } from './firmware-summary';
import {
  portRef,
  runBackupJob,
  runEraseJob,
  runFlashJob,
  runReadJob,
  runRestoreJob,
  type JobEnv,
} from './flash-jobs';
import { JobManager, type JobContext, type JobDone, type StartJob } from './jobs';
import { Monitors } from './monitors';
import { provisionOnPort, settingsWithSecrets } from './provision-method';
import { createPortOpener } from './port-opener';
import { PortDirectory, type ResolvedPort } from './port-directory';
import { SettingsStore } from './settings-store';
import { SocketTargets } from './socket-targets';
import { isSimUrl, VirtualDevices } from './virtual-devices';
import { createStationService, type StationController } from './station-methods';
import { createFleetService } from './fleet-methods';
import path from 'node:path';
import { checkWholeFlashSize, withDevice } from '../flash';
import { runAdapterSelfTest } from '../doctor/adapter-self-test';
import { parseManifest } from '../esp/image';
import { CHIP_IDENTITIES } from '../esp/chips/table';
import { CHIP_NAMES, MAX_FLASH_BYTES } from '../vocabulary';
import { profileImages } from '../station/profile';

/** A manifest part placed beyond the largest flash is the manifest's fault, said as MANIFEST_INVALID. */
function assertOffsetsFit(m: ReturnType<typeof parseManifest>): void {
  for (const b of m.builds)
    for (const p of b.parts)
      if (p.offset >= MAX_FLASH_BYTES)
        throw new KilnError(
          'MANIFEST_INVALID',
          `part "${p.path}" is placed at ${p.offset}, beyond any flash.`,
          {
            hint: 'Check the offsets in manifest.json (they are byte addresses in flash, e.g. 0x10000 = 65536).',
            details: { part: p.path, offset: p.offset },
          },
        );
}

export type Handlers = { [N in MethodName]: (input: ParsedInput<N>) => Promise<MethodOutput<N>> };

export interface KilnService {
  /** What a host does with an incoming request: validate (BAD_REQUEST on failure), then run. */
  invoke(method: unknown, input: unknown): Promise<unknown>;
  /** Typed in-process call (CLI, tests); validated the same way. */
  call<N extends MethodName>(method: N, input: MethodInput<N>): Promise<MethodOutput<N>>;
  subscribe(listener: ServiceEventListener): () => void;
  /** Resolves with a job's jobDone payload. */
  waitForJob(jobId: string): Promise<JobDone>;
  /** The virtual board behind a `sim:` URL (created on first use). */
  virtualDevice(url: string): VirtualDevice;
  readonly firmwareCache: FirmwareCache;
  /** The batch station (the CLI's `kiln batch` drives it directly to name its own report file). */
  readonly station: StationController;
  /** Cancels jobs, closes monitors and transports, stops hot-plug watching. Idempotent. */
  shutdown(): Promise<void>;
}

export function createService(deps: ServiceDeps, config: ServiceConfig): KilnService {
  const logger = config.logger;
  const bus = new EventBus(logger);
  const virtual = new VirtualDevices(deps.createVirtualDevice, deps.clock);
  const pins = new FirmwarePins(path.join(config.dataDir, 'station', 'profiles'));
  const cache = new FirmwareCache(config.dataDir, {
    ...(config.firmwareCacheBytes !== undefined ? { quotaBytes: config.firmwareCacheBytes } : {}),
    pinned: () => pins.all(),
  });
  const settings = new SettingsStore(config.dataDir, logger);
  const jobs = new JobManager(bus, deps.clock, logger, config.keepFinishedJobs ?? 20);
  const openPort = createPortOpener(deps, virtual);
  const env: JobEnv = { deps, openPort, cache, dataDir: config.dataDir };
  const monitors = new Monitors(openPort, jobs, bus, deps.clock, logger);
  const socketTargets = new SocketTargets(config.dataDir, config.confirmSocketTarget);
  const ports = new PortDirectory(
    deps,
    virtual,
    bus,
    logger,
    async () => (await settings.get()).showVirtualDevices,
    (url) => socketTargets.admit(url),
  );
  let shuttingDown: Promise<void> | undefined;
  const station = createStationService({ deps, config, cache, virtual, openPort, ports, jobs, bus, logger });
  const fleet = createFleetService({ deps, bus, logger });
  // The running station's firmware stays in the cache (a CLI batch may run a profile that is not saved).
  const startStation = station.controller.start.bind(station.controller);
  let releaseStationPins = () => {};
  station.controller.start = async (o) => {
    const release = pins.hold(profileImages(o.profile).map((i) => i.sha256));
    try {
      const snapshot = await startStation(o);
      releaseStationPins();
      releaseStationPins = release;
      return snapshot;
    } catch (e) {
      release();
      throw e;
    }
  };

  const describe = (port: string, usbId?: string) => (e: unknown) =>
    describeFailure(e, { port, usbId }, deps.doctor, logger);
  const describeFor = (port: ResolvedPort) => describe(port.path, port.info?.usbId);

  /** Resolves the port, refuses a busy one, and takes it from a monitor if one is open. */
  async function claimForJob(path: string): Promise<ResolvedPort> {
    if (shuttingDown)
      throw new KilnError('CANCELLED', 'Kiln is shutting down.', { hint: 'Start Kiln again.' });
    const port = await ports.resolve(path);
    if (port.kind === 'virtual') virtual.check(port.path); // a bad sim: URL fails here, before a job exists
    // The user asked for a job on this port: an open monitor gives way (a running job does not).
    await monitors.closeOn(port.lockKey, 'job');
    jobs.assertFree(port.lockKey, port.path);
    return port;
  }

  /** Claims the port and starts a job on it; failures are described with the port's doctor context. */
  async function startJob(
    kind: StartJob['kind'],
    path: string,
    body: (ctx: JobContext, port: ResolvedPort) => Promise<JobResult>,
  ) {
    const port = await claimForJob(path);
    const jobId = jobs.start({
      kind,
      port: port.path,
      lockKey: port.lockKey,
      body: (ctx) => body(ctx, port),
      describeFailure: describeFor(port),
    });
    return { jobId };
  }

  const handlers: Handlers = {
    async appInfo() {
      return {
        name: config.appName,
        version: config.appVersion,
        host: config.host,
        platform: config.platform ?? process.platform,
        logFolder: config.logDir,
        dataFolder: config.dataDir,
      };
    },

    async listPorts() {
      const list = await ports.list();
      ports.watch();
      return { ports: list };
    },

    async identify(input) {
      if (input.before === 'manual') {
        // identify cannot be cancelled, and a hand power-up may never come: the guided mode runs as a job.
        throw new KilnError('BAD_REQUEST', 'identify does not wait for a power-up by hand.', {
          hint: 'Start a flash or a read with before "manual": that job can be cancelled.',
        });
      }
      const port = await claimForJob(input.port);
      const release = jobs.reserve(port.lockKey, port.path, 'identify');
      const controller = new AbortController();
      try {
        const req = {
          port: portRef(port),
          openPort,
          connect: deps.connect,
          clock: deps.clock,
          baud: input.baud ?? port.defaultBaud,
          before: input.before,
          signal: controller.signal,
          hooks: {},
        };
        return await withDevice(req, async (s) => {
          const info = { ...s.info, features: [...s.info.features] };
          await s.finish(input.after ?? 'hard-reset');
          return info;
        });
      } catch (e) {
        const failure = await describeFor(port)(e);
        const details = { ...failure.error.details };
        if (failure.diagnosis) details.diagnosis = failure.diagnosis;
        const opts: ConstructorParameters<typeof KilnError>[2] = { details, cause: e };
        if (failure.error.hint !== undefined) opts.hint = failure.error.hint;
        throw new KilnError(failure.error.code, failure.error.message, opts);
      } finally {
        release();
      }
    },

    async provision(input) {
      const port = await claimForJob(input.port);
      const release = jobs.reserve(port.lockKey, port.path, 'provision');
      try {
        return await provisionOnPort({
          port: portRef(port),
          openPort,
          clock: deps.clock,
          settings: settingsWithSecrets(input.settings),
          timeoutMs: input.timeoutMs,
        });
      } finally {
        release();
      }
    },

    async inspectFirmware(input) {
      const summary = summariseFirmware(input.bytes, input.name);
      const cached = await cache.put(input.bytes);
      return { sha256: cached.sha256, name: input.name, size: cached.size, ...summary };
    },

    async getFirmware(input) {
      return { sha256: input.sha256, bytes: await cache.get(input.sha256) };
    },

    async parseManifest(input) {
      const m = parseManifest(input.json);
      assertOffsetsFit(m);
      const out: MethodOutput<'parseManifest'> = {
        name: m.name,
        builds: m.builds.map((b) => {
          const chip = CHIP_NAMES.find(
            (c) => CHIP_IDENTITIES[c].manifestFamily.toUpperCase() === b.chipFamily.toUpperCase(),
          );
          const build: MethodOutput<'parseManifest'>['builds'][number] = {
            chipFamily: b.chipFamily,
            parts: b.parts.map((p) => ({ path: p.path, offset: p.offset })),
          };
          if (chip) build.chip = chip;
          return build;
        }),
      };
      if (m.version !== undefined) out.version = m.version;
      if (m.new_install_prompt_erase !== undefined) out.newInstallPromptErase = m.new_install_prompt_erase;
      return out;
    },

    async startFlash(input) {
      for (const img of input.images) {
        if (!(await cache.has(img.sha256))) {
          throw new KilnError('NOT_FOUND', `${img.name} is not in Kiln's firmware cache.`, {
            hint: 'Add the file again (it is stored when added).',
            details: { sha256: img.sha256, name: img.name },
          });
        }
      }
      // The job's images stay in the cache until it is done, whatever else is added meanwhile.
      const release = pins.hold(input.images.map((i) => i.sha256));
      try {
        const started = await startJob('flash', input.port, (ctx, port) =>
          runFlashJob(env, ctx, port, input),
        );
        void jobs.wait(started.jobId).finally(release);
        return started;
      } catch (e) {
        release();
        throw e;
      }
    },

    async startRead(input) {
      return startJob('read', input.port, (ctx, port) => runReadJob(env, ctx, port, input));
    },

    async startBackup(input) {
      return startJob('backup', input.port, (ctx, port) => runBackupJob(env, ctx, port, input));
    },

    async startRestore(input) {
      const { sha256, name } = input.backup;
      if (!(await cache.has(sha256))) {
        throw new KilnError('NOT_FOUND', `${name} is not in Kiln's firmware cache.`, {
          hint: 'Choose the backup file again (it is stored when chosen).',
          details: { sha256, name },
        });
      }
      // A file that cannot be a whole flash is refused now, before a board is touched; its size against the
      // board's flash is checked once the board has answered.
      checkWholeFlashSize(name, (await cache.get(sha256)).byteLength);
      const release = pins.hold([sha256]);
      try {
        const started = await startJob('restore', input.port, (ctx, port) =>
          runRestoreJob(env, ctx, port, input),
        );
        void jobs.wait(started.jobId).finally(release);
        return started;
      } catch (e) {
        release();
        throw e;
      }
    },

    async startErase(input) {
      return startJob('erase', input.port, (ctx, port) => runEraseJob(env, ctx, port, input));
    },

    async cancelJob(input) {
      return { cancelled: jobs.cancel(input.jobId) };
    },

    async listJobs() {
      return { jobs: jobs.list() };
    },

    async adapterSelfTest(input) {
      const port = await claimForJob(input.port);
      const release = jobs.reserve(port.lockKey, port.path, 'adapter-self-test');
      try {
        const transport = await openPort(portRef(port));
        try {
          return await runAdapterSelfTest({ transport, clock: deps.clock });
        } finally {
          await transport.close().catch(() => undefined);
        }
      } finally {
        release();
      }
    },

    async virtualHands(input) {
      if (!isSimUrl(input.port))
        throw new KilnError('BAD_REQUEST', `${input.port} is not a virtual board.`, {
          hint: 'Only virtual boards (sim: URLs) have hands Kiln can move; on a real board, do it yourself.',
        });
      const hands = virtual.get(input.port).hands;
      if (!hands)
        throw new KilnError('BAD_REQUEST', `The virtual board ${input.port} has no hands.`, {
          hint: 'Add hands= to its URL, e.g. sim:esp8266?board=sonoff&hands=',
        });
      hands.do(input.action);
      return hands.now;
    },

    async doctorReport(input) {
      return deps.doctor.accessReport(input.port !== undefined ? { port: input.port } : {});
    },

    async runFix(input) {
      try {
        // `confirmed: true` from the caller only says the page showed the fix; the host asks for itself.
        return await deps.doctor.runFix(input.fixId, config.confirmFix);
      } catch (e) {
        return { ok: false, status: 'failed', error: (await describe('')(e)).error };
      }
    },

    async monitorOpen(input) {
      if (shuttingDown) throw new KilnError('CANCELLED', 'Kiln is shutting down.');
      const port = await ports.resolve(input.port);
      return { monitorId: await monitors.open(port, input.baud) };
    },

    async monitorWrite(input) {
      await monitors.write(input.monitorId, input.data);
      return {};
    },

    async monitorSetBaud(input) {
      await monitors.setBaud(input.monitorId, input.baud);
      return {};
    },

    async monitorReset(input) {
      await monitors.reset(input.monitorId, input.mode);
      return {};
    },

    async monitorClose(input) {
      await monitors.close(input.monitorId);
      return {};
    },

    async getSettings() {
      return settings.get();
    },

    async setSettings(input) {
      return settings.update(input);
    },

    async openLogFolder() {
      return { path: config.logDir, opened: false };
    },

    ...station.handlers,
    ...fleet.handlers,
  };

  async function run(method: MethodName, input: unknown): Promise<unknown> {
    const handler = handlers[method] as (i: unknown) => Promise<unknown>;
    return handler(input);
  }

  return {
    async invoke(method, input) {
      const parsed = parseCall(method, input);
      return run(method as MethodName, parsed);
    },
    async call(method, input) {
      const parsed = parseCall(method, input);
      return (await run(method, parsed)) as never;
    },
    subscribe: (listener) => bus.subscribe(listener),
    waitForJob: (jobId) => jobs.wait(jobId),
    virtualDevice: (url) => virtual.get(url),
    firmwareCache: cache,
    station: station.controller,
    shutdown() {
      shuttingDown ??= (async () => {
        ports.stop();
        await station.controller.shutdown();
        await fleet.shutdown();
        await jobs.shutdown();
        await monitors.closeAll();
        virtual.disposeAll();
      })();
      return shuttingDown;
    },
  };
}

/** Narrows a listener's event for hosts that forward events one by one. */
