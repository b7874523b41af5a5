/**
 * What a failed station slot says to try, in order. On a jig (pogo pins, a clamp, a cable plugged in a hundred
 * times a day) a board that does not answer or drops out mid-write is most often badly seated, so for those
 * failures "reseat the board or the cable" comes first, before the diagnosis's own steps (which start with the
 * adapter loopback test: the right first step for a loose wire on a desk, not for a jig that flashed the last
 * board). Failures reseating cannot fix (a wrong image, a board that was written and verified but does not boot)
 * keep their own steps.
 */

/** Errors that a poor contact between jig, board and cable produces (core/errors.ts codes). */
const CONTACT_ERRORS: ReadonlySet<string> = new Set([
  'SYNC_FAILED',
  'STUB_FAILED',
  'BAUD_CHANGE_FAILED',
  'DEVICE_LOST',
  'PORT_OPEN_FAILED',
  'PROTOCOL_ERROR',
  'TIMEOUT',
  'FLASH_WRITE_FAILED',
  'FLASH_READ_FAILED',
  'ERASE_FAILED',
  'VERIFY_FAILED',
]);

export const RESEAT_STEP =
  'Reseat the board in the jig and check its USB cable is pushed fully in, then press “Retry failed”.';

/** The parts of a slot snapshot the advice reads. */
export interface FailedSlot {
  error?: { code: string; message: string; hint?: string | undefined } | undefined;
  diagnosis?: { steps?: string[] | undefined } | undefined;
}

/** Numbered steps for a failed slot: reseating first where a contact can be the cause, then the diagnosis's steps. */
export function stationFailureSteps(slot: FailedSlot): string[] {
  const own = slot.diagnosis?.steps?.length
    ? slot.diagnosis.steps
    : slot.error?.hint
      ? [slot.error.hint]
      : [];
  return slot.error && CONTACT_ERRORS.has(slot.error.code) ? [RESEAT_STEP, ...own] : [...own];
}
