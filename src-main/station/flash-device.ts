/**
 * One board on one slot, start to record: the shared board run (flash/board-run.ts: open → connect → plan →
 * optional backup → write with MD5 verify → optional boot check, one retry at a lower baud after data errors),
 * with the station's policy — a MAC already verified in this report is skipped, the images are the profile's
 * build for the chip that answered, the backup is one file per board, and a boot check the profile asks for must
 * say "booted". Never throws: every outcome, including cancellation, becomes a record.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock';
import { KilnError, toErrorData } from '../core/errors';
import { diagnoseSync } from '../doctor/sync-diagnosis';
import type { ConnectFn, DeviceInfo, ProgressEvent } from '../esp';
import { diagnoseFailure, runBoard, type BoardOutcome, type DiagnoseSync, type PortOpener } from '../flash';
import { backupFolderFor, saveBackup, type SavedBackup } from './backups';
import type { PlugInfo } from './port-filter';
import { imagesForChip, type FirmwareSource } from './profile';
import { provisionBoard, type ProvisionSecrets } from './provision-step';
import type { DeviceRecord, Profile, SlotState } from './schemas';

type RecordDiagnosis = NonNullable<DeviceRecord['diagnosis']>;

/** What a station needs from the outside world; the service passes the real modules, tests their bench. */
export interface StationDeps {
  clock: Clock;
  connect: ConnectFn;
  /** Opens a port (the service's one opener; tests their bench). */
  openPort: PortOpener;
  firmware: FirmwareSource;
  /** Backups go to `<backupsRoot>/<profile>/<mac>.bin`. */
  backupsRoot: string;
  /** Reads a failed connection's capture (default: the doctor's diagnoseSync). */
  diagnoseSync?: DiagnoseSync<RecordDiagnosis>;
  /** Told when something went wrong beside the board (the doctor failed to read a capture). */
  warn?(message: string): void;
  /** Holds the port against other jobs for the board's duration; throws JOB_CONFLICT when busy. */
  claimPort?(port: PlugInfo): () => void;
  /** Wall time for record timestamps (default Date.now). */
  wallClock?(): number;
  /** How long the boot check listens (default doctor/boot-listen.ts DEFAULT_ROM_LISTEN_MS). */
  bootListenMs?: number;
  /** The run's passwords for the profile's provisioning step (memory only). */
  provisionSecrets?: ProvisionSecrets;
}

