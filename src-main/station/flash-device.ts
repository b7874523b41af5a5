/**
 * One board on one slot, start to record: open the port → connect (chip, MAC, flash id) → skip a duplicate MAC →
 * plan the profile's images for this chip → optional backup of what will be overwritten → write with MD5 verify →
 * optional boot check → the record. Never throws: every outcome, including cancellation, becomes a record, and
 * the port is closed on every path out.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectCapture } from '../core/capture';
import type { Clock } from '../core/clock';
import { KilnError, toErrorData, type KilnErrorData } from '../core/errors';
import { bootFlashMode } from '../doctor/boot-check';
import { diagnoseSync } from '../doctor/sync-diagnosis';
import type { ConnectFn, DeviceInfo, EspSessionApi, ProgressEvent } from '../esp/api';
import { planImages } from '../esp/image';
import type { Transport } from '../serial/transport';
import { backupFolderFor, saveBackup } from './backups';
import { listenForBoot } from './boot-check';
import type { PlugInfo } from './port-filter';
import { imagesForChip, type FirmwareSource } from './profile';
import type { DeviceRecord, Profile, SlotState } from './schemas';

type RecordDiagnosis = NonNullable<DeviceRecord['diagnosis']>;

/** What a station needs from the outside world; the service and the CLI pass the real modules, tests fakes. */
export interface StationDeps {
  clock: Clock;
  connect: ConnectFn;
  /** Opens a port at the ROM's 115200 baud. */
  openPort(port: PlugInfo): Promise<Transport>;
  firmware: FirmwareSource;
  /** Backups go to `<backupsRoot>/<profile>/<mac>.bin`. */
  backupsRoot: string;
  /** Reads a failed connection (default: the doctor's diagnoseSync on the capture in SYNC_FAILED). */
  diagnose?(error: KilnErrorData, port: PlugInfo): RecordDiagnosis | undefined;
  /** Holds the port against other jobs for the board's duration; throws JOB_CONFLICT when busy. */
  claimPort?(port: PlugInfo): () => void;
  /** Wall time for record timestamps (default Date.now). */
  wallClock?(): number;
  /** How long the boot check listens (default boot-check.ts DEFAULT_LISTEN_MS). */
  bootListenMs?: number;
}

export interface DeviceRun {
  profile: Profile;
  station: string;
  port: PlugInfo;
  attempt: number;
  signal: AbortSignal;
  /** True when this MAC already has a verified record in the run's report. */
  isDuplicate(mac: string): boolean;
  onState(state: SlotState, percent: number, facts?: { mac?: string; chip?: string }): void;
  onLog?(message: string): void;
}

const PHASE_STATE: Record<ProgressEvent['phase'], SlotState> = {
  connecting: 'connecting',
  detecting: 'connecting',
  stub: 'connecting',
  baud: 'connecting',
  planning: 'writing',
  erasing: 'erasing',
  writing: 'writing',
  verifying: 'verifying',
  reading: 'backup',
  resetting: 'verifying',
  done: 'verifying',
};

