/**
 * One retry at a lower baud after data errors. Cheap bridges and long cables corrupt bytes at high rates; the
 * decision (which codes count, which rate is next for this bridge) is serial/baud-fallback.ts's. The retry is
 * logged, and when it fails too its error keeps what the first attempt hit in `details.firstAttempt`.
 */
import { isKilnError, KilnError } from '../core/errors';
import type { LogLevel } from '../esp';
import { decideBaudFallback } from '../serial/baud-fallback';
import { bridgeForUsbId } from '../serial/usb-bridges';

export interface BaudRetry {
  /** VID:PID of the adapter (its bridge decides the next rate). */
  usbId?: string | undefined;
  baud: number;
  signal: AbortSignal;
  log(level: LogLevel, message: string): void;
}

/** Runs `attempt` at the requested baud and, after data errors, once more at the next lower rate. */
export async function withBaudFallback<T>(
  o: BaudRetry,
  attempt: (baud: number) => Promise<T>,
): Promise<{ value: T; retriedAtBaud?: number }> {
  try {
    return { value: await attempt(o.baud) };
  } catch (e) {
    if (o.signal.aborted || !isKilnError(e)) throw e;
    const decision = decideBaudFallback({
      bridge: bridgeForUsbId(o.usbId),
      currentBaud: o.baud,
      errorCode: e.code,
    });
    if (!decision.retry) {
      if (decision.message) o.log('warn', decision.message);
      throw e;
    }
    o.log('warn', `${decision.message} (after ${e.code}: ${e.message})`);
    try {
      return { value: await attempt(decision.nextBaud), retriedAtBaud: decision.nextBaud };
    } catch (second) {
      if (!isKilnError(second)) throw second;
      const opts: ConstructorParameters<typeof KilnError>[2] = {
        details: { ...second.details, firstAttempt: { baud: o.baud, code: e.code, message: e.message } },
        cause: second,
      };
      if (second.hint !== undefined) opts.hint = second.hint;
      throw new KilnError(second.code, second.message, opts);
    }
  }
}
