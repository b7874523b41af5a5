/**
 * Catching the KilnError a test expects. A call that succeeds, or fails with anything but a KilnError, fails the
 * test with a message that says which, so an assertion on `.code` never runs against the wrong thing.
 */
import { KilnError } from '../../src-main/core/errors';

function asKilnError(e: unknown): KilnError {
  if (e instanceof KilnError) return e;
  throw new Error(`expected a KilnError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, {
    cause: e,
  });
}

/** The KilnError a synchronous call throws. */
export function kilnErrorOf(fn: () => unknown): KilnError {
  try {
    fn();
  } catch (e) {
    return asKilnError(e);
  }
  throw new Error('expected a KilnError, the call succeeded');
}

/** The KilnError a promise rejects with. */
export async function kilnRejection(p: Promise<unknown>): Promise<KilnError> {
  try {
    await p;
  } catch (e) {
    return asKilnError(e);
  }
  throw new Error('expected a KilnError, the operation succeeded');
}
