/**
 * The bodies of flash, read and erase jobs (DESIGN §4). A flash is the shared board run (flash/board-run.ts:
 * connect → plan → optional backup → write + verify → boot check or reset, one retry at a lower baud after data
 * errors) turned into a job result; reads get the same baud retry; erasing is not data-heavy and gets none.
 * Every failure is thrown as it happened, for the job manager to describe.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { KilnError } from '../core/errors';
import { writePrivateFile } from '../core/private-files';
import { saveWholeFlashBackup } from '../station/backups';
import type { AfterMode, DeviceInfo, EspSessionApi } from '../esp';
import {
  checkRestorable,
  runBoard,
  withBaudFallback,
  withDevice,
  type BoardHooks,
  type BootListenWindows,
  type GuidedOptions,
  type PortOpener,
  type RunBefore,
} from '../flash';
import type { ContractDeviceInfo, JobResult, ParsedInput } from './contract';
import type { ServiceDeps } from './deps';
import type { FirmwareCache } from './firmware-cache';
import type { JobContext } from './jobs';
import type { ResolvedPort } from './port-directory';

export interface JobEnv {
  deps: ServiceDeps;
  openPort: PortOpener;
  cache: FirmwareCache;
  dataDir: string;
  /** Listening windows of the post-flash boot check (defaults in doctor/boot-listen.ts). */
  bootListen?: BootListenWindows;
}

interface Connection {
  port: ResolvedPort;
  baud: number;
  before?: RunBefore;
  after: AfterMode;
  listenSeconds?: number | undefined;
}

function connectionOf(
  port: ResolvedPort,
  input: {
    baud?: number | undefined;
    before?: RunBefore | undefined;
    after?: AfterMode | undefined;
    listenSeconds?: number | undefined;
  },
): Connection {
  const c: Connection = { port, baud: input.baud ?? port.defaultBaud, after: input.after ?? 'hard-reset' };
  if (input.before) c.before = input.before;
  if (input.listenSeconds !== undefined) c.listenSeconds = input.listenSeconds;
  return c;
}

/** How long a guided flash waits for the user's power cycle when no listening time was given (a person's pace). */
const DEFAULT_HAND_WAIT_S = 60;

/** The guided download mode's steps and what it heard, as the job's phase and log lines. */
function guidedOf(env: JobEnv, ctx: JobContext, c: Connection): GuidedOptions | undefined {
  if (c.before !== 'manual') return undefined;
  return {
    userDone:
      c.listenSeconds === undefined ? undefined : env.deps.clock.sleep(c.listenSeconds * 1000, ctx.signal),
    onEvent: (e) => {
      // The instruction in force is the phase's message (one at a time); what was heard goes to the log.
      if (e.kind === 'instruction') {
        ctx.phase(
          'connecting',
          e.step === 'download-mode' ? e.text : `${e.text} (listening at ${e.listeningBaud} baud)`,
        );
      } else {
        const shown = e.meaning === 'unreadable' ? `${e.text.length} unreadable bytes` : e.text;
        ctx.log('info', `Heard at ${e.baud} baud: ${shown}`);
      }
    },
  };
}

export function portRef(port: ResolvedPort) {
  return { path: port.path, usbId: port.info?.usbId };
}

function deviceOf(info: DeviceInfo): ContractDeviceInfo {
  const { chip, description, revision, features, mac, crystalMHz, flashId, flashSize, stub, baud } = info;
  return {
    chip,
    description,
    revision,
    features: [...features],
    mac,
    crystalMHz,
    flashId,
    flashSize,
    stub,
    baud,
  };
}

