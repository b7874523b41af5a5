/**
 * One board, from port to verified — the one sequence single flashes (service/flash-jobs.ts) and the batch
 * station (station/flash-device.ts) both run:
 *
 *   open → connect → [skip?] → plan → [backup] → write + MD5 verify → boot check or reset → outcome
 *
 * After data errors the whole attempt runs once more at the adapter's next lower baud (baud-retry.ts). Inputs are
 * neutral (images, options, a port opener, hooks); the caller turns the outcome into a job result or a report
 * record. Never throws: a failure is `ok: false` with its error and every fact learned before it.
 */
import type { Clock } from '../core/clock';
import { KilnError } from '../core/errors';
import { bootFlashMode, bootPartsWritten } from '../doctor/boot-parts';
import type {
  AfterMode,
  ConnectFn,
  DeviceInfo,
  EngineHooks,
  EspSessionApi,
  FlashFreqOption,
  FlashModeOption,
  FlashResult,
  FlashSizeOption,
  LogLevel,
} from '../esp';
import { planImages, type PlannedImage } from '../esp/image';
import type { Transport } from '../serial/transport';
import { withBaudFallback } from './baud-retry';
import { runBootCheck, wantsBootCheck, type BootListenWindows } from './boot-check';
import type { BootCheckResult } from './boot-result';
import { withDevice, type GuidedOptions, type PortOpener, type PortRef, type RunBefore } from './connection';

/** One firmware file to write; without an offset the planner places it by its content. */
interface BoardImage {
  name: string;
  data: Uint8Array;
  offset?: number | undefined;
}

interface WriteOptions {
  eraseAll: boolean;
  skipUnchanged: boolean;
  flashMode: FlashModeOption;
  flashFreq?: FlashFreqOption | undefined;
  flashSize?: FlashSizeOption | undefined;
}

/** Saving what a board held before it is overwritten; `B` is whatever the caller records per saved span. */
interface BackupPlan<B> {
  /**
   * 'per-image': one read per planned image (a single flash); 'one-span': one read from the lowest planned offset
   * to the highest end (a station keeps one file per board). Erasing everything reads the whole flash either way.
   */
  grouping: 'per-image' | 'one-span';
  save(device: DeviceInfo, offset: number, data: Uint8Array): Promise<B>;
}

/** Steps of the run a host may show; the engine's own progress arrives through `engine()`. */
type BoardPhase = 'connecting' | 'planning' | 'backup' | 'writing' | 'boot-check' | 'resetting';

export interface BoardHooks {
  /** Engine hooks; `'backup'` while the backup is read (the engine calls it 'reading'). */
  engine(as?: 'backup'): EngineHooks;
  phase(phase: BoardPhase, message?: string): void;
  log(level: LogLevel, message: string): void;
  /** The chip answered (before anything is planned or written). */
  connected?(device: DeviceInfo): void;
}

interface BoardRun<B = never> {
  port: PortRef;
  openPort: PortOpener;
  connect: ConnectFn;
  clock: Clock;
  signal: AbortSignal;
  /** Data baud after the stub is up; lowered once after data errors. */
  baud: number;
  before?: RunBefore | undefined;
  /** The guided download mode's listening and events (with `before: 'manual'`). */
  guided?: GuidedOptions | undefined;
  after: AfterMode;
  /** The files for the chip that answered (a station picks the build for the chip). */
  images(device: DeviceInfo): BoardImage[] | Promise<BoardImage[]>;
  /** A reason to leave this board as it is (a station's duplicate MAC); it is reset and nothing is written. */
  skip?(device: DeviceInfo): string | undefined;
  write: WriteOptions;
  backup?: BackupPlan<B> | undefined;
  bootCheck: {
    /** undefined = the default (wantsBootCheck). */
    wanted: boolean | undefined;
    /** Anything but "booted", or a check that cannot run, fails the board (BOOT_CHECK_FAILED). */
    strict: boolean;
    listen?: BootListenWindows | undefined;
    /**
     * With `before: 'manual'` (no reset wiring): check the start after the user's own power cycle, waiting this
     * long for it. Without it a board entered by hand gets no boot check unless one is asked for.
     */
    byHandWaitMs?: number | undefined;
  };
  hooks: BoardHooks;
}

/** Everything learned about the board, as far as the run got. */
interface BoardFacts<B> {
  device?: DeviceInfo;
  skipped?: string;
  plan?: PlannedImage[];
  backup?: B[];
  written?: FlashResult;
  boot?: BootCheckResult;
}

export type BoardOutcome<B> = BoardFacts<B> &
  ({ ok: true; retriedAtBaud?: number } | { ok: false; error: unknown });

export async function runBoard<B = never>(run: BoardRun<B>): Promise<BoardOutcome<B>> {
  let facts: BoardFacts<B> = {};
  try {
    const { retriedAtBaud } = await withBaudFallback(
      { usbId: run.port.usbId, baud: run.baud, signal: run.signal, log: run.hooks.log },
      async (baud) => {
        facts = {}; // a retry starts from nothing
        run.hooks.phase('connecting');
        await withDevice(
          {
            port: run.port,
            openPort: run.openPort,
            connect: run.connect,
            clock: run.clock,
            baud,
            before: run.before,
            guided: run.guided,
            signal: run.signal,
            hooks: run.hooks.engine(),
          },
          (session, transport) => attempt(run, session, transport, facts),
        );
      },
    );
    return retriedAtBaud === undefined ? { ok: true, ...facts } : { ok: true, ...facts, retriedAtBaud };
  } catch (error) {
    return { ok: false, error, ...facts };
  }
}

