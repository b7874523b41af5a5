/**
 * The error catalogue: every failure Kiln reports carries a stable code, a one-line cause and the next
 * step for a person. Errors cross every host boundary as plain data ({code, message, hint, details}),
 * so nothing here may hold a Buffer or an Error instance in `details` — bytes travel as hex strings.
 */

export const ERROR_CODES = {
  // Connection
  SYNC_FAILED: 'The board did not answer the bootloader handshake.',
  CHIP_MISMATCH: 'The connected chip is not the one the firmware was built for.',
  CHIP_UNKNOWN: 'The chip answered but its identity is not in Kiln\u2019s table.',
  STUB_FAILED: 'The flasher stub did not start on the chip.',
  BAUD_CHANGE_FAILED: 'The board did not accept the new baud rate.',
  // Port access
  PORT_NOT_FOUND: 'The serial port does not exist.',
  PORT_BUSY: 'The serial port is held by another program.',
  PORT_PERMISSION_DENIED: 'This user may not open the serial port.',
  PORT_OPEN_FAILED: 'The serial port could not be opened.',
  DEVICE_LOST: 'The device disappeared from the port.',
  // Images
  IMAGE_INVALID: 'The firmware file is not a valid image.',
  IMAGE_TOO_LARGE: 'The firmware does not fit in the flash.',
  IMAGE_OVERLAP: 'Two firmware files overlap in flash.',
  IMAGE_MISALIGNED: 'A firmware offset is not aligned to a flash sector.',
  IMAGE_OFFSET_MISSING: 'Kiln cannot tell where in flash a firmware file goes.',
  MANIFEST_INVALID: 'The manifest file is not a valid ESP Web Tools manifest.',
  MANIFEST_NO_BUILD: 'The manifest has no build for this chip.',
  FIRMWARE_CHANGED: 'A firmware file a profile names has changed since the profile pinned it.',
  NOT_A_FULL_BACKUP: 'The file is not a whole-flash backup.',
  BACKUP_WRONG_SIZE: 'The backup is not the size of this board\u2019s flash.',
  // Device operations
  FLASH_WRITE_FAILED: 'The chip reported an error while writing flash.',
  FLASH_READ_FAILED: 'The chip reported an error while reading flash.',
  ERASE_FAILED: 'The chip reported an error while erasing flash.',
  VERIFY_FAILED: 'The flash contents do not match the firmware after writing.',
  BOOT_CHECK_FAILED: 'The firmware was written and verified, but the board did not boot it cleanly.',
  DEVICE_ERROR: 'The chip rejected a command.',
  PROTOCOL_ERROR: 'The chip sent a reply Kiln could not understand.',
  UNSUPPORTED: 'The chip or its loader cannot do this operation.',
  TIMEOUT: 'The chip stopped answering.',
  FIRMWARE_NOT_DETECTED: 'Neither a Tasmota console nor an Improv responder answered on the port.',
  WIFI_JOIN_FAILED: 'The device could not join the Wi-Fi network.',
  CANCELLED: 'The operation was cancelled.',
  // Service / hosts
  BAD_REQUEST: 'The request was malformed.',
  JOB_CONFLICT: 'Another job is already running on this port.',
  NOT_FOUND: 'The requested item does not exist.',
  DISCONNECTED: 'The app lost its connection to the Kiln backend.',
  INTERNAL: 'Kiln hit an unexpected internal error.',
  // Fleet (MQTT): the broker is optional for flashing; these never stop a station.
  BROKER_AUTH: 'The MQTT broker refused the login (user name or password).',
  BROKER_UNREACHABLE: 'The MQTT broker could not be reached.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** JSON-safe detail values only. */
export type ErrorDetails = Record<
  string,
  string | number | boolean | null | string[] | number[] | Record<string, unknown>
>;

export interface KilnErrorData {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: ErrorDetails;
}

export class KilnError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: ErrorDetails | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    opts: { hint?: string; details?: ErrorDetails; cause?: unknown } = {},
  ) {
    super(message ?? ERROR_CODES[code], opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'KilnError';
    this.code = code;
    this.hint = opts.hint;
    this.details = opts.details;
  }

  toData(): KilnErrorData {
    const data: KilnErrorData = { code: this.code, message: this.message };
    if (this.hint !== undefined) data.hint = this.hint;
    if (this.details !== undefined) data.details = this.details;
    return data;
  }
}

export function isKilnError(e: unknown, code?: ErrorCode): e is KilnError {
  return e instanceof KilnError && (code === undefined || e.code === code);
}

/** Turns anything thrown into catalogue data, keeping a KilnError's code and never inventing a specific one. */
export function toErrorData(e: unknown): KilnErrorData {
  if (e instanceof KilnError) return e.toData();
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message, hint: 'Please report this with the log file attached.' };
}

export function cancelled(reason = 'The operation was cancelled.'): KilnError {
  return new KilnError('CANCELLED', reason, { hint: 'Start it again when you are ready.' });
}

/** Throws CANCELLED when the signal has fired. Call between steps of any long operation. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}
