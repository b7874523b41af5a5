/**
 * Deciding whether a failed transfer should be retried at a lower baud. Cheap bridges (clone CH340s, long cables)
 * corrupt bytes at 921600; the symptom is checksum errors, replies Kiln cannot parse, or a silent chip after the
 * baud switch. Sync itself runs at 115200 and the ROM autobauds, so sync failures, port errors and unplugs are
 * never a reason to lower the rate — retrying would hide the real diagnosis.
 */
import type { ErrorCode } from '../core/errors';
import { fallbackBauds, type UsbBridge } from './usb-bridges';

/** Failures that data corruption at a high baud produces. */
export const BAUD_SUSPECT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PROTOCOL_ERROR',
  'BAUD_CHANGE_FAILED',
  'TIMEOUT',
  'FLASH_WRITE_FAILED',
  'VERIFY_FAILED',
]);

/** Checksum/framing errors in one run at which the rate is lowered even if the run itself survived. */
export const DATA_ERROR_THRESHOLD = 3;

export interface BaudFallbackInput {
  bridge: UsbBridge | undefined;
  currentBaud: number;
  /** The code the failed attempt ended with, if it ended. */
  errorCode?: ErrorCode;
  /** Checksum or framing errors counted during the attempt (retried blocks, invalid SLIP frames). */
  dataErrors?: number;
}

export type BaudFallbackDecision =
  | { retry: true; nextBaud: number; message: string }
  | { retry: false; reason: 'not-baud-related' | 'native-usb' | 'lowest-rate'; message?: string };

function bridgeName(bridge: UsbBridge | undefined): string {
  return bridge?.chip ?? 'The adapter';
}

export function decideBaudFallback(input: BaudFallbackInput): BaudFallbackDecision {
  const suspect =
    (input.errorCode !== undefined && BAUD_SUSPECT_CODES.has(input.errorCode)) ||
    (input.dataErrors ?? 0) >= DATA_ERROR_THRESHOLD;
  if (!suspect) return { retry: false, reason: 'not-baud-related' };
  const name = bridgeName(input.bridge);
  if (input.bridge?.nativeUsb) {
    return {
      retry: false,
      reason: 'native-usb',
      message: `${name} is native USB: the baud rate is not on the wire, so a lower one would not help.`,
    };
  }
  const next = fallbackBauds(input.bridge, input.currentBaud)[0];
  if (next === undefined) {
    return {
      retry: false,
      reason: 'lowest-rate',
      message: `${name} at ${input.currentBaud} gave data errors and no lower rate is left; check the cable and the adapter.`,
    };
  }
  return {
    retry: true,
    nextBaud: next,
    message: `${name} at ${input.currentBaud} gave data errors; retrying at ${next}`,
  };
}
