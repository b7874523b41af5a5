/**
 * The boot check at the end of a board run (DESIGN §4: "reset → optional boot check"): hard reset, listen, and
 * let the doctor read what the board printed (doctor/boot-check.ts). Whether it runs, how its report becomes a
 * result, and how a check that cannot run is treated live here, for single flashes and the station alike.
 */
import type { Clock } from '../core/clock';
import { KilnError } from '../core/errors';
import { checkBoot, classifyBoot } from '../doctor/boot-check';
import type { BootReport, HeaderFlashMode } from '../doctor/boot-report';
import { romBaudFor, type BootListenOptions } from '../doctor/boot-listen';
import type { AfterMode, ChipName, EspSessionApi, LogLevel } from '../esp';
import type { Transport } from '../serial/transport';
import type { BootCheckResult } from './boot-result';

/** How long each pass listens (defaults in doctor/boot-listen.ts). */
export type BootListenWindows = Pick<BootListenOptions, 'romListenMs' | 'appListenMs'>;

/**
 * Whether to check: never without reset lines (TCP); otherwise as asked, and by default after a hard reset
 * through a UART's reset lines (native USB re-enumerates on reset).
 */
export function wantsBootCheck(option: boolean | undefined, after: AfterMode, transport: Transport): boolean {
  if (transport.info.lines === 'none') return false;
  return option ?? (after === 'hard-reset' && transport.info.lines === 'uart');
}

/** The doctor's report as the result every host sees (empty advice and retry lists are left out). */
function toBootResult(r: BootReport): BootCheckResult {
  const out: BootCheckResult = {
    verdict: r.verdict,
    summary: r.summary,
    evidence: r.evidence,
    baud: r.baud,
    listenedMs: r.listenedMs,
    heard: r.heard,
    resets: r.resets,
    bytes: r.bytes,
    unreadableBytes: r.unreadableBytes,
  };
  if (r.advice.length > 0) out.advice = r.advice;
  if (r.retryFlashModes.length > 0) out.retryFlashModes = r.retryFlashModes;
  return out;
}

/** Classifies bytes heard at one baud (the ROM's), as a boot check would. */
export function classifyBootText(
  bytes: Uint8Array,
  chip: ChipName,
  baud: number,
  listenedMs: number,
): BootCheckResult {
  return toBootResult(classifyBoot([{ role: 'rom', baud, bytes, listenedMs }], { chip }));
}

interface BootCheckRun {
  session: EspSessionApi;
  transport: Transport;
  clock: Clock;
  signal: AbortSignal;
  flashMode: HeaderFlashMode | undefined;
  wroteBootParts?: boolean | undefined;
  listen?: BootListenWindows | undefined;
  /**
   * The board has no reset wiring (guided download mode): instead of toggling lines, ask the user to let go of
   * the button and power-cycle it, and wait this long for the first byte of its start.
   */
  byHandWaitMs?: number | undefined;
  /**
   * Strict (the station): a check that cannot run fails the board. Lenient (a single flash, already verified byte
   * for byte): it is logged and gives no verdict; only a cancel ends the run.
   */
  strict: boolean;
  phase(message: string): void;
  log(level: LogLevel, message: string): void;
}

/** Said while Kiln waits for the user's power cycle; the guided panel shows it as the instruction in force. */
export const RELEASE_AND_POWER_CYCLE =
  'Let go of the button (GPIO0), then unplug the board\u2019s power and plug it back in (or press RESET) so Kiln can watch it start.';

/**
 * The user's power cycle as the boot check's reset: resolves with the first byte the board sends, or rejects
 * when nothing came within `waitMs` (the user did not do it, or nothing reaches the adapter).
 */
function handReset(transport: Transport, clock: Clock, signal: AbortSignal, waitMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (fn: () => void) => {
      off();
      cancelTimer();
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const off = transport.onData(() => done(resolve));
    const cancelTimer = clock.setTimer(waitMs, () =>
      done(() =>
        reject(
          new KilnError(
            'BOOT_CHECK_FAILED',
            `Nothing was heard within ${Math.round(waitMs / 1000)} s of asking for a power cycle, so Kiln did not watch the board start.`,
            { hint: 'Power the board off and on (button released) to start the new firmware.' },
          ),
        ),
      ),
    );
    const onAbort = () => done(resolve); // the listen loop's own sleep reports the cancel
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function runBootCheck(o: BootCheckRun): Promise<BootCheckResult | undefined> {
  const chip = o.session.info.chip;
  const byHand = o.byHandWaitMs;
  o.phase(
    byHand !== undefined
      ? `${RELEASE_AND_POWER_CYCLE} (listening at ${romBaudFor(chip)} baud)`
      : chip === 'esp8266'
        ? 'Resetting and listening at 74880 baud (ROM), then 115200 (firmware)'
        : 'Resetting and listening at 115200 baud',
  );
  try {
    const report = await checkBoot(
      o.transport,
      o.clock,
      { chip, flashMode: o.flashMode, wroteBootParts: o.wroteBootParts },
      {
        reset:
          byHand !== undefined
            ? () => handReset(o.transport, o.clock, o.signal, byHand)
            : () => o.session.finish('hard-reset'),
        signal: o.signal,
        ...o.listen,
        // One power cycle by hand, not one per pass.
        ...(byHand !== undefined ? { romPassOnly: true } : {}),
      },
    );
    if (report.verdict === 'booted') o.log('info', `Boot check: ${report.summary}`);
    else
      o.log(
        'warn',
        `Boot check (${report.verdict}): ${report.summary}${report.advice[0] ? ` Next: ${report.advice[0]}` : ''}`,
      );
    return toBootResult(report);
  } catch (e) {
    if (o.strict || o.signal.aborted) throw e;
    o.log(
      'warn',
      `The boot check could not run (${e instanceof Error ? e.message : String(e)}); the flash itself is verified.`,
    );
    return undefined;
  }
}