export function defaultDiagnose(error: KilnErrorData, port: PlugInfo): RecordDiagnosis | undefined {
  if (error.code !== 'SYNC_FAILED') return undefined;
  const capture = error.details?.capture as unknown as ConnectCapture | undefined;
  if (!capture || !Array.isArray(capture.attempts)) return undefined;
  const d = diagnoseSync(capture, port.usbId ? { usbId: port.usbId } : {});
  return {
    code: d.code,
    title: d.title,
    explanation: d.explanation,
    steps: [...d.steps],
    evidence: [...d.evidence],
    confidence: d.confidence,
  };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(6, '0')}`;
}

export async function flashDevice(deps: StationDeps, run: DeviceRun): Promise<DeviceRecord> {
  const wall = deps.wallClock ?? Date.now;
  const startedWall = wall();
  const started = deps.clock.now();
  const record: DeviceRecord = {
    id: `${new Date(startedWall).toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(5).toString('hex')}`,
    time: new Date(startedWall).toISOString(),
    station: run.station,
    profile: run.profile.name,
    port: run.port.path,
    firmware: [],
    result: 'failed',
    durationMs: 0,
    bytesSent: 0,
    attempt: run.attempt,
  };
  if (run.port.bridge) record.bridge = run.port.bridge;
  if (run.port.usbId) record.usbId = run.port.usbId;

  let release: (() => void) | undefined;
  let transport: Transport | undefined;
  let session: EspSessionApi | undefined;
  const setState = (s: SlotState, percent: number) => {
    run.onState(
      s,
      percent,
      record.mac ? { mac: record.mac, ...(record.chip ? { chip: record.chip } : {}) } : undefined,
    );
  };
  const hooks = {
    onProgress: (e: ProgressEvent) => {
      setState(
        PHASE_STATE[e.phase],
        e.bytesTotal > 0 ? Math.min(100, (100 * e.bytesDone) / e.bytesTotal) : 0,
      );
    },
    onLog: (_level: string, message: string) => run.onLog?.(message),
  };

  try {
    setState('connecting', 0);
    release = deps.claimPort?.(run.port);
    transport = await deps.openPort(run.port);
    session = await deps.connect(transport, {
      baud: run.profile.baud,
      clock: deps.clock,
      signal: run.signal,
      ...hooks,
    });
    describeDevice(record, session.info);
    setState('connecting', 100);

    if (!run.profile.policy.reflashDuplicates && run.isDuplicate(session.info.mac)) {
      record.result = 'skipped';
      record.skipReason = 'duplicate-mac';
      await session.finish('hard-reset');
      return record;
    }

    const chosen = imagesForChip(run.profile, session.info.chip);
    const files = await Promise.all(
      chosen.map(async (img) => ({ img, data: await deps.clock.track(deps.firmware.get(img.sha256)) })),
    );
    const plan = planImages(
      files.map(({ img, data }) =>
        img.offset === undefined ? { data, name: img.name } : { data, name: img.name, offset: img.offset },
      ),
      session.info.flashSize > 0
        ? { chip: session.info.chip, flashSize: session.info.flashSize }
        : { chip: session.info.chip },
    );
    record.firmware = plan.map((p) => {
      const f = files.find((x) => x.img.name === p.name) ?? files[0]!;
      return { sha256: f.img.sha256, name: p.name, offset: p.offset };
    });

    if (run.profile.options.backupFirst) {
      setState('backup', 0);
      const all = run.profile.options.eraseAll && session.info.flashSize > 0;
      const from = all ? 0 : Math.min(...plan.map((p) => p.offset));
      const to = all ? session.info.flashSize : Math.max(...plan.map((p) => p.offset + p.data.byteLength));
      const data = await session.readFlash({ offset: from, size: to - from, signal: run.signal, ...hooks });
      record.backup = await deps.clock.track(
        saveBackup(backupFolderFor(deps.backupsRoot, run.profile.name), session.info.mac, from, data),
      );
    }

    setState(run.profile.options.eraseAll ? 'erasing' : 'writing', 0);
    const result = await session.flash({
      images: plan.map((p) => ({ offset: p.offset, data: p.data, name: p.name })),
      eraseAll: run.profile.options.eraseAll,
      skipUnchanged: run.profile.options.skipUnchanged,
      flashMode: run.profile.options.flashMode,
      signal: run.signal,
      ...hooks,
    });
    record.bytesSent = result.bytesSent;
    record.blocksSkipped = result.regions.reduce((n, r) => n + r.blocksSkipped, 0);
    const unverified = result.regions.filter((r) => !r.verified);
    if (unverified.length > 0) {
      throw new KilnError(
        'VERIFY_FAILED',
        `${unverified.length} region(s) were written but did not verify.`,
        {
          hint: 'Flash the board again; if it repeats, lower the baud or change the cable.',
          details: { offsets: unverified.map((r) => r.offset) },
        },
      );
    }

    if (run.profile.bootCheck && transport.info.lines !== 'none') {
      setState('boot-check', 0);
      const s = session;
      const flashMode = bootFlashMode(session.info.chip, plan, run.profile.options.flashMode);
      const check = await listenForBoot(transport, session.info.chip, deps.clock, {
        signal: run.signal,
        reset: () => s.finish('hard-reset'),
        ...(deps.bootListenMs !== undefined ? { listenMs: deps.bootListenMs } : {}),
        ...(flashMode ? { flashMode } : {}),
      });
      record.bootCheck = check;
      if (check.verdict !== 'booted') {
        throw new KilnError(
          'BOOT_CHECK_FAILED',
          `Flashed and verified, but after the reset: ${check.summary}`,
          {
            hint: check.retryFlashModes?.length
              ? `Try the profile with flash mode ${check.retryFlashModes.map((m) => m.toUpperCase()).join(', then ')}; then check the supply.`
              : (check.advice?.[0] ?? 'See what was heard in the record.'),
          },
        );
      }
    } else {
      await session.finish('hard-reset');
    }
    record.result = 'verified';
    return record;
  } catch (e) {
    const error =
      run.signal.aborted && !(e instanceof KilnError && e.code === 'DEVICE_LOST')
        ? toErrorData(run.signal.reason ?? e)
        : toErrorData(e);
    record.result = 'failed';
    record.error = {
      code: error.code,
      message: error.message,
      ...(error.hint !== undefined ? { hint: error.hint } : {}),
    };
    const diagnosis = (deps.diagnose ?? defaultDiagnose)(error, run.port);
    if (diagnosis) record.diagnosis = diagnosis;
    return record;
  } finally {
    record.durationMs = Math.round(deps.clock.now() - started);
    await session?.close().catch(() => undefined);
    if (transport?.isOpen) await transport.close().catch(() => undefined);
    release?.();
  }
}

function describeDevice(record: DeviceRecord, info: DeviceInfo): void {
  record.chip = info.chip;
  record.chipDescription = info.description;
  record.revision = info.revision;
  record.mac = info.mac;
  record.flashId = hex(info.flashId);
  record.flashSize = info.flashSize;
  record.baud = info.baud;
}
