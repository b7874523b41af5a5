/**
 * A station's link to its fleet. The report is written first (the station fsyncs each record before telling
 * anyone); then the link publishes it:
 * - every record, QoS 1, on `<prefix>/records/<station>`, the same JSON as its report line;
 * - a verified board's record, QoS 1 and retained, on `<prefix>/devices/<mac>` (the fleet-wide duplicate check);
 * - the station's live state, retained on `<prefix>/stations/<station>`, with a last will "offline".
 * It subscribes to `<prefix>/devices/#` to learn the MACs verified anywhere in the fleet (its own earlier runs
 * included; within one run the report's own check answers first).
 *
 * Nothing here can stop flashing: an unreachable broker is retried while records wait in the outbox; a broker that
 * refuses the login is reported once (BROKER_AUTH) and left alone. Both are told through `onStatus`.
 */
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { KilnError } from '../core/errors';
import {
  deviceRecordSchema,
  type DeviceRecord,
  type FleetStatus,
  type StationSnapshot,
} from '../station/schemas';
import { brokerError, connectBroker, isLoginRefused } from './broker';
import { Outbox } from './outbox';
import { fleetTopics, type FleetSettings, type FleetTopics } from './settings';
import { stationState, OFFLINE } from './station-state';

export interface FleetLinkOptions {
  settings: FleetSettings;
  station: string;
  reportFile: string;
  password?: string;
  onStatus?(status: FleetStatus): void;
}

/** How long a station waits, at start, for the fleet's verified MACs before it flashes anyway. */
const SYNC_WAIT_MS = 5000;
/** How long closing waits for outstanding acknowledgements before leaving them to the next start. */
const CLOSE_WAIT_MS = 3000;

export class FleetLink {
  private readonly topics: FleetTopics;
  private readonly verified = new Map<string, DeviceRecord>();
  private connection: FleetStatus['connection'] = 'connecting';
  private error: KilnError | undefined;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private readonly syncToken = randomBytes(6).toString('hex');
  /** Ids of records published and not yet acknowledged or failed (never sent twice at once). */
  private readonly sending = new Set<string>();
  private readonly drainWaiters: (() => void)[] = [];
  private lastState: StationSnapshot | undefined;

  private constructor(
    private readonly o: FleetLinkOptions,
    private readonly outbox: Outbox,
    private readonly client: MqttClient,
  ) {
    this.topics = fleetTopics(o.settings.fleet);
    client.on('connect', () => this.onConnect());
    client.on('offline', () => this.setConnection('offline'));
    client.on('error', (err) => this.onError(err));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  /** Reads the outbox (before the station appends anything) and starts connecting; never waits for the broker. */
  static async open(o: FleetLinkOptions): Promise<FleetLink> {
    const outbox = await Outbox.open(o.reportFile);
    const topics = fleetTopics(o.settings.fleet);
    const login = {
      settings: o.settings,
      clientId: o.station,
      will: { topic: topics.station(o.station), payload: OFFLINE },
      ...(o.password !== undefined ? { password: o.password } : {}),
    };
    const link = new FleetLink(o, outbox, await connectBroker(login));
    // Records a previous run wrote but never got acknowledged go first, in report order.
    for (const r of outbox.pending) link.send(r);
    return link;
  }

  /** The fleet's record of this MAC verified (at any station), if any. */
  verifiedInFleet(mac: string): DeviceRecord | undefined {
    return this.verified.get(this.topics.device(mac));
  }

  /**
   * Resolves once the fleet's retained device records have arrived, or the login was refused, or after a few
   * seconds without the broker (flashing must not wait for it).
   */
  whenSynced(): Promise<void> {
    if (this.synced || this.error) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, SYNC_WAIT_MS);
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** A record the station has just fsynced to its report. */
  record(record: DeviceRecord): void {
    this.outbox.add(record);
    this.send(record);
    this.emitStatus();
  }

  /** The station's latest snapshot: retained as its live state. */
  state(snapshot: StationSnapshot): void {
    this.lastState = snapshot;
    if (this.connection !== 'online') return;
    this.client.publish(this.topics.station(this.o.station), stationState(snapshot, true), {
      qos: 1,
      retain: true,
    });
  }

  status(): FleetStatus {
    const s: FleetStatus = {
      fleet: this.o.settings.fleet,
      broker: this.o.settings.broker,
      connection: this.connection,
      pending: this.outbox.pending.length,
      fleetVerified: this.verified.size,
    };
    if (this.error) {
      s.error = { code: this.error.code, message: this.error.message };
      if (this.error.hint) s.error.hint = this.error.hint;
    }
    return s;
  }

  /**
   * Resolves when every record given so far is acknowledged and marked (at once when the login was refused: those
   * records wait for the next start). Waits through broker outages; a clean close bounds the wait.
   */
  async drained(): Promise<void> {
    if (this.outbox.pending.length > 0 && this.connection !== 'refused')
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    await this.outbox.flushed();
  }

  /**
   * Leaves the fleet: waits a little for outstanding acknowledgements (the rest stay in the outbox for the next
   * start), retains the final state as offline, and disconnects.
   */
  async close(): Promise<void> {
    if (this.connection === 'online') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.drained(), new Promise((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
      if (this.lastState && this.connection === 'online')
        await this.client
          .publishAsync(this.topics.station(this.o.station), stationState(this.lastState, false), {
            qos: 1,
            retain: true,
          })
          .catch(() => undefined);
    }
    // A DISCONNECT when we can (the broker then keeps the final state, not the last will); forced otherwise.
    const graceful = this.connection === 'online';
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.endAsync(!graceful),
      new Promise((r) => (timer = setTimeout(r, CLOSE_WAIT_MS))),
    ]);
    clearTimeout(timer);
    if (!this.client.disconnected) this.client.end(true);
    if (this.connection !== 'refused') this.connection = 'offline';
    await this.outbox.flushed();
  }

