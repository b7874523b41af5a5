/**
 * The contract's building blocks: primitive schemas (port paths, bauds, hashes, bytes) and the shapes results are
 * made of, built on the vocabulary's names and limits (`../vocabulary`). Split from `contract.ts` so other parts of
 * the contract (e.g. the station's) can build on the same primitives without an import cycle; `contract.ts`
 * re-exports everything here. Like the contract, this file imports nothing from Node or Electron.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../core/errors';
import {
  AFTER_RESETS,
  BEFORE_RESETS,
  CHIP_NAMES,
  FLASH_FREQS,
  FLASH_MODES,
  FLASH_SIZES,
  JOB_PHASES,
  MAX_FLASH_BYTES,
  MAX_PORT_NAME_CHARS,
  hasPathTraversal,
  isBaudRate,
  isPortNameShape,
  type BaudRate,
} from '../vocabulary';
import { bootCheckResultSchema } from '../flash/boot-result';

// ---------------------------------------------------------------------------------------------------------
// Primitive schemas
// ---------------------------------------------------------------------------------------------------------

/** A port name as the vocabulary defines it (vocabulary/port-names.ts): device path, COM, sim: or socket://. */
export const portPathSchema = z
  .string()
  .min(1)
  .max(MAX_PORT_NAME_CHARS)
  .refine(isPortNameShape, { message: 'not a serial device path, sim: URL or socket:// address' })
  .refine((p) => !hasPathTraversal(p), { message: 'path traversal' });

export const baudSchema = z
  .number()
  .int()
  .refine((b): b is BaudRate => isBaudRate(b), {
    message: 'baud not in the allowlist',
  });

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256');
export const flashOffsetSchema = z
  .number()
  .int()
  .min(0)
  .max(MAX_FLASH_BYTES - 1);
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
/** A display name for a file (never opened as a path): no control characters, bounded. */
export const fileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'control characters' });
/** Any Uint8Array (a Node Buffer is one too); typed as plain `Uint8Array` so Buffers and views are accepted. */
export const uint8ArraySchema = () =>
  z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected a Uint8Array' });
export const bytesSchema = (max: number) =>
  uint8ArraySchema().refine((b) => b.byteLength <= max, { message: `more than ${max} bytes` });

export const chipNameSchema = z.enum(CHIP_NAMES);
export const beforeSchema = z.enum(BEFORE_RESETS);
export const afterSchema = z.enum(AFTER_RESETS);
export const flashModeSchema = z.enum(FLASH_MODES);
export const flashFreqSchema = z.enum(FLASH_FREQS);
export const flashSizeSchema = z.enum(FLASH_SIZES);

