/**
 * The fleet as one picture: every station online or offline with its counts and rate, the verified boards newest
 * first (each once), the totals; and the merged stream as CSV. Pure: fleet-watch.ts feeds it from the broker, and
 * `kiln fleet` and the Station screen's Fleet tab both show what it builds.
 */
import { recordsToCsv } from '../station/report-export';
import type { DeviceRecord } from '../station/schemas';
import { OFFLINE, type FleetStationState } from './station-state';

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

/**
 * The picture from what the broker holds: each station's retained state (or its last will) and the verified
 * boards' records, merged by id.
 */
export function fleetView(
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
  const sorted = [...records].sort((a, b) => b.time.localeCompare(a.time) || a.id.localeCompare(b.id));
  return {
    fleet,
    stations,
    records: sorted,
    totals: {
      stations: stations.length,
      online: stations.filter((s) => s.online).length,
      verified: sorted.length,
      failed: stations.reduce((n, s) => n + s.failed, 0),
      skipped: stations.reduce((n, s) => n + s.skipped, 0),
    },
  };
}

function counts(s: FleetStationState['summary']): Pick<FleetStationView, 'verified' | 'failed' | 'skipped'> {
  return { verified: s.verified, failed: s.failed, skipped: s.skipped };
}

/** The merged stream as CSV (the report's columns, one row per record, oldest first). */
export function fleetCsv(view: FleetView): string {
  return recordsToCsv([...view.records].reverse());
}