  private send(record: DeviceRecord): void {
    // Refused: the records wait in the outbox for a start with the right login.
    if (this.connection === 'refused' || this.sending.has(record.id)) return;
    this.sending.add(record.id);
    const json = JSON.stringify(record);
    const publish = (topic: string, retain: boolean) =>
      this.client.publishAsync(topic, json, { qos: 1, retain }).then(() => undefined);
    const sends = [publish(this.topics.records(this.o.station), false)];
    if (record.result === 'verified' && record.mac) sends.push(publish(this.topics.device(record.mac), true));
    void Promise.all(sends)
      .then(() => this.outbox.acknowledge(record.id))
      // Not acknowledged (the connection dropped): it stays pending and goes again on the next connect.
      .catch(() => undefined)
      .finally(() => {
        this.sending.delete(record.id);
        this.emitStatus();
      });
  }

  private onConnect(): void {
    this.setConnection('online');
    if (this.lastState) this.state(this.lastState);
    // Whatever the broker never acknowledged goes again, in report order (the outbox after a reconnect).
    for (const r of [...this.outbox.pending]) this.send(r);
    void this.client
      .subscribeAsync([this.topics.allDevices, this.topics.sync(this.o.station)], { qos: 1 })
      .then(() => this.client.publishAsync(this.topics.sync(this.o.station), this.syncToken, { qos: 1 }))
      .catch(() => undefined);
  }

  private onError(err: Error): void {
    if (isLoginRefused(err)) {
      this.error = brokerError(err, this.o.settings);
      this.connection = 'refused';
      void this.client.endAsync(true);
      this.releaseSyncWaiters();
      this.emitStatus();
      return;
    }
    if (!this.error || this.error.code !== 'BROKER_UNREACHABLE') {
      this.error = brokerError(err, this.o.settings);
      this.emitStatus();
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === this.topics.sync(this.o.station)) {
      if (payload.toString() === this.syncToken) {
        this.synced = true;
        this.releaseSyncWaiters();
      }
      return;
    }
    // Keyed by topic: an empty retained message (a record withdrawn) names its MAC only by the topic.
    const record = parseRecord(payload);
    if (record?.result === 'verified') this.verified.set(topic, record);
    else this.verified.delete(topic);
  }

  private setConnection(c: FleetStatus['connection']): void {
    if (this.connection === 'refused') return;
    this.connection = c;
    if (c === 'online' && this.error?.code === 'BROKER_UNREACHABLE') this.error = undefined;
    this.emitStatus();
  }

  private releaseSyncWaiters(): void {
    for (const w of this.syncWaiters.splice(0)) w();
  }

  private emitStatus(): void {
    if (this.outbox.pending.length === 0 || this.connection === 'refused')
      for (const w of this.drainWaiters.splice(0)) w();
    this.o.onStatus?.(this.status());
  }
}

/** A record from the broker, or undefined for anything else (an empty payload, a foreign or malformed message). */
export function parseRecord(payload: Buffer): DeviceRecord | undefined {
  if (payload.length === 0) return undefined;
  try {
    const r = deviceRecordSchema.safeParse(JSON.parse(payload.toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
