/**
 * The one contract between Kiln's user interfaces and its service: every request/response method and every
 * pushed event, with a zod schema for each payload. Electron IPC, the browser-mode WebSocket and the CLI are
 * thin adapters typed from this module. Every incoming payload is validated against these schemas in one place,
 * the service's `invoke` (`parseCall` from `./validate`), whichever host it came through; hosts add only what
 * they alone can check (the Electron sender, the WebSocket token and Origin).
 *
 * Rules that keep the contract portable:
 * - Payloads are JSON-safe except for binary, which is always a `Uint8Array` (never a Buffer, never an Error).
 * - Errors are data: `{ code, message, hint?, details? }` (`KilnErrorData`). A rejected method call carries that
 *   shape (see `KilnApiError`).
 * - This file imports nothing from Node or Electron, so the renderer may `import type` from it under its DOM
 *   tsconfig. The renderer imports TYPES only; the runtime schemas stay in the main process. The names and
 *   allowed values (methods, events, channels, chips, bauds, limits) come from `../vocabulary`, which the
 *   renderer and the preload do load at run time.
 *
 * Trust boundaries encoded here: port paths must look like a serial device, a `sim:` URL or a `socket://`
 * address (the service additionally requires a real path to be in the latest listing); bauds come from an
 * allowlist; byte arrays, counts and strings are bounded. The main process never receives a file path to open:
 * firmware travels as bytes and is referred to by its SHA-256 afterwards.
 */
import { z } from 'zod';
import type { ErrorCode, ErrorDetails, KilnErrorData } from '../core/errors';
import {
  accessReportSchema,
  afterSchema,
  baudSchema,
  beforeSchema,
  bootCheckResultSchema,
  bytesSchema,
  deviceInfoSchema,
  diagnosisSchema,
  errorDataSchema,
  fileNameSchema,
  firmwareSummarySchema,
  flashDefaultsSchema,
  flashJobOptionsSchema,
  flashOffsetSchema,
  idSchema,
  imageInfoSchema,
  jobKindSchema,
  jobPhaseSchema,
  jobResultSchema,
  jobSummarySchema,
  manifestSchema,
  portEntrySchema,
  portPathSchema,
  settingsPatchSchema,
  settingsSchema,
  sha256Schema,
  uint8ArraySchema,
  fixSchema,
} from './contract-schemas';
import {
  HAND_ACTIONS,
  MAX_FIRMWARE_BYTES,
  MAX_FLASH_BYTES,
  MAX_IMAGES_PER_FLASH,
  MAX_MANIFEST_CHARS,
  MAX_MONITOR_WRITE_BYTES,
} from '../vocabulary';
import { fleetEvents, fleetMethods } from './fleet-contract';
import { provisionMethods } from './provision-contract';
import { stationEvents, stationMethods } from './station-contract';
import type { EventName as VocabularyEvent, MethodName as VocabularyMethod } from '../vocabulary';

export * from './contract-schemas';

const empty = z.object({});
const connectionFields = {
  port: portPathSchema,
  /** Data baud after the stub is up; absent = the port's default. */
  baud: baudSchema.optional(),
  before: beforeSchema.optional(),
  after: afterSchema.optional(),
  /**
   * `before: 'manual'` (guided download mode): seconds to listen for the user's power-up before concluding from
   * what was heard; absent = until cancelled.
   */
  listenSeconds: z.number().int().min(1).max(86_400).optional(),
};
const jobStarted = z.object({ jobId: idSchema });

// ---------------------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------------------

