/**
 * Watching a fleet through its broker: subscribed to every station's retained state and every verified board's
 * retained record, kept as one merged picture (fleet-view.ts) that changes as stations report. `ready` resolves
 * once the broker has delivered everything it held: this client publishes a token to a private topic and waits for
 * it to come back (an MQTT broker delivers one client's messages in order, so every retained message is in by
 * then). `kiln fleet` reads once and disconnects (readFleet); the Station screen's Fleet tab keeps watching.
 *
 * Before `ready`, any failure ends the watch: a refused login (BROKER_AUTH) or a broker that cannot be reached
 * (BROKER_UNREACHABLE) is the answer, in seconds, not a retry loop. After it, a lost connection is retried by
 * MQTT.js (records are merged by id, so what the broker sends again counts once); a refused login ends it.
 */
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { KilnError } from '../core/errors';
import type { DeviceRecord, FleetStatus } from '../station/schemas';
import { brokerError, connectBroker, isLoginRefused } from './broker';
import { parseRecord } from './fleet-link';
import { fleetView, type FleetView } from './fleet-view';
import { fleetTopics, type FleetSettings, type FleetTopics } from './settings';
import { parseStationState, type FleetStationState, type OFFLINE } from './station-state';

export interface FleetWatchOptions {
  settings: FleetSettings;
  password?: string;
  /** PEM text of the CA that signed an mqtts:// broker's certificate (instead of settings.caFile). */
  ca?: string;
  /**
   * Errors for a person at a screen, not a shell: no user name told back, and a hint about the form they filled
   * (not about KILN_BROKER_PASSWORD).
   */
  forScreen?: boolean;
  /** Called on every change of the picture or of the connection. */
  onChange?(): void;
}

export class FleetWatch {
  private readonly topics: FleetTopics;
  private readonly token = randomBytes(6).toString('hex');
  private readonly states = new Map<string, FleetStationState | typeof OFFLINE>();
  private readonly records = new Map<string, DeviceRecord>();
  private connectionState: FleetStatus['connection'] = 'connecting';
  private failure: KilnError | undefined;
  private synced = false;
  private closed = false;
  private abandon: ((e: KilnError) => void) | undefined;
  /** Resolves once every retained message is in; rejects with BROKER_AUTH or BROKER_UNREACHABLE before that. */
  readonly ready: Promise<void>;

  private constructor(
    private readonly o: FleetWatchOptions,
    private readonly clientId: string,
    private readonly client: MqttClient,
  ) {
    this.topics = fleetTopics(o.settings.fleet);
    this.ready = new Promise<void>((resolve, reject) => {
      this.abandon = reject;
      const fail = (e: KilnError) => {
        if (this.synced) return;
        this.failure = e;
        this.connectionState = e.code === 'BROKER_AUTH' ? 'refused' : 'offline';
        reject(e); // first: closing rejects a still-waiting `ready` with CANCELLED
        void this.close();
      };
      client.on('error', (err) => {
        if (!this.synced) return fail(this.toError(err));
        if (!isLoginRefused(err)) return;
        // The login worked before and is refused now (password changed at the broker): stop, don't hammer it.
        this.failure = this.toError(err);
        this.connectionState = 'refused';
        void client.endAsync(true);
        o.onChange?.();
      });
      client.on('offline', () => {
        if (!this.synced) return fail(this.toError(new Error('no connection')));
        if (this.connectionState === 'refused') return;
        this.connectionState = 'offline';
        o.onChange?.();
      });
      client.on('connect', () => {
        if (this.synced) {
          this.connectionState = 'online';
          this.failure = undefined;
          o.onChange?.();
          return; // MQTT.js subscribes again by itself; the broker re-sends what it retains
        }
        client
          .subscribeAsync(
            [this.topics.allStations, this.topics.allDevices, this.topics.sync(this.clientId)],
            { qos: 1 },
          )
          .then(() => client.publishAsync(this.topics.sync(this.clientId), this.token, { qos: 1 }))
          .catch((e: Error) => fail(this.toError(e)));
      });
      client.on('message', (topic, payload) => {
        if (topic === this.topics.sync(this.clientId)) {
          if (payload.toString() !== this.token || this.synced) return;
          this.synced = true;
          this.connectionState = 'online';
          resolve();
          o.onChange?.();
          return;
        }
        if (this.take(topic, payload) && this.synced) o.onChange?.();
      });
    });
    // A rejection nobody awaited yet must not end the process; `ready`'s awaiter still sees it.
    this.ready.catch(() => {});
  }

  /** Connects and starts subscribing; await `ready` for the first full picture. */
  static async open(o: FleetWatchOptions): Promise<FleetWatch> {
    const clientId = `kiln-fleet-${randomBytes(4).toString('hex')}`;
    const client = await connectBroker({
      settings: o.settings,
      clientId,
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.ca !== undefined ? { ca: o.ca } : {}),
    });
    return new FleetWatch(o, clientId, client);
  }

  view(): FleetView {
    return fleetView(this.o.settings.fleet, this.states, [...this.records.values()]);
  }

  get connection(): FleetStatus['connection'] {
    return this.connectionState;
  }

  /** What went wrong last (BROKER_AUTH ends the watch; BROKER_UNREACHABLE before the first picture). */
  get error(): KilnError | undefined {
    return this.failure;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Closed before the first picture (another watch replaced this one): whoever awaits `ready` is told so.
    if (!this.synced)
      this.abandon?.(new KilnError('CANCELLED', 'Stopped watching before the broker answered.'));
    await this.client.endAsync(true);
  }

  /** Takes one retained message into the picture; whether it changed anything. */
  private take(topic: string, payload: Buffer): boolean {
    const stationsPrefix = `${this.topics.prefix}/stations/`;
    if (topic.startsWith(stationsPrefix)) {
      const state = parseStationState(payload);
      if (!state) return false;
      this.states.set(topic.slice(stationsPrefix.length), state);
      return true;
    }
    const r = parseRecord(payload);
    if (r?.result !== 'verified' || this.records.has(r.id)) return false;
    this.records.set(r.id, r);
    return true;
  }

  private toError(err: Error): KilnError {
    if (!this.o.forScreen) return brokerError(err, this.o.settings);
    const settings: FleetSettings = { broker: this.o.settings.broker, fleet: this.o.settings.fleet };
    const e = brokerError(err, settings);
    return new KilnError(e.code, e.message, {
      hint:
        e.code === 'BROKER_AUTH'
          ? 'Check the user name and password, then watch again.'
          : isCertificateProblem(err)
            ? "The broker's certificate is not trusted: if it comes from your own CA, pick that CA's certificate file, then watch again."
            : 'Check the broker address and that the broker is running, then watch again.',
      details: { broker: this.o.settings.broker },
    });
  }
}

/** Node's TLS verification failures (self-signed, unknown CA, wrong host name, expired) carry codes like these. */
function isCertificateProblem(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /CERT|TLS|SIGNATURE|ISSUER/.test(code);
}

/** `kiln fleet`: connects, reads everything retained under the fleet's prefix, disconnects. */
export async function readFleet(settings: FleetSettings, password?: string): Promise<FleetView> {
  const watch = await FleetWatch.open({ settings, ...(password !== undefined ? { password } : {}) });
  try {
    await watch.ready;
    return watch.view();
  } finally {
    await watch.close();
  }
}
