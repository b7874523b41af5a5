/**
 * A batch station: one slot per port, every slot flashing the same profile in parallel, each finished board
 * appended to the report before the slot says so. Ports are given up front (`ports` mode) or arrive by
 * hot-plug (`auto` mode: every newly plugged port matching the filter starts the profile by itself).
 *
 * Policy, all in one place:
 * - a board whose MAC already has a verified record in this report is skipped (recorded as skipped) unless the
 *   profile says "reflash duplicates"; resuming with an existing report file therefore never reflashes a board;
 * - after N failures in a row (profile policy) the station halts: running boards finish, waiting ones do not
 *   start, and no new plug-in starts; "retry failed" resumes;
 * - "retry failed" re-runs every slot whose last attempt failed and whose board is still plugged in;
 * - a cancelled attempt (stop) is recorded but is not counted as a failure in a row.
 * Work per board is asynchronous I/O; nothing here blocks the event loop.
 */
import { KilnError } from '../core/errors';
import { countBoards } from '../vocabulary';
import { flashDevice, type StationDeps } from './flash-device';
import { portMatches, type PlugInfo, type PortFilter } from './port-filter';
import { assertFirmwarePresent } from './profile';
import { readReport, ReportLog } from './report-log';
import type { DeviceRecord, Profile, SlotSnapshot, SlotState, StationSnapshot } from './schemas';

export type StationMode = { kind: 'ports'; ports: PlugInfo[] } | { kind: 'auto'; filter: PortFilter };

export type StationEvent =
  | { kind: 'slot'; slot: SlotSnapshot; /** false for a progress-only update */ transition: boolean }
  | { kind: 'record'; record: DeviceRecord }
  | { kind: 'status'; snapshot: StationSnapshot };

export interface StationOptions {
  profile: Profile;
  stationName: string;
  reportFile: string;
  mode: StationMode;
  /** Boards flashing at once; the rest wait in their slots (default: no limit). */
  concurrency?: number;
  onEvent?(event: StationEvent): void;
  /** True when the fleet has this MAC verified at any station (fleet/fleet-link.ts); skipped like a duplicate. */
  verifiedInFleet?(mac: string): boolean;
}

interface Slot {
  info: PlugInfo;
  state: SlotState;
  percent: number;
  attempt: number;
  present: boolean;
  mac?: string;
  chip?: string;
  last?: DeviceRecord;
  controller?: AbortController;
  running?: Promise<void>;
  queued: boolean;
}

const FINAL: readonly SlotState[] = ['verified', 'failed', 'skipped', 'cancelled'];