export const methods = {
  /** Versions and where things live. `host` says which adapter answered. */
  appInfo: {
    input: empty,
    output: z.object({
      name: z.string(),
      version: z.string(),
      host: z.enum(['electron', 'web', 'cli']),
      platform: z.string(),
      logFolder: z.string(),
      dataFolder: z.string(),
    }),
  },
  /** Real ports (with bridge, VID:PID, serial, by-id, default baud) then virtual devices. Refreshes the known-port list. */
  listPorts: {
    input: empty,
    output: z.object({ ports: z.array(portEntrySchema) }),
  },
  /** Connects, reads chip/MAC/flash size, leaves per `after` (default hard-reset). SYNC_FAILED errors carry `details.diagnosis`. */
  identify: {
    input: z.object({ ...connectionFields }),
    output: deviceInfoSchema,
  },
  /** Puts the bytes into the content-addressed cache and inspects them. */
  inspectFirmware: {
    input: z.object({ name: fileNameSchema, bytes: bytesSchema(MAX_FIRMWARE_BYTES) }),
    output: firmwareSummarySchema,
  },
  /** Bytes of a cached firmware or read (e.g. to save a backup from the browser). */
  getFirmware: {
    input: z.object({ sha256: sha256Schema }),
    output: z.object({ sha256: sha256Schema, bytes: uint8ArraySchema() }),
  },
  /** Parses an ESP Web Tools manifest (text). */
  parseManifest: {
    input: z.object({ json: z.string().max(MAX_MANIFEST_CHARS) }),
    output: manifestSchema,
  },
  /** Flash images already in the cache (by SHA-256). Progress and the result arrive as job events. */
  startFlash: {
    input: z.object({
      ...connectionFields,
      images: z
        .array(z.object({ sha256: sha256Schema, offset: flashOffsetSchema.optional(), name: fileNameSchema }))
        .min(1)
        .max(MAX_IMAGES_PER_FLASH),
      options: flashJobOptionsSchema.default(flashDefaultsSchema.parse({})),
    }),
    output: jobStarted,
  },
  /** Read a flash region (or the whole flash when `size` is absent) into `<dataFolder>/backups/` and the cache. */
  startRead: {
    input: z.object({
      ...connectionFields,
      offset: flashOffsetSchema.default(0),
      size: z.number().int().min(1).max(MAX_FLASH_BYTES).optional(),
    }),
    output: jobStarted,
  },
  /**
   * Back up the whole flash: its size from the flash id, read from 0x0 and checked by MD5 on the chip, saved as
   * `<dataFolder>/backups/<mac>-<YYYYMMDD-HHMMSS>-full.bin` and in the cache. The result is `kind: 'backup'`.
   */
  startBackup: {
    input: z.object({ ...connectionFields }),
    output: jobStarted,
  },
  /**
   * Write a whole-flash backup (added with `inspectFirmware`) back at 0x0 with the MD5 verify, like a flash (same
   * progress, same `kind: 'flash'` result). Refused with NOT_A_FULL_BACKUP when the file is not a whole flash
   * (checked before the job starts) and BACKUP_WRONG_SIZE when it is not the size of this board's flash.
   */
  startRestore: {
    input: z.object({
      ...connectionFields,
      backup: z.object({ sha256: sha256Schema, name: fileNameSchema }),
      /** As in `startFlash`: absent = on where the port can reset the board. */
      bootCheck: z.boolean().optional(),
    }),
    output: jobStarted,
  },
  /** Erase a region, or the whole chip when `region` is absent. */
  startErase: {
    input: z.object({
      ...connectionFields,
      region: z
        .object({ offset: flashOffsetSchema, size: z.number().int().min(1).max(MAX_FLASH_BYTES) })
        .optional(),
    }),
    output: jobStarted,
  },
  /** Cancels a running job; `cancelled` is false when it had already finished. The jobDone event follows. */
  cancelJob: {
    input: z.object({ jobId: idSchema }),
    output: z.object({ cancelled: z.boolean() }),
  },
  /** Running and recently finished jobs (so a reloaded page can pick up where it was). */
  listJobs: {
    input: empty,
    output: z.object({ jobs: z.array(jobSummarySchema) }),
  },
  /** Access diagnosis for serial ports (Linux: groups, brltty, ModemManager, holders...), optionally for one port. */
  doctorReport: {
    input: z.object({ port: portPathSchema.optional() }),
    output: accessReportSchema,
  },
  /**
   * The loopback self-test (doctor/adapter-self-test.ts): with a jumper on the adapter's TX–RX and the board
   * disconnected, sends a pattern at each rate up to the adapter's highest and checks the echo.
   */
  adapterSelfTest: {
    input: z.object({ port: portPathSchema }),
    output: z.object({
      verdict: z.enum(['good', 'no-echo', 'faulty']),
      failsFrom: z.number().int().optional(),
      steps: z.array(
        z.object({
          baud: z.number().int(),
          sent: z.number().int(),
          received: z.number().int(),
          errors: z.number().int(),
          ok: z.boolean(),
        }),
      ),
      summary: z.string(),
      advice: z.array(z.string()),
    }),
  },
  /** The user's hands on a virtual board whose URL has `hands=` (sim/hands.ts): one action, then their state. */
  virtualHands: {
    input: z.object({ port: portPathSchema, action: z.enum(HAND_ACTIONS) }),
    output: z.object({
      buttonHeld: z.boolean(),
      powered: z.boolean(),
      swapped: z.boolean(),
      loopback: z.boolean(),
    }),
  },
  /** Runs one fix from the latest report. `confirmed: true` means the user saw its `commands` and agreed. */
  runFix: {
    input: z.object({ fixId: idSchema, confirmed: z.literal(true) }),
    output: z.object({
      ok: z.boolean(),
      /** 'manual' = nothing ran (advice-only, pkexec or a polkit agent missing, not authorised): show `manual`. */
      status: z.enum(['done', 'failed', 'manual', 'declined']),
      /** Combined stdout/stderr of the steps that ran. */
      output: z.string().optional(),
      manual: z.array(z.string()).optional(),
      error: errorDataSchema.optional(),
    }),
  },
  /** Opens a serial console. A later job on the same port closes it first (monitorClosed follows). */
  monitorOpen: {
    input: z.object({ port: portPathSchema, baud: baudSchema }),
    output: z.object({ monitorId: idSchema }),
  },
  monitorWrite: {
    input: z.object({ monitorId: idSchema, data: bytesSchema(MAX_MONITOR_WRITE_BYTES) }),
    output: empty,
  },
  monitorSetBaud: {
    input: z.object({ monitorId: idSchema, baud: baudSchema }),
    output: empty,
  },
  /** Resets the board: 'run' = hard reset into the app, 'bootloader' = into the ROM loader. */
  monitorReset: {
    input: z.object({ monitorId: idSchema, mode: z.enum(['run', 'bootloader']).default('run') }),
    output: empty,
  },
  monitorClose: {
    input: z.object({ monitorId: idSchema }),
    output: empty,
  },
  getSettings: {
    input: empty,
    output: settingsSchema,
  },
  /** Merges the given fields (and `flash` field by field) and persists; returns the full settings. */
  setSettings: {
    input: settingsPatchSchema,
    output: settingsSchema,
  },
  /** Returns the log folder; the Electron host also opens it with the system file manager. */
  openLogFolder: {
    input: empty,
    output: z.object({ path: z.string(), opened: z.boolean() }),
  },
  /** The batch station (station-contract.ts). */
  ...stationMethods,
  /** Wi-Fi and MQTT set-up after a flash (provision-contract.ts). */
  ...provisionMethods,
  /** Watching a fleet through its MQTT broker (fleet-contract.ts). */
  ...fleetMethods,
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

// ---------------------------------------------------------------------------------------------------------
// Events (service → every connected client)
// ---------------------------------------------------------------------------------------------------------

export const events = {
  portsChanged: z.object({ ports: z.array(portEntrySchema) }),
  jobStarted: z.object({ jobId: idSchema, kind: jobKindSchema, port: z.string() }),
  jobPhase: z.object({ jobId: idSchema, phase: jobPhaseSchema, message: z.string().optional() }),
  /** Bytes the device acknowledged; `region` indexes the plan when per-region. */
  jobProgress: z.object({
    jobId: idSchema,
    phase: jobPhaseSchema,
    bytesDone: z.number(),
    bytesTotal: z.number(),
    bytesPerSecond: z.number(),
    region: z.number().int().optional(),
  }),
  jobLog: z.object({
    jobId: idSchema,
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string(),
    time: z.number(),
  }),
  /** The last event of every job. `diagnosis` accompanies SYNC_FAILED. */
  jobDone: z.object({
    jobId: idSchema,
    kind: jobKindSchema,
    ok: z.boolean(),
    result: jobResultSchema.optional(),
    error: errorDataSchema.optional(),
    diagnosis: diagnosisSchema.optional(),
  }),
  monitorData: z.object({ monitorId: idSchema, data: uint8ArraySchema() }),
  /** The monitor ended: closed by request (no error), by a job taking the port, or the device went away. */
  monitorClosed: z.object({
    monitorId: idSchema,
    reason: z.enum(['closed', 'job', 'lost']),
    error: errorDataSchema.optional(),
  }),
  ...stationEvents,
  ...fleetEvents,
} as const satisfies Record<string, z.ZodType>;

// ---------------------------------------------------------------------------------------------------------
// Derived types
// ---------------------------------------------------------------------------------------------------------

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** What a client passes (fields with defaults may be omitted). */
export type MethodInput<N extends MethodName> = z.input<Methods[N]['input']>;
/** What the service receives after validation (defaults filled in). */
export type ParsedInput<N extends MethodName> = z.output<Methods[N]['input']>;
export type MethodOutput<N extends MethodName> = z.output<Methods[N]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export type PortEntry = z.output<typeof portEntrySchema>;
export type ContractDeviceInfo = z.output<typeof deviceInfoSchema>;
export type FirmwareSummary = z.output<typeof firmwareSummarySchema>;
export type ImageInfoSummary = z.output<typeof imageInfoSchema>;
export type Manifest = z.output<typeof manifestSchema>;
export type JobKind = z.output<typeof jobKindSchema>;
export type JobPhase = z.output<typeof jobPhaseSchema>;
export type JobResult = z.output<typeof jobResultSchema>;
export type JobSummary = z.output<typeof jobSummarySchema>;
export type Diagnosis = z.output<typeof diagnosisSchema>;
export type AccessReport = z.output<typeof accessReportSchema>;
export type Fix = z.output<typeof fixSchema>;
export type Settings = z.output<typeof settingsSchema>;
export type FlashDefaults = z.output<typeof flashDefaultsSchema>;
export type BootCheckResult = z.output<typeof bootCheckResultSchema>;
export type HostKind = MethodOutput<'appInfo'>['host'];

/**
 * How a failed call arrives at the renderer: the promise rejects with a value carrying these fields (an Error
 * with them attached on the WebSocket client, a plain object through Electron's contextBridge, which drops
 * custom properties of Error instances). Read `code`/`message`/`hint`; never rely on `instanceof Error`.
 */
export interface KilnApiError {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: ErrorDetails;
}

/** The client-side API: `window.kiln` in Electron and the WebSocket client in browser mode both implement it. */
export type KilnApi = {
  [N in MethodName]: (input: MethodInput<N>) => Promise<MethodOutput<N>>;
} & {
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): () => void;
};

