/**
 * The station's data shapes as zod schemas: the profile (saved as JSON, validated on load), the per-device record
 * (one JSONL line of the report), the live snapshot the GUI draws. Pure zod and nothing from Node, so the service
 * contract can re-use these schemas and the renderer can import their types.
 *
 * The SHA-256 pattern below repeats the contract's on purpose: the contract imports this file, so importing the
 * contract from here would make a module cycle.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../core/errors';
import { BEFORE_RESETS, CHIP_NAMES, FLASH_BAUDS, type BoardCounts } from '../vocabulary';
import { bootCheckResultSchema } from '../flash/boot-result';
import { fleetSettingsSchema } from '../fleet/settings';

const SHA256 = /^[0-9a-f]{64}$/;

export const stationSha256Schema = z.string().regex(SHA256, 'lower-case hex SHA-256');

/** Profile names become folder and file names (backups, saved profiles): letters, digits, space, . _ - only. */
export const profileNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/,
    'letters, digits, space, dot, underscore and dash; starting with a letter or digit',
  );

const fileLabel = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'control characters' });

/**
 * A firmware file named by path, relative to the profile file (`tasmota.bin`, `../images/app.bin`): forward or
 * back slashes, never absolute, so a profile folder can be copied to another bench and still work.
 */
export const profileFilePathSchema = fileLabel.refine((s) => !/^([/\\]|[A-Za-z]:)/.test(s), {
  message: 'a path relative to the profile file (not absolute)',
});

/** One firmware file of a profile: named by its SHA-256 in the firmware cache; `name` says which file to add. */
export const profileImageSchema = z.object({
  sha256: stationSha256Schema,
  /** The file this image was read from, relative to the profile (hand-written profiles; see profile-files.ts). */
  file: profileFilePathSchema.optional(),
  /** Absent = where the image's content says (the planner decides, as for a single flash). */
  offset: z
    .number()
    .int()
    .min(0)
    .max(128 * 1024 * 1024 - 1)
    .optional(),
  name: fileLabel,
});

/** A manifest-style profile: one build per chip family, picked by the chip each board turns out to be. */
export const profileBuildSchema = z.object({
  chip: z.enum(CHIP_NAMES),
  parts: z.array(profileImageSchema).min(1).max(16),
});

/** A profile's data baud: one the flash screen offers too. */
export const stationBaudSchema = z.literal(FLASH_BAUDS);

export const profileOptionsSchema = z.object({
  eraseAll: z.boolean().default(false),
  /** Read what is about to be overwritten into `<backups>/<profile>/<mac>.bin` first. */
  backupFirst: z.boolean().default(false),
  flashMode: z.enum(['keep', 'qio', 'qout', 'dio', 'dout']).default('keep'),
  skipUnchanged: z.boolean().default(true),
  /** Verification after every write is not optional; the field exists so a profile says so explicitly. */
  verify: z.literal(true).default(true),
});

export const profilePolicySchema = z.object({
  /** Stop starting new boards after this many failures in a row (0 = never stop). */
  stopAfterConsecutiveFailures: z.number().int().min(0).max(1000).default(3),
  /** Flash a board again even when its MAC already has a verified record in this report. */
  reflashDuplicates: z.boolean().default(false),
});

/**
 * After a verified flash, set up Wi-Fi (and on Tasmota host name and MQTT) over the serial console. Passwords are
 * not part of a profile (profiles are files): they are given for a run and kept in memory only. Patterns take
 * `%mac6%` (the MAC's last six hex digits) and `%mac%` (all twelve).
 */
export const provisionStepSchema = z.object({
  wifi: z
    .array(z.object({ ssid: z.string().min(1).max(32) }))
    .min(1)
    .max(2),
  hostnamePattern: z.string().min(1).max(63).optional(),
  mqtt: z
    .object({
      host: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65535).optional(),
      user: z.string().min(1).max(64).optional(),
      topicPattern: z.string().min(1).max(64).optional(),
    })
    .optional(),
  module: z
    .string()
    .regex(/^\d{1,3}$/)
    .optional(),
  timeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
});
export type ProvisionStep = z.output<typeof provisionStepSchema>;

