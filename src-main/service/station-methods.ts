/**
 * The batch station behind the contract: saved profiles in `<dataDir>/station/profiles/`, one station at a time,
 * reports in `<dataDir>/station/reports/` and backups in `<dataDir>/station/backups/<profile>/` (paths always
 * chosen here, never by a client), hot-plug for auto mode, virtual boards plugged in on request, and the
 * station's events relayed to every host (slot transitions at once, progress coalesced).
 *
 * The CLI reaches the same controller through `service.station` so it can name its own profile and report files
 * (paths the person typed on this machine, which the contract never accepts from a client); it never imports
 * `station/` itself.
 */
import { Secret } from '../provision/secret';
import type { ProvisionSecrets } from '../station/provision-step';
import { readdir, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KilnError } from '../core/errors';
import { countBoards } from '../vocabulary';
import type { FleetLink } from '../fleet/fleet-link';
import type { FleetSettings } from '../fleet/settings';
import {
  describeFilter,
  loadProfileFile,
  missingFirmware,
  parsePortFilter,
  readReport,
  recordsToCsv,
  saveProfileFile,
  Station,
  type PlugInfo,
  type Profile,
  type ProfileImage,
  type StationDeps,
  type StationEvent,
  type StationSnapshot,
} from '../station';
import type { MethodName, MethodOutput, ParsedInput } from './contract';
import type { PortOpener } from '../flash';
import type { Logger, ServiceConfig, ServiceDeps } from './deps';
import type { EventBus } from './event-bus';
import type { FirmwareCache } from './firmware-cache';
import type { JobManager } from './jobs';
import type { PortDirectory } from './port-directory';
import type { VirtualDevices } from './virtual-devices';
import { isSimUrl } from './virtual-devices';

/** What `kiln batch` needs beside the controller (hosts import the service, never `station/`). */
export type { DeviceRecord, Profile, StationSnapshot } from '../station';

/** Coalescing of progress-only station updates. */
export const STATION_UPDATE_INTERVAL_MS = 150;

export interface StationEnv {
  deps: ServiceDeps;
  config: ServiceConfig;
  cache: FirmwareCache;
  virtual: VirtualDevices;
  /** The service's one port opener (virtual boards through `virtual`). */
  openPort: PortOpener;
  ports: PortDirectory;
  jobs: JobManager;
  bus: EventBus;
  logger: Logger;
}

export interface StationStartOptions {
  profile: Profile;
  ports?: string[];
  auto?: { filter?: string };
  stationName?: string;
  /** Boards flashing at once (1–16); absent = every board at once. */
  concurrency?: number;
  /** CLI only: where the JSONL report goes (default: a new file in the data folder). */
  reportFile?: string;
  /** The profile's provisioning passwords for this run (memory only). */
  provisionSecrets?: ProvisionSecrets;
  /** The fleet's broker (overrides the profile's `fleet`); the password comes from KILN_BROKER_PASSWORD. */
  fleet?: FleetSettings;
}

/** The station as the CLI and tests drive it (the contract methods are thin wrappers). */
export interface StationController {
  /** CLI only: reads and validates a profile file the person named (NOT_FOUND, BAD_REQUEST naming the field). */
  loadProfile(file: string): Promise<Profile>;
  /** The profile's firmware that is not in the cache yet, each file once. */
  missingFirmware(profile: Profile): Promise<ProfileImage[]>;
  start(o: StationStartOptions): Promise<StationSnapshot>;
  stop(): Promise<StationSnapshot>;
  retryFailed(): number;
  snapshot(): StationSnapshot;
  plug(info: PlugInfo): boolean;
  unplug(path: string): void;
  /** Resolves when no board is running or waiting on the current station. */
  whenIdle(): Promise<void>;
  /** Resolves when the fleet's broker has acknowledged every record so far (at once without a fleet). */
  fleetDrained(): Promise<void>;
  shutdown(): Promise<void>;
}

type StationMethodName = Extract<MethodName, `station${string}`>;
export type StationHandlers = {
  [N in StationMethodName]: (input: ParsedInput<N>) => Promise<MethodOutput<N>>;
};

const IDLE: StationSnapshot = { status: 'idle', consecutiveFailures: 0, slots: [], summary: countBoards([]) };