// The vocabulary lists the same names without zod (for the renderer and the preload). `sameNames` only compiles
// when both sides name exactly the same methods and the same events.
type SameNames<A, B> = [Exclude<A, B> | Exclude<B, A>] extends [never] ? true : false;
const sameNames: SameNames<MethodName, VocabularyMethod> & SameNames<EventName, VocabularyEvent> = true;
void sameNames;

// ---------------------------------------------------------------------------------------------------------
// Wire formats
// ---------------------------------------------------------------------------------------------------------

/**
 * Electron IPC: one `ipcMain.handle` channel per method (`IPC_CALL_PREFIX` + method, in the vocabulary), resolving
 * to a `CallOutcome` (never throwing: Electron keeps only `message` of a thrown error); events travel on
 * `IPC_EVENT_CHANNEL` as `WireEvent`.
 */

export type CallOutcome<N extends MethodName = MethodName> =
  { ok: true; output: MethodOutput<N> } | { ok: false; error: KilnErrorData };

/**
 * WebSocket (browser mode), URL `ws://127.0.0.1:<port>/api?token=<token>`; one JSON text frame per message.
 * Binary values (`Uint8Array` anywhere in a payload) are written as `{"$bytes": "<base64>"}` and turned back
 * into `Uint8Array` on receipt; `encodeWire`/`decodeWire` in `./wire-codec` do both (no other object may have
 * a `$bytes` key). Client → server: `WireCall`. Server → client: `WireResult` (answering a call by `id`) and
 * `WireEvent` (broadcast to every connected client). A frame that is not valid JSON, not a call, names an
 * unknown method, or fails the input schema is answered with a BAD_REQUEST result (id 0 when unknown).
 */
export interface WireCall<N extends MethodName = MethodName> {
  type: 'call';
  /** Client-chosen positive integer, echoed in the result. */
  id: number;
  method: N;
  input: MethodInput<N>;
}

export type WireResult<N extends MethodName = MethodName> =
  | { type: 'result'; id: number; ok: true; output: MethodOutput<N> }
  | { type: 'result'; id: number; ok: false; error: KilnErrorData };

export interface WireEvent<E extends EventName = EventName> {
  type: 'event';
  event: E;
  payload: EventPayload<E>;
}

export type WireServerMessage = WireResult | WireEvent;

/** WebSocket close codes the browser-mode server uses. */
export const WS_CLOSE = {
  /** Token missing or wrong (the HTTP upgrade is refused with 401 first; this is for late checks). */
  UNAUTHORIZED: 4401,
  /** Origin is not the server's own. */
  FORBIDDEN_ORIGIN: 4403,
  /** Server shutting down. */
  GOING_AWAY: 1001,
} as const;