export class Station {
  private readonly slots = new Map<string, Slot>();
  private readonly records: DeviceRecord[];
  private status: StationSnapshot['status'] = 'idle';
  private haltReason: string | undefined;
  private consecutiveFailures = 0;
  private active = 0;
  private readonly queue: Slot[] = [];
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly deps: StationDeps,
    private readonly o: StationOptions,
    private readonly log: ReportLog,
    previous: DeviceRecord[],
  ) {
    this.records = previous;
  }

  /**
   * Checks the profile's firmware is in the cache (NOT_FOUND names the files to add), opens the report for
   * appending and reads the records it already holds (so a resumed run skips boards already done).
   */
  static async open(deps: StationDeps, o: StationOptions): Promise<Station> {
    await assertFirmwarePresent(o.profile, deps.firmware);
    // The report's lock first: a second station on the same file stops here, before it reads or flashes.
    const log = await ReportLog.open(o.reportFile);
    const previous = await readReport(o.reportFile);
    return new Station(deps, o, log, previous.records);
  }

  get reportFile(): string {
    return this.o.reportFile;
  }

  get mode(): StationMode {
    return this.o.mode;
  }

  get profile(): Profile {
    return this.o.profile;
  }

  /** Starts the given ports (ports mode) or begins accepting plug-ins (auto mode). */
  start(): void {
    if (this.status !== 'idle') return;
    this.status = 'running';
    this.emitStatus();
    if (this.o.mode.kind === 'ports') for (const p of this.o.mode.ports) this.addSlot(p, true);
  }

  /**
   * A port appeared. Auto mode: a matching port gets a slot (or its old slot back) and starts. Ports mode: a
   * listed port that comes back is only marked present (use retryFailed to run it again). Returns whether a run
   * started.
   */
  plug(info: PlugInfo): boolean {
    const existing = this.slots.get(info.path);
    if (this.o.mode.kind === 'ports' || !portMatches(this.o.mode.filter, info)) {
      if (existing) this.update(existing, { present: true }, true);
      return false;
    }
    if (existing?.running) return false;
    if (existing) {
      existing.info = info;
      existing.attempt = 0;
      existing.present = true;
      return this.launch(existing);
    }
    return this.addSlot(info, true);
  }

  /** A port went away: its slot stays (with its last result) and is marked absent. A running flash fails by itself (DEVICE_LOST). */
  unplug(path: string): void {
    const slot = this.slots.get(path);
    if (slot) this.update(slot, { present: false }, true);
  }

  /**
   * Runs every failed slot again (still-present boards only). After a halt it also lifts the halt and starts the
   * boards that were left waiting. Returns how many boards were queued.
   */
  retryFailed(): number {
    if (this.status === 'stopped' || this.status === 'idle') return 0;
    if (this.status === 'halted') {
      this.status = 'running';
      this.haltReason = undefined;
      this.consecutiveFailures = 0;
      this.emitStatus();
    }
    let n = 0;
    for (const slot of this.slots.values()) {
      const idle = slot.present && !slot.running && !slot.queued;
      const waitingSinceHalt = slot.state === 'waiting' && slot.attempt === 0;
      if (idle && (slot.state === 'failed' || waitingSinceHalt) && this.launch(slot)) n++;
    }
    return n;
  }

  /** Cancels running boards (recorded as cancelled), waits for them, closes the report. Idempotent. */
  stop(): Promise<void> {
    this.closed ??= (async () => {
      this.status = 'stopped';
      this.queue.splice(0);
      for (const slot of this.slots.values()) {
        slot.queued = false;
        slot.controller?.abort(
          new KilnError('CANCELLED', 'The station was stopped.', {
            hint: 'Start the station again to continue.',
          }),
        );
      }
      await Promise.all([...this.slots.values()].map((s) => s.running));
      await this.log.close();
      this.emitStatus();
    })();
    return this.closed;
  }

  /** Resolves when no board is running or waiting. */
  async whenIdle(): Promise<void> {
    for (;;) {
      const busy = [...this.slots.values()].filter((s) => s.running).map((s) => s.running);
      if (busy.length === 0 && this.queue.length === 0) return;
      await Promise.all(busy);
      if (busy.length === 0) await new Promise((r) => setImmediate(r));
    }
  }

  /** Records of this report (including those it held before this run started). */
  report(): DeviceRecord[] {
    return [...this.records];
  }

  snapshot(): StationSnapshot {
    const snap: StationSnapshot = {
      status: this.status,
      station: this.o.stationName,
      profile: this.o.profile.name,
      mode: this.o.mode.kind,
      reportFile: this.o.reportFile,
      consecutiveFailures: this.consecutiveFailures,
      slots: [...this.slots.values()].map((s) => this.slotSnapshot(s)),
      summary: countBoards(this.records),
    };
    if (this.haltReason) snap.haltReason = this.haltReason;
    return snap;
  }

  private addSlot(info: PlugInfo, start: boolean): boolean {
    const slot: Slot = { info, state: 'waiting', percent: 0, attempt: 0, present: true, queued: false };
    this.slots.set(info.path, slot);
    this.emitSlot(slot, true);
    return start ? this.launch(slot) : false;
  }

  /** Queues a slot for its next attempt; it starts now if the station runs and a place is free. */
  private launch(slot: Slot): boolean {
    if (this.status !== 'running') return false;
    slot.queued = true;
    this.update(slot, { state: 'waiting', percent: 0 }, true);
    this.queue.push(slot);
    this.pump();
    return true;
  }

  private pump(): void {
    const limit = this.o.concurrency ?? Infinity;
    while (this.status === 'running' && this.active < limit && this.queue.length > 0) {
      const slot = this.queue.shift()!;
      slot.queued = false;
      this.active++;
      slot.running = this.runSlot(slot).finally(() => {
        this.active--;
        slot.running = undefined;
        this.pump();
      });
    }
  }

  private async runSlot(slot: Slot): Promise<void> {
    const controller = new AbortController();
    slot.controller = controller;
    slot.attempt++;
    delete slot.mac;
    delete slot.chip;
    delete slot.last;
    const record = await flashDevice(this.deps, {
      profile: this.o.profile,
      station: this.o.stationName,
      port: slot.info,
      attempt: slot.attempt,
      signal: controller.signal,
      duplicateOf: (mac) =>
        this.records.some((r) => r.mac === mac && r.result === 'verified')
          ? 'duplicate-mac'
          : this.o.verifiedInFleet?.(mac)
            ? 'duplicate-mac-fleet'
            : undefined,
      onState: (state, percent, facts) => {
        const changed = state !== slot.state;
        if (facts?.mac) slot.mac = facts.mac;
        if (facts?.chip) slot.chip = facts.chip;
        this.update(slot, { state, percent }, changed);
      },
    });
    slot.controller = undefined;
    // The record is on disk before anyone is told the board is done.
    await this.deps.clock.track(this.log.append(record));
    this.records.push(record);
    this.o.onEvent?.({ kind: 'record', record });
    const cancelled = record.error?.code === 'CANCELLED';
    if (record.result === 'verified') this.consecutiveFailures = 0;
    else if (record.result === 'failed' && !cancelled) this.consecutiveFailures++;
    slot.last = record;
    if (record.mac) slot.mac = record.mac;
    if (record.chip) slot.chip = record.chip;
    this.update(
      slot,
      {
        state: cancelled ? 'cancelled' : record.result,
        percent: record.result === 'verified' ? 100 : slot.percent,
      },
      true,
    );
    const limit = this.o.profile.policy.stopAfterConsecutiveFailures;
    if (this.status === 'running' && limit > 0 && this.consecutiveFailures >= limit) {
      this.status = 'halted';
      this.haltReason = `${this.consecutiveFailures} boards failed in a row; the station stopped starting new ones. Check the bench (power, cable, firmware), then "Retry failed".`;
      for (const q of this.queue.splice(0)) {
        q.queued = false;
        this.update(q, { state: 'waiting' }, true);
      }
    }
    this.emitStatus();
  }

  private update(
    slot: Slot,
    patch: Partial<Pick<Slot, 'state' | 'percent' | 'present'>>,
    transition: boolean,
  ): void {
    Object.assign(slot, patch);
    this.emitSlot(slot, transition);
  }

  private slotSnapshot(s: Slot): SlotSnapshot {
    const snap: SlotSnapshot = {
      port: s.info.path,
      state: s.state,
      percent: Math.round(s.percent * 10) / 10,
      attempt: s.attempt,
      present: s.present,
    };
    if (s.mac) snap.mac = s.mac;
    if (s.chip) snap.chip = s.chip;
    if (FINAL.includes(s.state) && s.last) {
      if (s.last.error) snap.error = s.last.error;
      if (s.last.diagnosis) snap.diagnosis = s.last.diagnosis;
      if (s.last.bootCheck) snap.bootCheck = s.last.bootCheck;
    }
    return snap;
  }

  private emitSlot(slot: Slot, transition: boolean): void {
    this.o.onEvent?.({ kind: 'slot', slot: this.slotSnapshot(slot), transition });
  }

  private emitStatus(): void {
    this.o.onEvent?.({ kind: 'status', snapshot: this.snapshot() });
  }
}
