/**
 * The bodies of flash, read and erase jobs (DESIGN §4): connect → plan → optional backup → write + verify →
 * leave the loader, after a flash through the boot check when it applies (post-flash-boot.ts). Data errors at a high baud get one retry at the bridge's next lower rate (the retry is
 * logged and recorded in the result); every other failure is reported as it happened.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isKilnError, KilnError } from '../core/errors';
import { writePrivateFile } from '../core/private-files';
import type { AfterMode, BeforeMode, DeviceInfo, EspSessionApi, FlashResult } from '../esp/api';
import { planImages, type PlannedImage } from '../esp/image';
import { decideBaudFallback } from '../serial/baud-fallback';
import { bridgeForUsbId } from '../serial/usb-bridges';
import { bootFlashMode } from '../doctor/boot-check';
import type { Transport } from '../serial/transport';
import type { BootCheckResult, ContractDeviceInfo, JobResult, ParsedInput } from './contract';
import { withDevice, type ConnectionEnv } from './device-connection';
import type { FirmwareCache } from './firmware-cache';
import type { JobContext } from './jobs';
import { runBootCheck, wantsBootCheck } from './post-flash-boot';
import type { ResolvedPort } from './port-directory';

export interface JobEnv extends ConnectionEnv {
  cache: FirmwareCache;
  dataDir: string;
  /** Listening windows of the post-flash boot check (defaults in doctor/boot-listen.ts). */
  bootListen?: { romListenMs?: number; appListenMs?: number };
}

interface Connection {
  port: ResolvedPort;
  baud: number;
  before?: BeforeMode;
  after: AfterMode;
}