const profileObject = z.object({
  /** Format version of the saved file. */
  version: z.literal(1).default(1),
  name: profileNameSchema,
  /** Either images (same files for every board)... */
  images: z.array(profileImageSchema).max(16).optional(),
  /** ...or per-chip builds (an ESP Web Tools manifest, already resolved to cached files). */
  builds: z.array(profileBuildSchema).max(8).optional(),
  /** Data baud after the stub is up. */
  baud: stationBaudSchema.default(460800),
  options: profileOptionsSchema.default(profileOptionsSchema.parse({})),
  /** After the flash: hard reset and listen to the boot text (ESP8266 at 74880, ESP32 family at 115200). */
  bootCheck: z.boolean().default(false),
  /**
   * How each board enters download mode; 'manual' (boards without auto-reset, e.g. Sonoff): the slot waits in
   * 'hold-and-power-up' until the operator holds the button and powers the board up (flash/guided.ts).
   */
  before: z.enum(BEFORE_RESETS).optional(),
  policy: profilePolicySchema.default(profilePolicySchema.parse({})),
  provision: provisionStepSchema.optional(),
  /** The fleet this station publishes to (an MQTT broker); absent = this station's report only. */
  fleet: fleetSettingsSchema.optional(),
});

const EITHER_IMAGES_OR_BUILDS = {
  check: (p: { images?: unknown[] | undefined; builds?: unknown[] | undefined }) =>
    (p.images?.length ?? 0) > 0 !== (p.builds?.length ?? 0) > 0,
  message: 'a profile has either images or builds (not both, not neither)',
};

/** A profile ready to run: every image named by SHA-256 (what the Station screen saves and the station runs). */
export const profileSchema = profileObject.refine(EITHER_IMAGES_OR_BUILDS.check, {
  message: EITHER_IMAGES_OR_BUILDS.message,
});

/**
 * An image as a profile file may state it: by SHA-256 (with the name of the file to add), by path (`file`,
 * pinned to its SHA-256 on first use), or both (the SHA-256 written in the profile is then the pin).
 */
export const profileImageDocumentSchema = profileImageSchema
  .extend({ sha256: stationSha256Schema.optional(), name: fileLabel.optional() })
  .refine((i) => i.file !== undefined || (i.sha256 !== undefined && i.name !== undefined), {
    message: 'an image names its file ("file": "tasmota.bin"), or its sha256 and name',
  });

/** A profile file as written by hand or saved: like `profileSchema`, but images may name files by path. */
export const profileDocumentSchema = profileObject
  .extend({
    images: z.array(profileImageDocumentSchema).max(16).optional(),
    builds: z
      .array(profileBuildSchema.extend({ parts: z.array(profileImageDocumentSchema).min(1).max(16) }))
      .max(8)
      .optional(),
  })
  .refine(EITHER_IMAGES_OR_BUILDS.check, { message: EITHER_IMAGES_OR_BUILDS.message });

/**
 * The pins of a profile's files (`<profile>.lock`, beside it): the SHA-256 each path had when first used, keyed
 * by the path as the profile writes it.
 */
export const profileLockSchema = z.object({
  version: z.literal(1),
  pins: z.record(profileFilePathSchema, stationSha256Schema),
});

export type Profile = z.output<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;
export type ProfileImage = z.output<typeof profileImageSchema>;
export type ProfileDocument = z.output<typeof profileDocumentSchema>;
export type ProfileImageDocument = z.output<typeof profileImageDocumentSchema>;
export type ProfileLock = z.output<typeof profileLockSchema>;

const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const recordErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  hint: z.string().optional(),
});

export const recordDiagnosisSchema = z.looseObject({
  code: z.string(),
  title: z.string(),
  explanation: z.string().optional(),
  steps: z.array(z.string()).optional(),
});

/**
 * The boot check as a record stores it: the one boot-result shape, except that records written before the check
 * quoted its evidence lack it (the Station screen shows the lines heard instead).
 */
export const recordBootCheckSchema = bootCheckResultSchema.extend({
  evidence: bootCheckResultSchema.shape.evidence.optional(),
});

export const recordResultSchema = z.enum(['verified', 'failed', 'skipped']);