export const errorDataSchema = z.object({
  code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  hint: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

// ---------------------------------------------------------------------------------------------------------
// Shared result shapes
// ---------------------------------------------------------------------------------------------------------

/** One entry of the port picker. Real ports and virtual devices arrive in one list, told apart by `group`. */
export const portEntrySchema = z.object({
  path: z.string(),
  /** 'serial' = a real port on this machine; 'virtual' = a simulated board (no hardware); 'network' = socket://. */
  group: z.enum(['serial', 'virtual', 'network']),
  /** Ready to show: 'CP2102 USB to UART — /dev/ttyUSB0', 'Virtual ESP8266 (simulated)'. */
  label: z.string(),
  /** Second line: by-id name, manufacturer, serial number, or what a virtual device is. */
  detail: z.string().optional(),
  /** USB bridge chip family when recognised: 'CP210x', 'CH340', 'CH9102', 'FTDI', 'PL2303', 'ESP native USB'. */
  bridge: z.string().optional(),
  /** 'vid:pid', lower-case hex, e.g. '10c4:ea60'. */
  usbId: z.string().optional(),
  serialNumber: z.string().optional(),
  manufacturer: z.string().optional(),
  /** Stable `/dev/serial/by-id/...` link when there is one. */
  byId: z.string().optional(),
  /** Bridge-aware default flashing baud (e.g. 115200 for a CH340 that drops bytes faster, 460800 for CP210x). */
  defaultBaud: z.number().int(),
  /** For virtual devices: the simulated chip. */
  chip: chipNameSchema.optional(),
});

export const deviceInfoSchema = z.object({
  chip: chipNameSchema,
  description: z.string(),
  revision: z.string(),
  features: z.array(z.string()),
  mac: z.string(),
  crystalMHz: z.number(),
  flashId: z.number(),
  /** Bytes; 0 when unknown. */
  flashSize: z.number(),
  stub: z.boolean(),
  baud: z.number(),
});

export const warningSchema = z.object({
  /** Stable identifier, e.g. 'CHIP_FAMILY', 'TOO_LARGE', 'FLASH_MODE'. */
  code: z.string(),
  message: z.string(),
});

/** What image inspection found in a firmware file. Extra fields from the image module pass through. */
export const imageInfoSchema = z.looseObject({
  /** 'esp8266' (v1 image), 'esp32' (extended header), 'partition-table', 'merged', 'unknown'. */
  format: z.string(),
  /** Chip the image declares (ESP32 family) or implies (ESP8266 v1 image). */
  chip: chipNameSchema.optional(),
  /** 'bootloader' | 'app' | 'partition-table' | 'merged' | 'data' | 'unknown'. */
  role: z.string().optional(),
  flashMode: z.string().optional(),
  flashFreq: z.string().optional(),
  flashSize: z.string().optional(),
  /** Offset the image most likely belongs at, when it can be told. */
  suggestedOffset: z.number().int().optional(),
  description: z.string().optional(),
});

export const firmwareSummarySchema = z.object({
  sha256: sha256Schema,
  name: z.string(),
  size: z.number().int(),
  info: imageInfoSchema,
  warnings: z.array(warningSchema),
});

export const manifestBuildSchema = z.object({
  /** ESP Web Tools `chipFamily`, as written ('ESP32-C3'). */
  chipFamily: z.string(),
  /** Our chip name when the family is known. */
  chip: chipNameSchema.optional(),
  /** Part paths as written in the manifest (relative URLs); the renderer matches them to files the user adds. */
  parts: z.array(z.object({ path: z.string(), offset: z.number().int() })),
});

export const manifestSchema = z.object({
  name: z.string(),
  version: z.string().optional(),
  newInstallPromptErase: z.boolean().optional(),
  builds: z.array(manifestBuildSchema),
});

export const regionResultSchema = z.object({
  offset: z.number().int(),
  size: z.number().int(),
  /** MD5 verified on the device, hex. */
  md5: z.string(),
  bytesSent: z.number().int(),
  blocksSkipped: z.number().int(),
  blocksTotal: z.number().int(),
  verified: z.boolean(),
  name: z.string().optional(),
  /** SHA-256 of the firmware file that was written here. */
  sha256: z.string().optional(),
});

/** Where a read or a pre-flash backup landed: in the app's data folder, also in the firmware cache by SHA-256. */
export const savedReadSchema = z.object({
  offset: z.number().int(),
  size: z.number().int(),
  sha256: sha256Schema,
  /** Absolute path in `<dataFolder>/backups/` (shown to the user, never sent back as input). */
  file: z.string(),
});

/** The post-flash boot check's one shape, shared with station records (flash/boot-result.ts). */
export { bootCheckResultSchema };

export const flashJobResultSchema = z.object({
  kind: z.literal('flash'),
  device: deviceInfoSchema,
  regions: z.array(regionResultSchema),
  bytesSent: z.number().int(),
  durationMs: z.number(),
  /** The baud the data moved at (may be a fallback after a retry; see `retriedAtBaud`). */
  baud: z.number().int(),
  retriedAtBaud: z.number().int().optional(),
  backup: z.array(savedReadSchema).optional(),
  /** The post-flash boot check, when it ran. */
  boot: bootCheckResultSchema.optional(),
});
export const readJobResultSchema = z.object({
  kind: z.literal('read'),
  device: deviceInfoSchema,
  read: savedReadSchema,
  durationMs: z.number(),
});
/** A whole-flash backup: the flash size the flash id gave, read from 0x0 and checked by MD5 on the chip. */
export const wholeFlashBackupSchema = savedReadSchema.extend({
  /** MD5 of the whole flash, hex: the digest the chip sent with the data (the flasher stub's READ_FLASH). */
  md5: z.string(),
});
export const backupJobResultSchema = z.object({
  kind: z.literal('backup'),
  /** The board read: chip, MAC and flash size are in here. */
  device: deviceInfoSchema,
  backup: wholeFlashBackupSchema,
  durationMs: z.number(),
});
export const eraseJobResultSchema = z.object({
  kind: z.literal('erase'),
  device: deviceInfoSchema,
  /** Absent = whole chip. */
  region: z.object({ offset: z.number().int(), size: z.number().int() }).optional(),
  durationMs: z.number(),
});
export const jobResultSchema = z.discriminatedUnion('kind', [
  flashJobResultSchema,
  readJobResultSchema,
  eraseJobResultSchema,
  backupJobResultSchema,
]);

/** The doctor's reading of a failed connection (silence, boot text at 74880, echo, permission...). */
export const diagnosisSchema = z.looseObject({
  /** Stable cause code, e.g. 'NO_REPLY_WIRING', 'NOT_IN_BOOTLOADER', 'ECHO' (the doctor's catalogue). */
  code: z.string(),
  title: z.string(),
  /** One or two sentences in plain words. */
  explanation: z.string(),
  /** What was observed, e.g. 'No byte received in 7 attempts at 115200 baud'. */
  evidence: z.array(z.string()),
  /** Next steps for a person, in order. */
  steps: z.array(z.string()),
  confidence: z.enum(['high', 'medium', 'low']).optional(),
});

/** A fix the doctor offers. Everything it would run is listed in `commands` (fixed argv) and shown before running. */
export const fixSchema = z.looseObject({
  id: idSchema,
  title: z.string(),
  /** Why this fix applies, in plain words. */
  explanation: z.string(),
  /** Each entry is one argv (e.g. ['pkexec', 'usermod', '-aG', 'dialout', 'ana']); empty for advice-only fixes. */
  commands: z.array(z.array(z.string())),
  /** True when it goes through pkexec (one polkit prompt). */
  needsRoot: z.boolean(),
  /** A file the fix writes, shown in full before anything runs. */
  preview: z.object({ path: z.string(), content: z.string() }).optional(),
  /** The same as a person would type it (sudo ...), or what to do when there is nothing to run. */
  manual: z.array(z.string()),
  /** Side effects to know before saying yes. */
  warning: z.string().optional(),
});

/** One finding of the access doctor, with the evidence exactly as read from the system. */
export const accessFindingSchema = z.looseObject({
  /** Stable id, e.g. 'port-permission', 'group-not-active', 'brltty-claims-device'. */
  id: z.string(),
  severity: z.enum(['ok', 'info', 'warn', 'error']),
  title: z.string(),
  explanation: z.string(),
  evidence: z.array(z.string()),
  fixes: z.array(fixSchema),
});

export const accessReportSchema = z.looseObject({
  platform: z.string(),
  /** False when any finding has severity 'error'. */
  ok: z.boolean(),
  worst: z.enum(['ok', 'info', 'warn', 'error']),
  user: z.string().optional(),
  /** Groups active in this login, and groups the account database gives the user (differ until re-login). */
  processGroups: z.array(z.string()),
  databaseGroups: z.array(z.string()),
  /** System-wide findings (brltty installed, polkit agent missing...). */
  system: z.array(accessFindingSchema),
  /** Per-port findings, for the asked port or every USB serial node present. */
  ports: z.array(
    z.object({
      path: z.string(),
      present: z.boolean(),
      bridge: z.string().optional(),
      findings: z.array(accessFindingSchema),
    }),
  ),
});

/** 'backup' reads the whole flash; 'restore' writes a whole-flash backup back (its result is a flash result). */
export const jobKindSchema = z.enum(['flash', 'read', 'erase', 'backup', 'restore']);
/** Engine phases plus 'backup' (reading the original before a flash). */
export const jobPhaseSchema = z.enum(JOB_PHASES);

export const jobSummarySchema = z.object({
  jobId: idSchema,
  kind: jobKindSchema,
  port: z.string(),
  phase: jobPhaseSchema,
  startedAt: z.number(),
  running: z.boolean(),
});

const flashOptionFields = {
  eraseAll: z.boolean(),
  flashMode: flashModeSchema,
  flashFreq: flashFreqSchema,
  flashSize: flashSizeSchema,
  /** Compare the device's MD5 per block and send only what differs. */
  skipUnchanged: z.boolean(),
  /**
   * Save the bytes this flash overwrites into `<dataFolder>/backups/` first (fast; not a full backup: the stock
   * firmware cannot be restored from it — `startBackup` saves the whole flash).
   */
  backupFirst: z.boolean(),
};

export const flashDefaultsSchema = z.object({
  eraseAll: flashOptionFields.eraseAll.default(false),
  flashMode: flashOptionFields.flashMode.default('keep'),
  flashFreq: flashOptionFields.flashFreq.default('keep'),
  flashSize: flashOptionFields.flashSize.default('keep'),
  skipUnchanged: flashOptionFields.skipUnchanged.default(true),
  backupFirst: flashOptionFields.backupFirst.default(false),
});

/**
 * `startFlash` options: the saved flash defaults plus `bootCheck` (listen to the board after the hard reset).
 * Absent = on when `after` is hard-reset on a port with reset lines (a UART adapter or a virtual board), else off.
 */
export const flashJobOptionsSchema = flashDefaultsSchema.extend({ bootCheck: z.boolean().optional() });

/**
 * The saved flash options: the defaults plus the GUI's boot-check switch. `true` means "check where the port can
 * reset the board" (the client then leaves `bootCheck` out of `startFlash`); `false` sends `bootCheck: false`.
 */
export const flashSettingsSchema = flashDefaultsSchema.extend({ bootCheck: z.boolean().default(true) });

/** Settings fields without defaults: what `setSettings` accepts (any subset). */
const settingsFields = {
  theme: z.enum(['system', 'light', 'dark']),
  lastPort: portPathSchema,
  /** Per-port baud the user picked last (key = port path). */
  baudByPort: z.record(z.string().max(300), baudSchema),
  monitorBaud: baudSchema,
  flash: flashSettingsSchema,
  /** Show the sim: virtual devices in the port picker. */
  showVirtualDevices: z.boolean(),
};

export const settingsSchema = z.object({
  theme: settingsFields.theme.default('system'),
  lastPort: settingsFields.lastPort.optional(),
  baudByPort: settingsFields.baudByPort.default({}),
  monitorBaud: settingsFields.monitorBaud.default(115200),
  flash: settingsFields.flash.default(flashSettingsSchema.parse({})),
  showVirtualDevices: settingsFields.showVirtualDevices.default(true),
});

export const settingsPatchSchema = z.object({
  theme: settingsFields.theme.optional(),
  lastPort: settingsFields.lastPort.optional(),
  baudByPort: settingsFields.baudByPort.optional(),
  monitorBaud: settingsFields.monitorBaud.optional(),
  flash: z
    .object({ ...flashOptionFields, bootCheck: z.boolean() })
    .partial()
    .optional(),
  showVirtualDevices: settingsFields.showVirtualDevices.optional(),
});
