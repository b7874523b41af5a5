/**
 * The boot check after a single flash (DESIGN §4: "reset → optional boot check"): hard reset, listen, and let the
 * doctor read what the board printed. A single flash is already verified byte for byte, so whatever the check
 * finds is reported as a warning with advice, never as a failure (the batch station is stricter). Only a cancel
 * ends the job; a port that drops or a baud the adapter refuses just means no verdict.
 */
import { checkBoot, type BootReport, type HeaderFlashMode } from '../doctor/boot-check';
import type { AfterMode, EspSessionApi } from '../esp/api';
import type { Clock } from '../core/clock';
import type { Transport } from '../serial/transport';
import type { BootCheckResult } from './contract';
import type { JobContext } from './jobs';

/** Default: on after a hard reset through a UART's reset lines; native USB re-enumerates on reset, TCP has no lines. */
export function wantsBootCheck(option: boolean | undefined, after: AfterMode, transport: Transport): boolean {
  if (transport.info.lines === 'none') return false;
  return option ?? (after === 'hard-reset' && transport.info.lines === 'uart');
}

export function toBootResult(r: BootReport): BootCheckResult {
  const out: BootCheckResult = {
    verdict: r.verdict,
    summary: r.summary,
    evidence: r.evidence,
    baud: r.baud,
    listenedMs: r.listenedMs,
    heard: r.heard,
  };
  if (r.advice.length > 0) out.advice = r.advice;
  if (r.retryFlashModes.length > 0) out.retryFlashModes = r.retryFlashModes;
  return out;
}

export async function runBootCheck(
  ctx: JobContext,
  session: EspSessionApi,
  transport: Transport,
  clock: Clock,
  flashMode: HeaderFlashMode | undefined,
  listen: { romListenMs?: number; appListenMs?: number } = {},
): Promise<BootCheckResult | undefined> {
  const chip = session.info.chip;
  ctx.phase(
    'boot-check',
    chip === 'esp8266'
      ? 'Resetting and listening at 74880 baud (ROM), then 115200 (firmware)'
      : 'Resetting and listening at 115200 baud',
  );
  try {
    const report = await checkBoot(
      transport,
      clock,
      { chip, flashMode },
      { reset: () => session.finish('hard-reset'), signal: ctx.signal, ...listen },
    );
    const result = toBootResult(report);
    if (report.verdict === 'booted') ctx.log('info', `Boot check: ${report.summary}`);
    else
      ctx.log(
        'warn',
        `Boot check (${report.verdict}): ${report.summary}${report.advice[0] ? ` Next: ${report.advice[0]}` : ''}`,
      );
    return result;
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    ctx.log(
      'warn',
      `The boot check could not run (${e instanceof Error ? e.message : String(e)}); the flash itself is verified.`,
    );
    return undefined;
  }
}
