/**
 * A subscriber to a fleet's record stream, as a line manager's dashboard would be: a persistent session (clean:
 * false, QoS 1), so the broker keeps what arrives while it is away, even across a broker restart. Every copy is
 * kept (`received`); `ids()` is what a de-duplicating subscriber sees.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceRecord } from '../../../src-main/station/schemas';
import type { Mosquitto } from './mosquitto';

export class RecordStream {
  readonly received: DeviceRecord[] = [];
  private waiters: { ids: string[]; resolve(): void }[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (_topic, payload) => {
      this.received.push(JSON.parse(payload.toString()) as DeviceRecord);
      const have = this.ids();
      this.waiters = this.waiters.filter((w) => {
        if (!w.ids.every((id) => have.has(id))) return true;
        w.resolve();
        return false;
      });
    });
  }

  static async open(broker: Mosquitto, fleet: string, clientId: string): Promise<RecordStream> {
    const client = await mqtt.connectAsync(broker.url, {
      clientId,
      clean: false,
      username: broker.user,
      password: broker.password,
      reconnectPeriod: 200,
    });
    const stream = new RecordStream(client);
    await client.subscribeAsync(`kiln/${fleet}/records/+`, { qos: 1 });
    return stream;
  }

  ids(): Set<string> {
    return new Set(this.received.map((r) => r.id));
  }

  /** Resolves once every one of these ids has arrived (the test's own timeout bounds the wait). */
  waitFor(ids: string[]): Promise<void> {
    const have = this.ids();
    if (ids.every((id) => have.has(id))) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ids, resolve }));
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}
