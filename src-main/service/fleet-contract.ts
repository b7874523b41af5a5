/**
 * Watching a fleet (spread into `methods` and `events` in contract.ts): the Station screen's Fleet tab connects to
 * the fleet's MQTT broker, receives the fleet view as it changes (`fleetUpdate`), exports the merged record stream
 * as CSV and stops watching. One watch at a time per service. Pure zod, like the rest of the contract.
 *
 * Trust boundaries: the broker address and fleet name are checked by the service with the same rules as
 * `kiln fleet` (a refusal names the field in plain words); the password and the CA travel in, never out: no output
 * or event carries them or the user name, and no log line does.
 */
import { z } from 'zod';
import { deviceRecordSchema, fleetStatusSchema, recordErrorSchema } from '../station/schemas';

/** A CA certificate (or chain) in PEM, as read from the file the person picked. */
const MAX_CA_PEM_CHARS = 64 * 1024;

const fleetStationViewSchema = z.object({
  station: z.string(),
  online: z.boolean(),
  status: z.string().optional(),
  verified: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  perHour: z.number().optional(),
  slots: z.record(z.string(), z.number().int()).optional(),
  time: z.string().optional(),
});

export const fleetViewSchema = z.object({
  fleet: z.string(),
  stations: z.array(fleetStationViewSchema),
  /** The latest verified boards across the fleet, newest first, each once (at most 100; totals count them all). */
  records: z.array(deviceRecordSchema),
  totals: z.object({
    stations: z.number().int(),
    online: z.number().int(),
    verified: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
  }),
});

/** The watch as a client sees it: what is watched (no credentials), the connection, the picture, the trouble. */
const fleetWatchSchema = z.object({
  watching: z.boolean(),
  broker: z.string().optional(),
  fleet: z.string().optional(),
  connection: fleetStatusSchema.shape.connection.optional(),
  error: recordErrorSchema.optional(),
  view: fleetViewSchema.optional(),
});

export const fleetMethods = {
  /**
   * Starts watching a fleet (ending any earlier watch) and resolves with the first full picture. BAD_REQUEST for
   * an address or fleet name that is not one (mqtt:// or mqtts://, no credentials in it); BROKER_AUTH when the
   * broker refuses the login; BROKER_UNREACHABLE when it cannot be reached; each within seconds, never retried.
   */
  fleetWatch: {
    input: z.object({
      broker: z.string().min(1).max(2048),
      fleet: z.string().min(1).max(64),
      user: z.string().min(1).max(256).optional(),
      password: z.string().max(256).optional(),
      /** PEM text of the CA that signed an mqtts:// broker's certificate (default: the system's CAs). */
      ca: z
        .string()
        .max(MAX_CA_PEM_CHARS)
        .refine((s) => s.includes('-----BEGIN CERTIFICATE-----'), { message: 'a PEM certificate' })
        .optional(),
    }),
    output: fleetWatchSchema,
  },
  /** The current watch (a reloaded page picks it up). */
  fleetStatus: {
    input: z.object({}),
    output: fleetWatchSchema,
  },
  /** The merged record stream of the watched fleet as CSV (the browser offers it as a download). */
  fleetExportCsv: {
    input: z.object({}),
    output: z.object({ name: z.string(), csv: z.string(), rows: z.number().int() }),
  },
  /** Stops watching and disconnects. */
  fleetUnwatch: {
    input: z.object({}),
    output: fleetWatchSchema,
  },
} as const;

export const fleetEvents = {
  /** The watch changed: a station reported, a board was verified, the connection dropped or came back. */
  fleetUpdate: fleetWatchSchema,
} as const;
