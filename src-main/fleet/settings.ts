/**
 * Where a station's fleet lives: an MQTT broker URL (mqtt:// or mqtts://), an optional user, the fleet's name
 * (topics go under `kiln/<fleet>/`) and, for mqtts://, an optional CA file. Pure zod, no Node, so a profile can
 * carry it (core/errors is zod-free too). The password is never part of these settings (it would end up in a saved profile or shell history):
 * it comes from the environment (KILN_BROKER_PASSWORD) on the machine that runs the station.
 */
import { z } from 'zod';
import { KilnError } from '../core/errors';

/** A fleet name is one topic segment: no MQTT wildcards (+ #), no separators. */
export const fleetNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, underscore and dash');

/** Why a broker URL is not one we connect to, or undefined when it is fine. */
export function brokerUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL (e.g. mqtt://broker.local:1883)';
  }
  if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') return 'must start with mqtt:// or mqtts://';
  if (!url.hostname) return 'names no host';
  if (url.username || url.password)
    return 'carries credentials; give the user separately and the password in KILN_BROKER_PASSWORD';
  if (url.pathname !== '' && url.pathname !== '/') return 'has a path; a broker URL is mqtt://host:port';
  if (url.search || url.hash) return 'has a query or fragment; a broker URL is mqtt://host:port';
  return undefined;
}

export const brokerUrlSchema = z.string().superRefine((s, ctx) => {
  const problem = brokerUrlProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: `the broker URL ${problem}` });
});

export const fleetSettingsSchema = z.object({
  broker: brokerUrlSchema,
  fleet: fleetNameSchema,
  user: z.string().min(1).max(256).optional(),
  /** PEM file of the CA that signed the broker's certificate (mqtts:// only; default: Node's CA bundle). */
  caFile: z.string().min(1).max(4096).optional(),
});
export type FleetSettings = z.output<typeof fleetSettingsSchema>;

const OPTION_OF: Record<string, string> = {
  broker: '--broker',
  fleet: '--fleet',
  user: '--broker-user',
  caFile: '--broker-ca',
};

/** Settings typed on a command line: a bad URL or fleet name is a BAD_REQUEST naming the option. */
export function parseFleetSettings(value: unknown): FleetSettings {
  const r = fleetSettingsSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const option = OPTION_OF[String(issue.path[0])] ?? '--broker';
  const message =
    issue.code === 'invalid_type' ? `${option} is required with --broker` : `${option}: ${issue.message}`;
  throw new KilnError('BAD_REQUEST', `${message}.`, {
    hint: 'e.g. --broker mqtt://broker.local:1883 --fleet shop (the password goes in KILN_BROKER_PASSWORD)',
  });
}

/** Topic names, all in one place. A station name becomes one segment (anything but [A-Za-z0-9._:-] → _). */
export function fleetTopics(fleet: string) {
  const prefix = `kiln/${fleet}`;
  const segment = (s: string) => s.replace(/[^A-Za-z0-9._:-]/g, '_') || '_';
  return {
    prefix,
    records: (station: string) => `${prefix}/records/${segment(station)}`,
    allRecords: `${prefix}/records/+`,
    station: (station: string) => `${prefix}/stations/${segment(station)}`,
    allStations: `${prefix}/stations/+`,
    device: (mac: string) => `${prefix}/devices/${segment(mac)}`,
    allDevices: `${prefix}/devices/#`,
    /** A private topic a client publishes to itself: once its message is back, every retained one has arrived. */
    sync: (client: string) => `${prefix}/sync/${segment(client)}`,
  };
}
export type FleetTopics = ReturnType<typeof fleetTopics>;
