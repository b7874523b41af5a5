/**
 * The one place that names a finished flash: the title follows the whole outcome (written, verified, and what the
 * board did after the reset), so a card never says "verified" above "the board does not start". When the boot
 * check did not run, one plain sentence says why (the service leaves `boot` out; the screen knows the reason).
 */
import type { BootCheckResult } from '../api/types';

/** What the screen knew when it started the flash: enough to say why no boot check ran. */
export interface BootCheckContext {
  /** The user turned the boot check off in the options. */
  turnedOff: boolean;
  /**
   * The board was put in download mode by hand (guided mode): Kiln cannot restart it and asks for a power cycle;
   * no check means nothing was heard while it waited.
   */
  manual: boolean;
  /** The port's group: a network (socket://) bridge has no reset lines. */
  portGroup: 'serial' | 'virtual' | 'network' | undefined;
  /** The USB bridge family; the ESP's native USB re-enumerates on a reset, so Kiln does not listen there. */
  bridge?: string | undefined;
}

export interface ResultTitle {
  title: string;
  /** 'ok' only when every region verified and the board booted (or no check ran and nothing says otherwise). */
  tone: 'ok' | 'warn';
  /** Why the boot check did not run, in one sentence; absent when it ran. */
  bootNote?: string;
}

const NOT_STARTING: Record<Exclude<BootCheckResult['verdict'], 'booted'>, string> = {
  'boot-loop': 'but the board does not start (it keeps resetting)',
  'no-app': 'but the board does not start the firmware',
  'download-mode': 'but the board is still in download mode',
  garbage: 'but the board printed only unreadable bytes',
  silent: 'but nothing was heard from the board after the reset',
};

/** Why no boot check ran, from what the screen knew when the flash started. */
export function bootSkippedReason(ctx: BootCheckContext): string {
  if (ctx.turnedOff)
    return 'Boot check off: Kiln did not watch the board start (you turned it off in the options).';
  if (ctx.manual)
    return 'Boot check skipped: Kiln heard nothing while it waited for you to power the board off and on, so it did not watch the new firmware start. Let go of the button and power the board off and on to start it.';
  if (ctx.portGroup === 'network')
    return 'Boot check skipped: a network (socket) port has no reset lines, so Kiln cannot restart the board to watch it start.';
  if (ctx.bridge === 'ESP native USB')
    return 'Boot check skipped: the board’s own USB port disappears during a reset, so Kiln cannot listen to it start.';
  return 'Boot check skipped: Kiln could not restart this board to watch it start.';
}

export function resultTitle(
  regions: readonly { verified: boolean }[],
  boot: BootCheckResult | undefined,
  ctx: BootCheckContext | undefined,
): ResultTitle {
  const verified = regions.length > 0 && regions.every((r) => r.verified);
  const written = verified ? 'Written and verified' : 'Written, but not every part was verified';
  if (!boot) {
    const skipped: ResultTitle = { title: written, tone: verified ? 'ok' : 'warn' };
    if (ctx) skipped.bootNote = bootSkippedReason(ctx);
    return skipped;
  }
  if (boot.verdict === 'booted')
    return {
      title: verified ? 'Written, verified and booted' : `${written} — the board booted`,
      tone: verified ? 'ok' : 'warn',
    };
  return { title: `${written} — ${NOT_STARTING[boot.verdict]}`, tone: 'warn' };
}

/**
 * What the board holds after a job that stopped early (cancelled, unplugged, failed), from the phase it stopped
 * in: once erasing or writing has begun, the flash holds part of an image and the board will not start.
 */
export function interruptedNote(phase: string | undefined): string {
  if (phase === 'erasing' || phase === 'writing')
    return 'The board now holds a partial firmware and will not start until it is flashed again.';
  if (phase === 'verifying' || phase === 'resetting' || phase === 'boot-check' || phase === 'done')
    return 'The firmware was already written; flash again to check it.';
  return 'Nothing was written: the board still holds the firmware it had.';
}
