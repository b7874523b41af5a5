/**
 * The batch station's part of the contract (spread into `methods` and `events` in contract.ts). Like the rest of
 * the contract it imports nothing from Node: the schemas come from `station/schemas.ts`, which is pure zod.
 * Trust boundaries: clients name profiles by name and ports by path/URL; report and backup files are always
 * chosen by the service inside its data folder (a client never sends a path to write to).
 */
import { z } from 'zod';
import { MAX_STATION_CONCURRENCY } from '../vocabulary';
import {
  deviceRecordSchema,
  profileNameSchema,
  profileSchema,
  reportSummarySchema,
  stationSnapshotSchema,
} from '../station/schemas';
import { portPathSchema } from './contract-schemas';

const simUrlSchema = portPathSchema.refine((p) => p.startsWith('sim:'), {
  message: 'a sim: URL, e.g. sim:esp8266?mac=18:fe:34:00:00:01',
});

const missingSchema = z.array(z.object({ sha256: z.string(), name: z.string() }));
const profileEntrySchema = z.object({
  profile: profileSchema,
  /** Firmware the profile names that is not in the cache: add these files before starting. */
  missing: missingSchema,
});

export const stationMethods = {
  /** Saved profiles, each with the firmware it still lacks. */
  stationListProfiles: {
    input: z.object({}),
    output: z.object({ profiles: z.array(profileEntrySchema) }),
  },
  /** Saves (creates or replaces) a profile by its name. Its firmware must already be in the cache to start. */
  stationSaveProfile: {
    input: z.object({ profile: profileSchema }),
    output: profileEntrySchema,
  },
  stationDeleteProfile: {
    input: z.object({ name: profileNameSchema }),
    output: z.object({ deleted: z.boolean() }),
  },
  /**
   * Starts a station with a saved profile: on the given ports, or in auto mode (every newly plugged port matching
   * `filter` — VID:PID or path patterns, comma-separated; virtual boards arrive with stationPlugVirtual).
   * NOT_FOUND names missing firmware; JOB_CONFLICT when a station is already running.
   */
  stationStart: {
    input: z
      .object({
        profile: profileNameSchema,
        ports: z.array(portPathSchema).min(1).max(32).optional(),
        auto: z.object({ filter: z.string().max(200).optional() }).optional(),
        stationName: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[^\u0000-\u001f\u007f]*$/)
          .optional(),
        /** Boards flashing at once; the others wait in their slots (absent: no limit). */
        concurrency: z.number().int().min(1).max(MAX_STATION_CONCURRENCY).optional(),
        /**
         * Passwords for the profile's provisioning step (one per network, in order, and MQTT's). Kept in memory for
         * this run only, as Secret: never in the profile file, the report or a log.
         */
        provisionPasswords: z
          .object({ wifi: z.array(z.string().max(64)).min(1).max(2), mqtt: z.string().max(64).optional() })
          .optional(),
      })
      .refine((i) => (i.ports === undefined) !== (i.auto === undefined), {
        message: 'give either ports or auto',
      }),
    output: stationSnapshotSchema,
  },
  /** Cancels running boards (recorded as cancelled) and closes the report. */
  stationStop: {
    input: z.object({}),
    output: stationSnapshotSchema,
  },
  /** Runs every failed slot again (boards still plugged in); lifts a halt after N failures. */
  stationRetryFailed: {
    input: z.object({}),
    output: z.object({ retried: z.number().int() }),
  },
  stationStatus: {
    input: z.object({}),
    output: stationSnapshotSchema,
  },
  /** "Plugs in" a virtual board (auto mode picks it up like a real hot-plug); distinct MACs via ?mac= or ?seed=. */
  stationPlugVirtual: {
    input: z.object({ url: simUrlSchema }),
    output: z.object({ started: z.boolean() }),
  },
  stationUnplugVirtual: {
    input: z.object({ url: simUrlSchema }),
    output: z.object({}),
  },
  /** The current (or last) station's report: records, summary, and whether the file ends in a torn line. */
  stationReport: {
    input: z.object({}),
    output: z.object({
      file: z.string().optional(),
      records: z.array(deviceRecordSchema),
      summary: reportSummarySchema,
      partialLine: z.boolean(),
    }),
  },
  /** Writes the report as CSV next to the JSONL file and returns it (the browser offers it as a download). */
  stationExportCsv: {
    input: z.object({}),
    output: z.object({ file: z.string(), csv: z.string() }),
  },
} as const;

export const stationEvents = {
  /** The whole station state; sent on every slot transition and at most every 150 ms during progress. */
  stationUpdate: stationSnapshotSchema,
  /** A record reached the report file (it is on disk when this is sent). */
  stationRecord: z.object({ record: deviceRecordSchema }),
} as const;