/** A session on the job's port (read, erase). */
function session<T>(
  env: JobEnv,
  ctx: JobContext,
  c: Connection,
  baud: number,
  fn: (s: EspSessionApi) => Promise<T>,
): Promise<T> {
  ctx.phase('connecting');
  return withDevice(
    {
      port: portRef(c.port),
      openPort: env.openPort,
      connect: env.deps.connect,
      clock: env.deps.clock,
      baud,
      before: c.before,
      guided: guidedOf(env, ctx, c),
      signal: ctx.signal,
      hooks: ctx.hooks(),
    },
    fn,
  );
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/** Saves a read into `<dataDir>/backups/` and the firmware cache. */
async function saveRead(env: JobEnv, device: DeviceInfo, offset: number, data: Uint8Array, label: string) {
  const dir = path.join(env.dataDir, 'backups');
  await mkdir(dir, { recursive: true });
  const mac = device.mac.replace(/:/g, '');
  const file = path.join(
    dir,
    `${label}-${device.chip}-${mac}-0x${offset.toString(16).padStart(6, '0')}-${data.byteLength}-${stamp()}.bin`,
  );
  await writePrivateFile(file, data);
  const cached = await env.cache.put(data);
  return { offset, size: data.byteLength, sha256: cached.sha256, file };
}

function boardHooks(ctx: JobContext): BoardHooks {
  return {
    engine: (as) => ctx.hooks(as),
    // 'writing' is announced by the engine's own progress, with its erase and write phases.
    phase: (p, message) => (p === 'writing' ? undefined : ctx.phase(p, message)),
    log: (level, message) => ctx.log(level, message),
  };
}

export async function runFlashJob(
  env: JobEnv,
  ctx: JobContext,
  port: ResolvedPort,
  input: ParsedInput<'startFlash'>,
  /** Refuses the files for the board that answered, before anything is planned or written (a restore's checks). */
  accept?: (device: DeviceInfo, files: { name: string; data: Uint8Array }[]) => void,
): Promise<JobResult> {
  const c = connectionOf(port, input);
  const files = await Promise.all(
    input.images.map(async (img) => ({ ...img, data: await env.cache.get(img.sha256) })),
  );
  const started = Date.now();
  const { options } = input;

  const outcome = await runBoard({
    port: portRef(port),
    openPort: env.openPort,
    connect: env.deps.connect,
    clock: env.deps.clock,
    signal: ctx.signal,
    baud: c.baud,
    before: c.before,
    guided: guidedOf(env, ctx, c),
    after: c.after,
    images: (device) => {
      accept?.(device, files);
      return files;
    },
    write: {
      eraseAll: options.eraseAll,
      skipUnchanged: options.skipUnchanged,
      flashMode: options.flashMode,
      flashFreq: options.flashFreq,
      flashSize: options.flashSize,
    },
    backup: options.backupFirst
      ? {
          grouping: 'per-image',
          save: async (device, offset, data) => {
            const saved = await saveRead(env, device, offset, data, 'backup');
            ctx.log('info', `Backed up 0x${offset.toString(16)}+${data.byteLength} to ${saved.file}`);
            return saved;
          },
        }
      : undefined,
    bootCheck: {
      wanted: options.bootCheck,
      strict: false,
      listen: env.bootListen,
      // Guided mode: after the write, wait as long for the user's power cycle as for the first one.
      byHandWaitMs: c.before === 'manual' ? (c.listenSeconds ?? DEFAULT_HAND_WAIT_S) * 1000 : undefined,
    },
    hooks: boardHooks(ctx),
  });
  if (!outcome.ok) throw outcome.error;
  const { device, written } = outcome;
  if (!device || !written) throw new KilnError('INTERNAL', 'The flash ended without writing anything.');

  const used = new Set<number>();
  const regions = written.regions.map((r) => {
    const i = files.findIndex((f, idx) => !used.has(idx) && f.name === r.name);
    if (i >= 0) used.add(i);
    return i >= 0 ? { ...r, sha256: files[i]!.sha256 } : { ...r };
  });
  const out: JobResult = {
    kind: 'flash',
    device: deviceOf(device),
    regions,
    bytesSent: written.bytesSent,
    durationMs: Date.now() - started,
    baud: device.baud,
  };
  if (outcome.retriedAtBaud !== undefined) out.retriedAtBaud = outcome.retriedAtBaud;
  if (outcome.backup) out.backup = outcome.backup;
  if (outcome.boot) out.boot = outcome.boot;
  return out;
}

export async function runReadJob(
  env: JobEnv,
  ctx: JobContext,
  port: ResolvedPort,
  input: ParsedInput<'startRead'>,
): Promise<JobResult> {
  const started = Date.now();
  const { device, saved } = await readJob(
    env,
    ctx,
    connectionOf(port, input),
    (info) => ({
      offset: input.offset,
      size: input.size ?? (info.flashSize > 0 ? info.flashSize - input.offset : 0),
    }),
    (info, data) => saveRead(env, info, input.offset, data, 'read'),
  );
  return { kind: 'read', device, read: saved, durationMs: Date.now() - started };
}

/** The whole flash, from 0x0 to the size the flash id gave, into `<dataDir>/backups/<mac>-<date>-full.bin`. */
export async function runBackupJob(
  env: JobEnv,
  ctx: JobContext,
  port: ResolvedPort,
  input: ParsedInput<'startBackup'>,
): Promise<JobResult> {
  const started = Date.now();
  const { device, saved } = await readJob(
    env,
    ctx,
    connectionOf(port, input),
    (info) => ({
      offset: 0,
      size: info.flashSize,
      unknownSizeHint:
        'Check the board with Identify: a flash that does not answer its id may be loose, damaged, or need DOUT.',
    }),
    async (info, data) => {
      const file = await saveWholeFlashBackup(path.join(env.dataDir, 'backups'), info.mac, new Date(), data);
      const cached = await env.cache.put(data);
      // The service always reads through the flasher stub, whose READ_FLASH ends with the chip's MD5 of all it
      // sent; the engine compared it with these bytes (esp/flasher/read.ts), so this is the chip's digest too.
      return { ...file, sha256: cached.sha256, md5: createHash('md5').update(data).digest('hex') };
    },
  );
  return { kind: 'backup', device, backup: saved, durationMs: Date.now() - started };
}

/**
 * The one read flow (a read and a whole-flash backup): connect with the baud retry, read `span` with the engine's
 * MD5-checked read, `save` it, leave the board per `after`.
 */
async function readJob<T extends { file: string }>(
  env: JobEnv,
  ctx: JobContext,
  c: Connection,
  span: (info: DeviceInfo) => { offset: number; size: number; unknownSizeHint?: string },
  save: (info: DeviceInfo, data: Uint8Array) => Promise<T>,
): Promise<{ device: ContractDeviceInfo; saved: T }> {
  const retry = { usbId: c.port.info?.usbId, baud: c.baud, signal: ctx.signal, log: ctx.log };
  const { value } = await withBaudFallback(retry, (baud) =>
    session(env, ctx, c, baud, async (s) => {
      const { offset, size, unknownSizeHint } = span(s.info);
      if (size <= 0) {
        throw new KilnError(
          'UNSUPPORTED',
          'The flash size could not be detected, so Kiln does not know how much to read.',
          {
            hint: unknownSizeHint ?? 'Give the size to read explicitly.',
          },
        );
      }
      ctx.phase('reading');
      const data = await s.readFlash({ offset, size, signal: ctx.signal, ...ctx.hooks('reading') });
      // Disk I/O outside the clock: a virtual clock must not jump over it while the device idles.
      const saved = await env.deps.clock.track(save(s.info, data));
      ctx.log('info', `Saved ${size} bytes to ${saved.file}`);
      ctx.phase('resetting');
      await s.finish(c.after);
      return { device: deviceOf(s.info), saved };
    }),
  );
  return value;
}

/**
 * A whole-flash backup written back: a flash of one image at 0x0 (the same board run, progress, verify and boot
 * check), the header left as it is, refused unless the file is this board's whole flash (flash/whole-flash.ts).
 */
export function runRestoreJob(
  env: JobEnv,
  ctx: JobContext,
  port: ResolvedPort,
  input: ParsedInput<'startRestore'>,
): Promise<JobResult> {
  const { backup, bootCheck, ...connection } = input;
  return runFlashJob(
    env,
    ctx,
    port,
    {
      ...connection,
      images: [{ sha256: backup.sha256, name: backup.name, offset: 0 }],
      options: {
        eraseAll: false,
        // Blocks already equal are skipped (compared by MD5 on the chip); every region is verified either way.
        skipUnchanged: true,
        flashMode: 'keep',
        flashFreq: 'keep',
        flashSize: 'keep',
        backupFirst: false,
        ...(bootCheck !== undefined ? { bootCheck } : {}),
      },
    },
    (device, files) => {
      for (const f of files) checkRestorable(f.name, f.data, device);
    },
  );
}

export async function runEraseJob(
  env: JobEnv,
  ctx: JobContext,
  port: ResolvedPort,
  input: ParsedInput<'startErase'>,
): Promise<JobResult> {
  const c = connectionOf(port, input);
  const started = Date.now();
  // Erasing is not data-heavy: no baud fallback.
  const device = await session(env, ctx, c, c.baud, async (s) => {
    ctx.phase('erasing');
    if (input.region)
      await s.eraseRegion(input.region.offset, input.region.size, {
        signal: ctx.signal,
        ...ctx.hooks('erasing'),
      });
    else await s.eraseAll({ signal: ctx.signal, ...ctx.hooks('erasing') });
    ctx.phase('resetting');
    await s.finish(c.after);
    return deviceOf(s.info);
  });
  const out: JobResult = { kind: 'erase', device, durationMs: Date.now() - started };
  if (input.region) out.region = input.region;
  return out;
}
