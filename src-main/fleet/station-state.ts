/**
 * A station's live state as the fleet sees it: retained on `<prefix>/stations/<station>`. While the station runs it
 * is JSON (online, status, slot counts, summary); its last will, sent by the broker when the station vanishes, is
 * the bare word "offline". A station that stops cleanly retains its final JSON with `online: false`.
 */
import { z } from 'zod';
import { reportSummarySchema, type StationSnapshot } from '../station/schemas';

export const OFFLINE = 'offline';

export const fleetStationStateSchema = z.object({
  station: z.string(),
  online: z.boolean(),
  status: z.string(),
  profile: z.string().optional(),
  /** Slots by state (e.g. { writing: 2, verified: 5 }). */
  slots: z.record(z.string(), z.number().int()),
  /**
   * The station publishes its whole summary; the fleet reads only these fields, which every Kiln version has
   * published, so a station still on a version that counted attempts (`total`, no `boards`) is still shown.
   */
  summary: reportSummarySchema.pick({ verified: true, failed: true, skipped: true, perHour: true }),
  time: z.string(),
});
export type FleetStationState = z.output<typeof fleetStationStateSchema>;

export function stationState(s: StationSnapshot, online: boolean): string {
  const slots: Record<string, number> = {};
  for (const slot of s.slots) slots[slot.state] = (slots[slot.state] ?? 0) + 1;
  const state: FleetStationState = {
    station: s.station ?? '',
    online,
    status: s.status,
    slots,
    summary: s.summary,
    time: new Date().toISOString(),
  };
  if (s.profile) state.profile = s.profile;
  return JSON.stringify(state);
}

/** A retained state message: the JSON above, or "offline" (the last will), or undefined when it is neither. */
export function parseStationState(payload: Buffer): FleetStationState | typeof OFFLINE | undefined {
  const text = payload.toString('utf8');
  if (text === OFFLINE) return OFFLINE;
  try {
    const r = fleetStationStateSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