export interface DeviceRun {
  profile: Profile;
  station: string;
  port: PlugInfo;
  attempt: number;
  signal: AbortSignal;
  /** Why this MAC counts as done ('duplicate-mac': verified in this report; 'duplicate-mac-fleet': elsewhere), if it does. */
  duplicateOf(mac: string): string | undefined;
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

const doctorDiagnosis: DiagnoseSync<RecordDiagnosis> = (capture, context) => ({
  ...diagnoseSync(capture, context),
});

function hex(n: number): string {
  return `0x${n.toString(16).padStart(6, '0')}`;
}

export async function flashDevice(deps: StationDeps, run: DeviceRun): Promise<DeviceRecord> {
  const wall = deps.wallClock ?? Date.now;
  const startedWall = wall();
  const started = deps.clock.now();
  const { profile } = run;
  const record: DeviceRecord = {
    id: `${new Date(startedWall).toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(5).toString('hex')}`,
    time: new Date(startedWall).toISOString(),
    station: run.station,
    profile: profile.name,
    port: run.port.path,
    firmware: [],
    result: 'failed',
    durationMs: 0,
    bytesSent: 0,
    attempt: run.attempt,
  };
  if (run.port.bridge) record.bridge = run.port.bridge;
  if (run.port.usbId) record.usbId = run.port.usbId;

  const setState = (s: SlotState, percent: number) => {
    run.onState(
      s,
      percent,
      record.mac ? { mac: record.mac, ...(record.chip ? { chip: record.chip } : {}) } : undefined,
    );
  };
  const engine = {
    onProgress: (e: ProgressEvent) => {
      setState(
        PHASE_STATE[e.phase],
        e.bytesTotal > 0 ? Math.min(100, (100 * e.bytesDone) / e.bytesTotal) : 0,
      );
    },
    onLog: (_level: string, message: string) => run.onLog?.(message),
  };

  let release: (() => void) | undefined;
  let outcome: BoardOutcome<SavedBackup>;
  try {
    setState('connecting', 0);
    release = deps.claimPort?.(run.port);
    outcome = await runBoard<SavedBackup>({
      port: run.port,
      openPort: deps.openPort,
      connect: deps.connect,
      clock: deps.clock,
      signal: run.signal,
      baud: profile.baud,
      before: profile.before,
      guided: {
        onEvent: (e) => {
          if (e.kind === 'heard')
            run.onLog?.(
              `Heard at ${e.baud} baud: ${e.meaning === 'unreadable' ? 'unreadable bytes' : e.text}`,
            );
          else if (e.step === 'download-mode') setState('connecting', 0);
          else {
            // Every instruction but the last asks for the same act: hold the button and power the board up.
            setState('hold-and-power-up', 0);
            run.onLog?.(e.text);
          }
        },
      },
      after: 'hard-reset',
      skip: (device) => (profile.policy.reflashDuplicates ? undefined : run.duplicateOf(device.mac)),
      images: (device) =>
        Promise.all(
          imagesForChip(profile, device.chip).map(async (img) => ({
            name: img.name,
            offset: img.offset,
            data: await deps.firmware.get(img.sha256),
          })),
        ),
      write: {
        eraseAll: profile.options.eraseAll,
        skipUnchanged: profile.options.skipUnchanged,
        flashMode: profile.options.flashMode,
      },
      backup: profile.options.backupFirst
        ? {
            grouping: 'one-span',
            save: (device, offset, data) =>
              saveBackup(backupFolderFor(deps.backupsRoot, profile.name), device.mac, offset, data),
          }
        : undefined,
      bootCheck: {
        wanted: profile.bootCheck,
        strict: true,
        listen: deps.bootListenMs !== undefined ? { romListenMs: deps.bootListenMs } : undefined,
      },
      hooks: {
        engine: () => engine,
        log: (_level, message) => run.onLog?.(message),
        connected: (device) => {
          describeDevice(record, device);
          setState('connecting', 100);
        },
        phase: (phase) => {
          if (phase === 'connecting') setState('connecting', 0);
          else if (phase === 'backup') setState('backup', 0);
          else if (phase === 'writing') setState(profile.options.eraseAll ? 'erasing' : 'writing', 0);
          else if (phase === 'boot-check') setState('boot-check', 0);
        },
      },
    });
  } catch (e) {
    // Only claiming the port can throw here (JOB_CONFLICT); the run itself never does.
    outcome = { ok: false, error: e };
  } finally {
    release?.();
  }
  recordOutcome(deps, run, record, outcome);
  if (profile.provision && record.result === 'verified' && record.mac) {
    const step = profile.provision;
    const mac = record.mac;
    const release2 = (() => {
      try {
        return deps.claimPort?.(run.port);
      } catch {
        return undefined;
      }
    })();
    try {
      record.provision = await provisionBoard({
        step,
        mac,
        secrets: deps.provisionSecrets,
        port: run.port,
        openPort: deps.openPort,
        clock: deps.clock,
        ...(run.onLog ? { onLog: run.onLog } : {}),
      });
    } finally {
      release2?.();
    }
  }
  record.durationMs = Math.round(deps.clock.now() - started);
  return record;
}

function recordOutcome(
  deps: StationDeps,
  run: DeviceRun,
  record: DeviceRecord,
  outcome: BoardOutcome<SavedBackup>,
): DeviceRecord {
  if (outcome.device) describeDevice(record, outcome.device);
  if (outcome.plan) {
    const images = imagesForChip(run.profile, outcome.device!.chip);
    record.firmware = outcome.plan.map((p) => {
      const img = images.find((x) => x.name === p.name) ?? images[0]!;
      return { sha256: img.sha256, name: p.name, offset: p.offset };
    });
  }
  if (outcome.backup?.[0]) record.backup = outcome.backup[0];
  if (outcome.written) {
    record.bytesSent = outcome.written.bytesSent;
    record.blocksSkipped = outcome.written.regions.reduce((n, r) => n + r.blocksSkipped, 0);
  }
  if (outcome.boot) record.bootCheck = outcome.boot;
  if (outcome.ok) {
    if (outcome.retriedAtBaud !== undefined) record.retriedAtBaud = outcome.retriedAtBaud;
    if (outcome.skipped !== undefined) {
      record.result = 'skipped';
      record.skipReason = outcome.skipped;
    } else record.result = 'verified';
    return record;
  }
  const e = outcome.error;
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
  const diagnosis = diagnoseFailure(error, run.port.usbId, deps.diagnoseSync ?? doctorDiagnosis, (m) =>
    deps.warn?.(`station: ${m}`),
  );
  if (diagnosis) record.diagnosis = diagnosis;
  return record;
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
