/**
 * The fleet as one picture, read from the broker: every station's retained state (online, offline, counts, rate)
 * and every verified board's retained record. Reading ends when a message this client sent itself comes back
 * (mosquitto and MQTT brokers deliver a client's messages in order, so every retained message is in by then).
 * Records are merged by id: the same record delivered twice counts once.
 */
import { randomBytes } from 'node:crypto';
import { recordsToCsv } from '../station/report-export';
import type { DeviceRecord, ReportSummary } from '../station/schemas';
import { brokerError, connectBroker } from './broker';
import { parseRecord } from './fleet-link';
import { fleetTopics, type FleetSettings } from './settings';
import { OFFLINE, parseStationState, type FleetStationState } from './station-state';

export interface FleetStationView {
  station: string;
  online: boolean;
  status?: string;
  /** From the station's own summary while it reports one; else counted from its verified records. */
  verified: number;
  failed: number;
  skipped: number;
  perHour?: number;
  slots?: Record<string, number>;
  time?: string;
}

export interface FleetView {
  fleet: string;
  stations: FleetStationView[];
  /** Verified records across the fleet, newest first, each once. */
  records: DeviceRecord[];
  totals: { stations: number; online: number; verified: number; failed: number; skipped: number };
}

/** Connects, reads everything retained under the fleet's prefix, disconnects. Refused login: BROKER_AUTH. */
export async function readFleet(settings: FleetSettings, password?: string): Promise<FleetView> {
  const topics = fleetTopics(settings.fleet);
  const clientId = `kiln-fleet-${randomBytes(4).toString('hex')}`;
  const client = await connectBroker({
    settings,
    clientId,
    ...(password !== undefined ? { password } : {}),
  });
  const states = new Map<string, FleetStationState | typeof OFFLINE>();
  const records = new Map<string, DeviceRecord>();
  const token = randomBytes(6).toString('hex');
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('error', (err) => reject(brokerError(err, settings)));
      client.on('offline', () => reject(brokerError(new Error('no connection'), settings)));
      client.on('message', (topic, payload) => {
        if (topic === topics.sync(clientId)) {
          if (payload.toString() === token) resolve();
        } else if (topic.startsWith(`${topics.prefix}/stations/`)) {
          const state = parseStationState(payload);
          const name = topic.slice(`${topics.prefix}/stations/`.length);
          if (state) states.set(name, state);
        } else {
          const r = parseRecord(payload);
          if (r?.result === 'verified') records.set(r.id, r);
        }
      });
      client.once('connect', () => {
        client
          .subscribeAsync([topics.allStations, topics.allDevices, topics.sync(clientId)], { qos: 1 })
          .then(() => client.publishAsync(topics.sync(clientId), token, { qos: 1 }))
          .catch((e: Error) => reject(brokerError(e, settings)));
      });
    });
  } finally {
    await client.endAsync(true);
  }
  return fleetView(settings.fleet, states, [...records.values()]);
}

function fleetView(
  fleet: string,
  states: Map<string, FleetStationState | typeof OFFLINE>,
  records: DeviceRecord[],
): FleetView {
  const byStation = new Map<string, FleetStationView>();
  const counted = (station: string) =>
    records.filter((r) => r.station === station && r.result === 'verified').length;
  for (const [name, state] of states) {
    if (state === OFFLINE) {
      byStation.set(name, { station: name, online: false, verified: counted(name), failed: 0, skipped: 0 });
      continue;
    }
    byStation.set(name, {
      station: state.station || name,
      online: state.online,
      status: state.status,
      ...counts(state.summary),
      perHour: state.summary.perHour,
      slots: state.slots,
      time: state.time,
    });
  }
  // A station known only from its boards (its state was never retained, or was cleared) is shown offline.
  for (const r of records)
    if (![...byStation.values()].some((s) => s.station === r.station))
      byStation.set(r.station, {
        station: r.station,
        online: false,
        verified: counted(r.station),
        failed: 0,
        skipped: 0,
      });
  const stations = [...byStation.values()].sort((a, b) => a.station.localeCompare(b.station));
  const sorted = records.sort((a, b) => b.time.localeCompare(a.time) || a.id.localeCompare(b.id));
  return {
    fleet,
    stations,
    records: sorted,
    totals: {
      stations: stations.length,
      online: stations.filter((s) => s.online).length,
      verified: records.length,
      failed: stations.reduce((n, s) => n + s.failed, 0),
      skipped: stations.reduce((n, s) => n + s.skipped, 0),
    },
  };
}

function counts(s: ReportSummary): Pick<FleetStationView, 'verified' | 'failed' | 'skipped'> {
  return { verified: s.verified, failed: s.failed, skipped: s.skipped };
}

/** The merged stream as CSV (the report's columns, one row per record, oldest first). */
export function fleetCsv(view: FleetView): string {
  return recordsToCsv([...view.records].reverse());
}