/** One line of the report: everything known about one attempt on one board. */
export const deviceRecordSchema = z.object({
  id: z.string(),
  /** ISO time the attempt started. */
  time: z.string(),
  station: z.string(),
  profile: z.string(),
  port: z.string(),
  /** USB bridge chip ('CP210x', 'CH340') and VID:PID when known. */
  bridge: z.string().optional(),
  usbId: z.string().optional(),
  chip: z.string().optional(),
  chipDescription: z.string().optional(),
  revision: z.string().optional(),
  mac: z.string().optional(),
  /** JEDEC id, hex ('0x1640ef'). */
  flashId: z.string().optional(),
  flashSize: z.number().int().optional(),
  firmware: z.array(z.object({ sha256: z.string(), name: z.string(), offset: z.number().int() })),
  result: recordResultSchema,
  /** Why a board was skipped ('duplicate-mac'). */
  skipReason: z.string().optional(),
  error: recordErrorSchema.optional(),
  diagnosis: recordDiagnosisSchema.optional(),
  durationMs: z.number(),
  bytesSent: z.number().int(),
  /** Blocks the device already held (skip unchanged). */
  blocksSkipped: z.number().int().optional(),
  baud: z.number().int().optional(),
  /** Set when data errors at the profile's baud made the board run again at this lower one. */
  retriedAtBaud: z.number().int().optional(),
  backup: z
    .object({ file: z.string(), sha256: z.string(), offset: z.number().int(), size: z.number().int() })
    .optional(),
  bootCheck: recordBootCheckSchema.optional(),
  /** The profile's provisioning step, when it ran (never a password). */
  provision: z
    .object({
      result: z.enum(['online', 'failed']),
      firmware: z.enum(['tasmota', 'improv']).optional(),
      ip: z.string().optional(),
      hostname: z.string().optional(),
      mqtt: z.enum(['connected', 'failed', 'not-configured', 'unknown']).optional(),
      error: recordErrorSchema.optional(),
    })
    .optional(),
  /** 1 for the first try on this slot, 2 after one retry... */
  attempt: z.number().int(),
});
export type DeviceRecord = z.output<typeof deviceRecordSchema>;

export const slotStateSchema = z.enum([
  'waiting',
  /** Guided download mode: waiting for the operator to hold the button and power the board up. */
  'hold-and-power-up',
  'connecting',
  'backup',
  'erasing',
  'writing',
  'verifying',
  'boot-check',
  'verified',
  'failed',
  'skipped',
  'cancelled',
]);
export type SlotState = z.output<typeof slotStateSchema>;

export const slotSnapshotSchema = z.object({
  port: z.string(),
  state: slotStateSchema,
  /** Percent of the current phase (0–100). */
  percent: z.number(),
  attempt: z.number().int(),
  mac: z.string().optional(),
  chip: z.string().optional(),
  error: recordErrorSchema.optional(),
  diagnosis: recordDiagnosisSchema.optional(),
  bootCheck: recordBootCheckSchema.optional(),
  /** Whether the port is still present (auto mode: the board was unplugged). */
  present: z.boolean(),
});
export type SlotSnapshot = z.output<typeof slotSnapshotSchema>;

/**
 * A report's counts: boards (each by its latest attempt) and attempts, as vocabulary/board-counts.ts counts them;
 * the rate runs from the first record's start to the last record's end. Its type is that file's BoardCounts (no
 * second name for it).
 */
export const reportSummarySchema = z.object({
  boards: z.number().int(),
  verified: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  attempts: z.number().int(),
  elapsedMs: z.number(),
  /** Verified boards per hour over `elapsedMs`. */
  perHour: z.number(),
}) satisfies z.ZodType<BoardCounts>;

/** The station's link to its fleet's broker (fleet/fleet-link.ts), when the profile or the command names one. */
export const fleetStatusSchema = z.object({
  fleet: z.string(),
  broker: z.string(),
  connection: z.enum(['connecting', 'online', 'offline', 'refused']),
  /** Records on disk the broker has not acknowledged yet. */
  pending: z.number().int(),
  /** MACs verified anywhere in the fleet (this station's earlier runs included), as far as this station knows. */
  fleetVerified: z.number().int(),
  error: recordErrorSchema.optional(),
});
export type FleetStatus = z.output<typeof fleetStatusSchema>;

export const stationSnapshotSchema = z.object({
  /** 'idle' before a start; 'running'; 'halted' after N consecutive failures; 'stopped' by request. */
  status: z.enum(['idle', 'running', 'halted', 'stopped']),
  station: z.string().optional(),
  profile: z.string().optional(),
  mode: z.enum(['ports', 'auto']).optional(),
  reportFile: z.string().optional(),
  haltReason: z.string().optional(),
  consecutiveFailures: z.number().int(),
  slots: z.array(slotSnapshotSchema),
  summary: reportSummarySchema,
  fleet: fleetStatusSchema.optional(),
});
export type StationSnapshot = z.output<typeof stationSnapshotSchema>;