async function attempt<B>(
  run: BoardRun<B>,
  s: EspSessionApi,
  t: Transport,
  facts: BoardFacts<B>,
): Promise<void> {
  const { hooks, signal } = run;
  facts.device = s.info;
  hooks.connected?.(s.info);

  const skip = run.skip?.(s.info);
  if (skip !== undefined) {
    facts.skipped = skip;
    hooks.phase('resetting');
    await s.finish(run.after);
    return;
  }

  const files = await run.clock.track(Promise.resolve(run.images(s.info)));
  hooks.phase('planning');
  const plan = planImages(
    files.map((f) =>
      f.offset === undefined
        ? { data: f.data, name: f.name }
        : { data: f.data, name: f.name, offset: f.offset },
    ),
    s.info.flashSize > 0 ? { chip: s.info.chip, flashSize: s.info.flashSize } : { chip: s.info.chip },
  );
  facts.plan = plan;
  for (const p of plan) {
    hooks.log(
      'info',
      `${p.name}: ${p.size} bytes at 0x${p.offset.toString(16)}${p.reason ? ` (${p.reason})` : ''}`,
    );
    for (const w of p.warnings) hooks.log('warn', `${p.name}: ${w}`);
  }

  if (run.backup) {
    hooks.phase('backup');
    facts.backup = [];
    for (const r of backupSpans(run.backup.grouping, plan, run.write.eraseAll, s.info.flashSize)) {
      const data = await s.readFlash({ offset: r.offset, size: r.size, signal, ...hooks.engine('backup') });
      // Disk I/O outside the clock: a virtual clock must not jump over it while the device idles.
      facts.backup.push(await run.clock.track(run.backup.save(s.info, r.offset, data)));
    }
  }

  hooks.phase('writing');
  const written = await s.flash({
    images: plan.map((p) => ({ offset: p.offset, data: p.data, name: p.name })),
    eraseAll: run.write.eraseAll,
    skipUnchanged: run.write.skipUnchanged,
    flashMode: run.write.flashMode,
    flashFreq: run.write.flashFreq,
    flashSize: run.write.flashSize,
    signal,
    ...hooks.engine(),
  });
  facts.written = written;
  const unverified = written.regions.filter((r) => !r.verified);
  if (unverified.length > 0) {
    throw new KilnError('VERIFY_FAILED', `${unverified.length} region(s) were written but not verified.`, {
      hint: 'Flash again; if it repeats, try a lower baud or another cable.',
      details: { offsets: unverified.map((r) => r.offset) },
    });
  }

  // A board entered by hand has no reset wiring: its boot check waits for the user's power cycle instead.
  const byHandWaitMs =
    run.before === 'manual' && run.bootCheck.wanted !== false ? run.bootCheck.byHandWaitMs : undefined;
  if (byHandWaitMs === undefined && run.bootCheck.wanted && t.info.lines === 'none')
    hooks.log('warn', `No boot check on ${t.info.path}: it has no reset lines to restart the board with.`);
  // Without a wait for the user's hands, a manual board is not checked (its reset would reach nothing) unless asked.
  const bootWanted = run.bootCheck.wanted ?? (run.before === 'manual' ? false : undefined);
  if (byHandWaitMs === undefined && run.before === 'manual' && bootWanted === false)
    hooks.log(
      'info',
      'Let go of the button and power the board off and on to start the new firmware (Kiln cannot reset it).',
    );
  if (byHandWaitMs === undefined && !wantsBootCheck(bootWanted, run.after, t)) {
    hooks.phase('resetting');
    await s.finish(run.after);
    return;
  }
  const boot = await runBootCheck({
    session: s,
    transport: t,
    clock: run.clock,
    signal,
    flashMode: bootFlashMode(s.info.chip, plan, run.write.flashMode),
    wroteBootParts: bootPartsWritten(s.info.chip, plan),
    listen: run.bootCheck.listen,
    byHandWaitMs,
    strict: run.bootCheck.strict,
    phase: (message) => hooks.phase('boot-check', message),
    log: hooks.log,
  });
  if (!boot) return;
  facts.boot = boot;
  if (run.bootCheck.strict && boot.verdict !== 'booted') {
    throw new KilnError('BOOT_CHECK_FAILED', `Flashed and verified, but after the reset: ${boot.summary}`, {
      hint: boot.retryFlashModes?.length
        ? `Try the profile with flash mode ${boot.retryFlashModes.map((m) => m.toUpperCase()).join(', then ')}; then check the supply.`
        : (boot.advice?.[0] ?? 'See what was heard in the record.'),
    });
  }
}

function backupSpans(
  grouping: BackupPlan<unknown>['grouping'],
  plan: readonly PlannedImage[],
  eraseAll: boolean,
  flashSize: number,
): { offset: number; size: number }[] {
  // Erasing everything destroys more than the regions being written, so back up the whole flash then.
  if (eraseAll && flashSize > 0) return [{ offset: 0, size: flashSize }];
  if (grouping === 'per-image') return plan.map((p) => ({ offset: p.offset, size: p.data.byteLength }));
  const from = Math.min(...plan.map((p) => p.offset));
  const to = Math.max(...plan.map((p) => p.offset + p.data.byteLength));
  return [{ offset: from, size: to - from }];
}
