/**
 * The Station screen's state: saved profiles (with the firmware each still lacks), the live station snapshot
 * (pushed by `stationUpdate`), the records as they reach the report (`stationRecord`), and the actions
 * (save profile, start, stop, retry failed, plug in a virtual board, export CSV). The service owns the station,
 * so a reloaded page picks up a running batch with `load()`.
 */
import type { EventPayload, KilnApi, MethodInput, MethodOutput, UiError } from '../api/types';
import { countBoards } from '../../src-main/vocabulary';
import { toUiError } from '../lib/errors';
import { virtualBoardUrl, type VirtualChip } from '../lib/virtual-boards';

export type StationSnapshot = MethodOutput<'stationStatus'>;
export type SlotSnapshot = StationSnapshot['slots'][number];
export type DeviceRecord = EventPayload<'stationRecord'>['record'];
export type ProfileEntry = MethodOutput<'stationListProfiles'>['profiles'][number];
export type ProfileDraft = MethodInput<'stationSaveProfile'>['profile'];

const IDLE: StationSnapshot = {
  status: 'idle',
  consecutiveFailures: 0,
  slots: [],
  summary: countBoards([]),
};

export class StationState {
  profiles = $state<ProfileEntry[]>([]);
  selectedProfile = $state<string | undefined>(undefined);
  snapshot = $state<StationSnapshot>(IDLE);
  records = $state<DeviceRecord[]>([]);
  error = $state<UiError | undefined>(undefined);
  busy = $state(false);
  /** Seeds for "plug in a virtual board": each new virtual board gets its own MAC. */
  #nextSeed = 1;

  readonly running = $derived(this.snapshot.status === 'running' || this.snapshot.status === 'halted');
  readonly selected = $derived(this.profiles.find((p) => p.profile.name === this.selectedProfile));
  readonly failedSlots = $derived(
    this.snapshot.slots.filter((s) => s.state === 'failed' && s.present).length,
  );

  readonly #api: KilnApi;
  readonly #offs: (() => void)[];

  constructor(api: KilnApi) {
    this.#api = api;
    this.#offs = [
      api.on('stationUpdate', (s) => (this.snapshot = s)),
      api.on('stationRecord', ({ record }) => (this.records = [...this.records, record])),
    ];
  }

  async load(): Promise<void> {
    await this.#run(async () => {
      const [{ profiles }, snapshot, report] = await Promise.all([
        this.#api.stationListProfiles({}),
        this.#api.stationStatus({}),
        this.#api.stationReport({}),
      ]);
      this.profiles = profiles;
      this.snapshot = snapshot;
      this.records = report.records;
      this.#nextSeed = Math.max(this.#nextSeed, snapshot.slots.length + 1);
      if (!this.selectedProfile || !profiles.some((p) => p.profile.name === this.selectedProfile)) {
        this.selectedProfile = snapshot.profile ?? profiles[0]?.profile.name;
      }
    });
  }

  async saveProfile(profile: ProfileDraft): Promise<boolean> {
    return this.#run(async () => {
      const entry = await this.#api.stationSaveProfile({ profile });
      this.profiles = [...this.profiles.filter((p) => p.profile.name !== entry.profile.name), entry].sort(
        (a, b) => a.profile.name.localeCompare(b.profile.name),
      );
      this.selectedProfile = entry.profile.name;
    });
  }

  async deleteProfile(name: string): Promise<void> {
    await this.#run(async () => {
      await this.#api.stationDeleteProfile({ name });
      this.profiles = this.profiles.filter((p) => p.profile.name !== name);
      if (this.selectedProfile === name) this.selectedProfile = this.profiles[0]?.profile.name;
    });
  }

  async start(
    o: { ports: string[] } | { auto: { filter?: string } },
    stationName?: string,
  ): Promise<boolean> {
    const profile = this.selectedProfile;
    if (!profile) return false;
    return this.#run(async () => {
      this.records = [];
      const input: MethodInput<'stationStart'> = { profile, ...o };
      if (stationName?.trim()) input.stationName = stationName.trim();
      this.snapshot = await this.#api.stationStart(input);
    });
  }

  async stop(): Promise<void> {
    await this.#run(async () => {
      this.snapshot = await this.#api.stationStop({});
    });
  }

  async retryFailed(): Promise<void> {
    await this.#run(async () => {
      await this.#api.stationRetryFailed({});
    });
  }

  /**
   * Plugs in a new virtual board of this chip (auto mode picks it up), with a MAC of its own; `kind` picks a good
   * board or a faulty one (lib/virtual-boards.ts).
   */
  async plugVirtual(chip: VirtualChip, kind = 'good'): Promise<void> {
    const url = virtualBoardUrl(chip, kind, this.#nextSeed++);
    await this.#run(async () => {
      await this.#api.stationPlugVirtual({ url });
    });
  }

  async unplugVirtual(url: string): Promise<void> {
    await this.#run(async () => {
      await this.#api.stationUnplugVirtual({ url });
    });
  }

  /** The report as CSV (also written next to the JSONL file by the service). */
  async exportCsv(): Promise<{ name: string; blob: Blob; file: string } | undefined> {
    let out: { name: string; blob: Blob; file: string } | undefined;
    await this.#run(async () => {
      const { file, csv } = await this.#api.stationExportCsv({});
      out = {
        name: file.split(/[\\/]/).pop() ?? 'station-report.csv',
        blob: new Blob([csv], { type: 'text/csv' }),
        file,
      };
    });
    return out;
  }

  async refreshReport(): Promise<void> {
    await this.#run(async () => {
      this.records = (await this.#api.stationReport({})).records;
    });
  }

  destroy(): void {
    for (const off of this.#offs) off();
  }

  async #run(fn: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    try {
      await fn();
      this.error = undefined;
      return true;
    } catch (e) {
      this.error = toUiError(e);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
