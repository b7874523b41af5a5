/**
 * What the engine heard while trying to connect: every byte received during reset and sync, grouped by
 * attempt. Carried (hex-encoded) in the details of a SYNC_FAILED error and classified by `doctor/`.
 */
export interface CaptureAttempt {
  /** Reset strategy name used for this attempt ('classic', 'unix-tight', 'usb-jtag-serial', 'hard-reset', 'none'). */
  strategy: string;
  /** Host baud rate while listening. */
  baud: number;
  /** Everything received, in order, as lower-case hex (JSON-safe). */
  rxHex: string;
}

export interface ConnectCapture {
  port: string;
  /** The exact SYNC frame we sent (SLIP-framed), hex; lets the doctor recognise an echo. */
  syncFrameHex: string;
  attempts: CaptureAttempt[];
  /** Optional listen after the attempts, e.g. at 74880 and 115200 for boot text. */
  listens?: { baud: number; rxHex: string }[];
  /**
   * The listens spanned a power-up (or RESET) the user made by hand in the guided download mode: an ESP prints
   * its banner then without fail, so silence through it is proof that nothing reaches the adapter.
   */
  manualPowerUp?: boolean;
}