function connectionOf(
  port: ResolvedPort,
  input: { baud?: number | undefined; before?: BeforeMode | undefined; after?: AfterMode | undefined },
): Connection {
  const c: Connection = { port, baud: input.baud ?? port.defaultBaud, after: input.after ?? 'hard-reset' };
  if (input.before) c.before = input.before;
  return c;
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

function session<T>(
  env: JobEnv,
  ctx: JobContext,
  c: Connection,
  baud: number,
  fn: (s: EspSessionApi, t: Transport) => Promise<T>,
): Promise<T> {
  ctx.phase('connecting');
  const req: Parameters<typeof withDevice>[1] = {
    port: c.port,
    baud,
    signal: ctx.signal,
    hooks: ctx.hooks(),
  };
  if (c.before) req.before = c.before;
  return withDevice(env, req, fn);
}

/** Runs `attempt` at the requested baud and, after data errors, once more at the next lower rate. */
async function withBaudFallback<T>(
  ctx: JobContext,
  c: Connection,
  attempt: (baud: number) => Promise<T>,
): Promise<{ value: T; retriedAtBaud?: number }> {
  try {
    return { value: await attempt(c.baud) };
  } catch (e) {
    if (ctx.signal.aborted || !isKilnError(e)) throw e;
    const decision = decideBaudFallback({
      bridge: bridgeForUsbId(c.port.info?.usbId),
      currentBaud: c.baud,
      errorCode: e.code,
    });
    if (!decision.retry) {
      if (decision.message) ctx.log('warn', decision.message);
      throw e;
    }
    ctx.log('warn', `${decision.message} (after ${e.code}: ${e.message})`);
    try {
      return { value: await attempt(decision.nextBaud), retriedAtBaud: decision.nextBaud };
    } catch (second) {
      if (!isKilnError(second)) throw second;
      const opts: ConstructorParameters<typeof KilnError>[2] = {
        details: { ...second.details, firstAttempt: { baud: c.baud, code: e.code, message: e.message } },
        cause: second,
      };
      if (second.hint !== undefined) opts.hint = second.hint;
      throw new KilnError(second.code, second.message, opts);
    }
  }
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

export async function runFlashJob(
  env: JobEnv,
  ctx: JobContext,
  port: ResolvedPort,
  input: ParsedInput<'startFlash'>,
): Promise<JobResult> {
  const c = connectionOf(port, input);
  const files = await Promise.all(
    input.images.map(async (img) => ({ ...img, data: await env.cache.get(img.sha256) })),
  );
  const started = Date.now();

  const { value, retriedAtBaud } = await withBaudFallback(ctx, c, (baud) =>
    session(env, ctx, c, baud, async (s, t) => {
      ctx.phase('planning');
      const plan: PlannedImage[] = planImages(
        files.map((f) =>
          f.offset === undefined
            ? { data: f.data, name: f.name }
            : { data: f.data, name: f.name, offset: f.offset },
        ),
        s.info.flashSize > 0 ? { chip: s.info.chip, flashSize: s.info.flashSize } : { chip: s.info.chip },
      );
      for (const p of plan) {
        ctx.log(
          'info',
          `${p.name}: ${p.size} bytes at 0x${p.offset.toString(16)}${p.reason ? ` (${p.reason})` : ''}`,
        );
        for (const w of p.warnings) ctx.log('warn', `${p.name}: ${w}`);
      }

      let backup: Awaited<ReturnType<typeof saveRead>>[] | undefined;
      if (input.options.backupFirst) {
        ctx.phase('backup');
        backup = [];
        // Erasing everything destroys more than the regions being written, so back up the whole flash then.
        const regions =
          input.options.eraseAll && s.info.flashSize > 0
            ? [{ offset: 0, size: s.info.flashSize }]
            : plan.map((p) => ({ offset: p.offset, size: p.data.byteLength }));
        for (const r of regions) {
          const data = await s.readFlash({
            offset: r.offset,
            size: r.size,
            signal: ctx.signal,
            ...ctx.hooks('backup'),
          });
          // Disk I/O outside the clock: a virtual clock must not jump over it while the device idles.
          const saved = await env.deps.clock.track(saveRead(env, s.info, r.offset, data, 'backup'));
          ctx.log('info', `Backed up 0x${r.offset.toString(16)}+${r.size} to ${saved.file}`);
          backup.push(saved);
        }
      }

      const result: FlashResult = await s.flash({
        images: plan.map((p) => ({ offset: p.offset, data: p.data, name: p.name })),
        eraseAll: input.options.eraseAll,
        skipUnchanged: input.options.skipUnchanged,
        flashMode: input.options.flashMode,
        flashFreq: input.options.flashFreq,
        flashSize: input.options.flashSize,
        signal: ctx.signal,
        ...ctx.hooks(),
      });
      const unverified = result.regions.filter((r) => !r.verified);
      if (unverified.length > 0) {
        throw new KilnError(
          'VERIFY_FAILED',
          `${unverified.length} region(s) were written but not verified.`,
          {
            hint: 'Flash again; if it repeats, try a lower baud or another cable.',
            details: { offsets: unverified.map((r) => r.offset) },
          },
        );
      }
      let boot: BootCheckResult | undefined;
      if (input.options.bootCheck && t.info.lines === 'none')
        ctx.log('warn', `No boot check on ${t.info.path}: it has no reset lines to restart the board with.`);
      if (wantsBootCheck(input.options.bootCheck, c.after, t)) {
        boot = await runBootCheck(
          ctx,
          s,
          t,
          env.deps.clock,
          bootFlashMode(s.info.chip, plan, input.options.flashMode),
          env.bootListen,
        );
      } else {
        ctx.phase('resetting');
        await s.finish(c.after);
      }
      return { result, device: deviceOf(s.info), backup, boot };
    }),
  );

  const used = new Set<number>();
  const regions = value.result.regions.map((r) => {
    const i = files.findIndex((f, idx) => !used.has(idx) && f.name === r.name);
    if (i >= 0) used.add(i);
    return i >= 0 ? { ...r, sha256: files[i]!.sha256 } : { ...r };
  });
  const out: JobResult = {
    kind: 'flash',
    device: value.device,
    regions,
    bytesSent: value.result.bytesSent,
    durationMs: Date.now() - started,
    baud: value.device.baud,
  };
  if (retriedAtBaud !== undefined) out.retriedAtBaud = retriedAtBaud;
  if (value.backup) out.backup = value.backup;
  if (value.boot) out.boot = value.boot;
  return out;
}

export async function runReadJob(
  env: JobEnv,
  ctx: JobContext,
  port: ResolvedPort,
  input: ParsedInput<'startRead'>,
): Promise<JobResult> {
  const c = connectionOf(port, input);
  const started = Date.now();
  const { value } = await withBaudFallback(ctx, c, (baud) =>
    session(env, ctx, c, baud, async (s) => {
      const size = input.size ?? (s.info.flashSize > 0 ? s.info.flashSize - input.offset : 0);
      if (size <= 0) {
        throw new KilnError(
          'UNSUPPORTED',
          'The flash size could not be detected, so Kiln does not know how much to read.',
          {
            hint: 'Give the size to read explicitly.',
          },
        );
      }
      ctx.phase('reading');
      const data = await s.readFlash({
        offset: input.offset,
        size,
        signal: ctx.signal,
        ...ctx.hooks('reading'),
      });
      const read = await env.deps.clock.track(saveRead(env, s.info, input.offset, data, 'read'));
      ctx.log('info', `Saved ${size} bytes to ${read.file}`);
      ctx.phase('resetting');
      await s.finish(c.after);
      return { device: deviceOf(s.info), read };
    }),
  );
  return { kind: 'read', device: value.device, read: value.read, durationMs: Date.now() - started };
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
