/**
 * The station's use of the shared post-flash boot check (doctor/boot-check.ts): the same listening and verdicts
 * as single flashes, stored in the record as `bootCheck`. The station is stricter than a single flash: when its
 * profile asks for a boot check, anything but "booted" fails the board with BOOT_CHECK_FAILED (flash-device.ts).
 */
import type { Clock } from '../core/clock';
import { checkBoot, classifyBoot, type BootReport, type HeaderFlashMode } from '../doctor/boot-check';
import type { ChipName } from '../esp/api';
import type { Transport } from '../serial/transport';
import type { BootCheck } from './schemas';

export function toBootCheck(r: BootReport): BootCheck {
  const out: BootCheck = {
    verdict: r.verdict,
    baud: r.baud,
    listenedMs: r.listenedMs,
    resets: r.resets,
    heard: r.heard,
    bytes: r.bytes,
    unreadableBytes: r.unreadableBytes,
    summary: r.summary,
    evidence: r.evidence,
    advice: r.advice,
  };
  if (r.retryFlashModes.length > 0) out.retryFlashModes = r.retryFlashModes;
  return out;
}

/** Resets the board and listens (ESP8266: ROM pass at 74880, app pass at 115200; others one pass at 115200). */
export async function listenForBoot(
  transport: Transport,
  chip: ChipName,
  clock: Clock,
  opts: { listenMs?: number; signal?: AbortSignal; reset: () => Promise<void>; flashMode?: HeaderFlashMode },
): Promise<BootCheck> {
  const listen: Parameters<typeof checkBoot>[3] = { reset: opts.reset };
  if (opts.signal) listen.signal = opts.signal;
  if (opts.listenMs !== undefined) listen.romListenMs = opts.listenMs;
  return toBootCheck(await checkBoot(transport, clock, { chip, flashMode: opts.flashMode }, listen));
}

/** Classifies bytes heard at one baud (the ROM's) as the station reports them. */
export function classifyBootText(
  bytes: Uint8Array,
  chip: ChipName,
  baud: number,
  listenMs: number,
): BootCheck {
  return toBootCheck(classifyBoot([{ role: 'rom', baud, bytes, listenedMs: listenMs }], { chip }));
}