function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function createStationService(env: StationEnv): {
  handlers: StationHandlers;
  controller: StationController;
} {
  const root = path.join(env.config.dataDir, 'station');
  const profilesDir = path.join(root, 'profiles');
  // Profile names are restricted to [A-Za-z0-9 ._-] and cannot start with a dot, so the name is a safe file name as is
  // (and two different names never share a file).
  const profileFile = (name: string) => path.join(profilesDir, `${name}.json`);
  let station: Station | undefined;
  let fleet: FleetLink | undefined;
  let watcher: { close(): void } | undefined;
  let progressTimer: (() => void) | undefined;

  const emitSnapshot = () => {
    progressTimer?.();
    progressTimer = undefined;
    env.bus.emit('stationUpdate', controller.snapshot());
  };
  const onEvent = (e: StationEvent) => {
    // The fleet hears of a record only after the station has fsynced it to the report.
    if (e.kind === 'record') fleet?.record(e.record);
    if (e.kind === 'status' || (e.kind === 'slot' && e.transition)) fleet?.state(controller.snapshot());
    if (e.kind === 'record') {
      env.bus.emit('stationRecord', { record: e.record });
      return;
    }
    if (e.kind === 'status' || e.transition) return emitSnapshot();
    progressTimer ??= env.deps.clock.setTimer(STATION_UPDATE_INTERVAL_MS, emitSnapshot);
  };

  async function resolvePlug(portPath: string): Promise<PlugInfo> {
    if (isSimUrl(portPath)) {
      env.virtual.check(portPath); // a bad sim: URL is refused here, before the station starts
      return { path: portPath };
    }
    const resolved = await env.ports.resolve(portPath);
    const info: PlugInfo = { path: portPath };
    if (resolved.info?.usbId) info.usbId = resolved.info.usbId;
    if (resolved.info?.bridge) info.bridge = resolved.info.bridge.chip;
    return info;
  }

  const stationDeps: StationDeps = {
    clock: env.deps.clock,
    connect: env.deps.connect,
    firmware: env.cache,
    backupsRoot: path.join(root, 'backups'),
    openPort: env.openPort,
    diagnoseSync: (capture, context) => env.deps.doctor.diagnoseSync(capture, context),
    warn: (message) => env.logger.warn(message),
    claimPort(port) {
      return env.jobs.reserve(port.path, port.path, 'the batch station');
    },
  };

  /** Joins the fleet before the first board, so a MAC verified at another station is known before it is flashed. */
  async function openFleet(
    settings: FleetSettings | undefined,
    stationName: string,
    reportFile: string,
  ): Promise<FleetLink | undefined> {
    if (!settings) return undefined;
    // MQTT.js loads only for a station that has a fleet.
    const { FleetLink } = await import('../fleet/fleet-link');
    const password = process.env.KILN_BROKER_PASSWORD;
    let warned: string | undefined;
    const link = await FleetLink.open({
      settings,
      station: stationName,
      reportFile,
      ...(password !== undefined ? { password } : {}),
      onStatus: (s) => {
        // Once per kind of trouble, not once per record.
        if (s.error && s.error.code !== warned) env.logger.warn(`fleet: ${s.error.code}: ${s.error.message}`);
        warned = s.error?.code;
        if (station) emitSnapshot();
      },
    });
    await link.whenSynced();
    return link;
  }

  const controller: StationController = {
    loadProfile: (file) => loadProfileFile(file, env.cache),
    missingFirmware: (profile) => missingFirmware(profile, env.cache),
    async start(o) {
      if (station && station.snapshot().status !== 'stopped') {
        throw new KilnError('JOB_CONFLICT', 'A station is already running.', {
          hint: 'Stop it first (its report is kept).',
        });
      }
      const plugs = o.ports ? await Promise.all(o.ports.map(resolvePlug)) : undefined;
      const filter = o.auto ? parsePortFilter(o.auto.filter) : undefined;
      const reportFile =
        o.reportFile ?? path.join(root, 'reports', `${fileSafe(o.profile.name)}-${stamp()}.jsonl`);
      const stationName = o.stationName ?? os.hostname();
      await fleet?.close();
      fleet = await openFleet(o.fleet ?? o.profile.fleet, stationName, reportFile);
      try {
        const deps = o.provisionSecrets
          ? { ...stationDeps, provisionSecrets: o.provisionSecrets }
          : stationDeps;
        station = await Station.open(deps, {
          profile: o.profile,
          stationName,
          reportFile,
          mode: plugs ? { kind: 'ports', ports: plugs } : { kind: 'auto', filter: filter! },
          ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
          onEvent,
          verifiedInFleet: (mac) => fleet?.verifiedInFleet(mac) !== undefined,
        });
      } catch (e) {
        await fleet?.close();
        fleet = undefined;
        throw e;
      }
      station.start();
      const simPorts = o.ports?.filter(isSimUrl) ?? [];
      if (simPorts.length > 0) {
        // Virtual boards the station now holds are listed (and announced) like plugged-in ones.
        for (const url of simPorts) env.virtual.plugIn(url);
        await env.ports.announce();
      }
      if (filter && env.deps.watchPorts) {
        watcher = env.deps.watchPorts({
          onAdded: (p) => {
            const info: PlugInfo = { path: p.path };
            if (p.usbId) info.usbId = p.usbId;
            if (p.bridge) info.bridge = p.bridge.chip;
            if (station?.plug(info))
              env.logger.info(`station: ${p.path} plugged in, starting "${o.profile.name}"`);
          },
          onRemoved: (p) => station?.unplug(p),
        });
      }
      env.logger.info(
        `station started: profile "${o.profile.name}", ${plugs ? `${plugs.length} port(s)` : `auto (${describeFilter(filter!)})`}${o.concurrency ? `, ${o.concurrency} at once` : ''}, report ${reportFile}`,
      );
      return station.snapshot();
    },
    async stop() {
      watcher?.close();
      watcher = undefined;
      await station?.stop();
      fleet?.state(controller.snapshot());
      await fleet?.close();
      emitSnapshot();
      return controller.snapshot();
    },
    retryFailed: () => station?.retryFailed() ?? 0,
    snapshot() {
      const snap = station?.snapshot() ?? IDLE;
      return fleet ? { ...snap, fleet: fleet.status() } : snap;
    },
    fleetDrained: async () => fleet?.drained(),
    plug(info) {
      if (!station || station.snapshot().status === 'stopped') {
        throw new KilnError('NOT_FOUND', 'No station is running.', {
          hint: 'Start the station (auto mode) first, then plug boards in.',
        });
      }
      return station.plug(info);
    },
    unplug: (p) => station?.unplug(p),
    whenIdle: async () => station?.whenIdle(),
    async shutdown() {
      await controller.stop();
      progressTimer?.();
    },
  };

  async function entry(profile: Profile) {
    return {
      profile,
      missing: (await missingFirmware(profile, env.cache)).map((m) => ({ sha256: m.sha256, name: m.name })),
    };
  }

  async function reportOf(): Promise<{ file?: string; contents: Awaited<ReturnType<typeof readReport>> }> {
    const file = station?.snapshot().reportFile;
    if (!file) return { contents: { records: [], invalidLines: [] } };
    return { file, contents: await readReport(file) };
  }

  const handlers: StationHandlers = {
    async stationListProfiles() {
      const names = await readdir(profilesDir).catch(() => [] as string[]);
      const profiles = [];
      for (const n of names.filter((x) => x.endsWith('.json')).sort()) {
        try {
          profiles.push(await entry(await loadProfileFile(path.join(profilesDir, n))));
        } catch (e) {
          env.logger.warn(`station: skipping profile ${n}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      return { profiles };
    },
    async stationSaveProfile(input) {
      await saveProfileFile(profileFile(input.profile.name), input.profile);
      return entry(input.profile);
    },
    async stationDeleteProfile(input) {
      try {
        await unlink(profileFile(input.name));
        return { deleted: true };
      } catch {
        return { deleted: false };
      }
    },
    async stationStart(input) {
      const file = profileFile(input.profile);
      const profile = await loadProfileFile(file).catch((e: unknown) => {
        // A saved file that no longer validates keeps its own BAD_REQUEST (it names the field); a missing one is named here.
        if (!(e instanceof KilnError) || e.code !== 'NOT_FOUND') throw e;
        throw new KilnError('NOT_FOUND', `There is no saved profile "${input.profile}".`, {
          hint: 'Save the profile first.',
        });
      });
      const o: StationStartOptions = { profile };
      if (input.ports) o.ports = input.ports;
      if (input.auto) o.auto = input.auto.filter !== undefined ? { filter: input.auto.filter } : {};
      if (input.stationName) o.stationName = input.stationName;
      if (input.concurrency !== undefined) o.concurrency = input.concurrency;
      if (input.provisionPasswords) {
        const p = input.provisionPasswords;
        o.provisionSecrets = {
          wifi: p.wifi.map((w) => new Secret(w)),
          ...(p.mqtt !== undefined ? { mqtt: new Secret(p.mqtt) } : {}),
        };
      }
      return controller.start(o);
    },
    stationStop: () => controller.stop(),
    async stationRetryFailed() {
      return { retried: controller.retryFailed() };
    },
    async stationStatus() {
      return controller.snapshot();
    },
    async stationPlugVirtual(input) {
      env.virtual.check(input.url); // a bad sim: URL is refused before the station sees it
      const started = controller.plug({ path: input.url });
      // Plugged in as far as every client is concerned: the port pickers list it, as they would a real hot-plug.
      env.virtual.plugIn(input.url);
      await env.ports.announce();
      return { started };
    },
    async stationUnplugVirtual(input) {
      controller.unplug(input.url);
      env.virtual.unplug(input.url);
      await env.ports.announce();
      return {};
    },
    async stationReport() {
      const { file, contents } = await reportOf();
      const out: MethodOutput<'stationReport'> = {
        records: contents.records,
        summary: countBoards(contents.records),
        partialLine: contents.partialLine !== undefined,
      };
      if (file) out.file = file;
      return out;
    },
    async stationExportCsv() {
      const { file, contents } = await reportOf();
      if (!file)
        throw new KilnError('NOT_FOUND', 'There is no station report yet.', {
          hint: 'Run the station first.',
        });
      const csv = recordsToCsv(contents.records);
      const csvFile = file.replace(/\.jsonl$/, '') + '.csv';
      await writeFile(csvFile, csv);
      return { file: csvFile, csv };
    },
  };

  return { handlers, controller };
}
