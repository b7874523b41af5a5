/**
 * The `kiln` exit codes: one table, used by the help text, the README section and the error → exit mapping.
 * Scripts branch on these numbers, so they never change meaning; a new error code must be placed in
 * `EXIT_FOR_ERROR` (the Record type makes a missing one a compile error).
 */
import type { ErrorCode } from '../../core/errors';

export const EXIT = {
  OK: 0,
  OTHER: 1,
  USAGE: 2,
  PORT_NOT_FOUND: 3,
  PORT_BUSY: 4,
  PORT_PERMISSION: 5,
  DEVICE_LOST: 6,
  SYNC: 7,
  VERIFY: 8,
  DEVICE: 9,
  FIRMWARE: 10,
  PROVISION: 11,
  CANCELLED: 130,
} as const;

export type ExitName = keyof typeof EXIT;

/** What each exit code means, in the words shown by `kiln --help` and the README. */
export const EXIT_MEANINGS: Record<ExitName, string> = {
  OK: 'Success (a flash was written and MD5-verified).',
  OTHER: 'Anything else (internal error, missing cache entry, lost backend).',
  USAGE: 'Bad command line: unknown option, malformed FILE@OFFSET, baud not allowed.',
  PORT_NOT_FOUND: 'The port does not exist or could not be opened.',
  PORT_BUSY: 'The port is held by another program (or another Kiln job).',
  PORT_PERMISSION: 'This user may not open the port (run `kiln doctor --port P`).',
  DEVICE_LOST: 'The board disappeared mid-operation (cable pulled, reset, brown-out).',
  SYNC: 'The board did not answer the bootloader (wiring, boot mode, power); a diagnosis is printed.',
  VERIFY: 'The data written did not verify (MD5 mismatch).',
  DEVICE: 'The chip reported an error or stopped answering during an operation.',
  FIRMWARE:
    'The firmware or manifest is invalid, does not fit, is for another chip, or changed since a profile pinned it.',
  PROVISION: 'Provisioning failed: no firmware console answered, or the device did not join the Wi-Fi.',
  CANCELLED: 'Cancelled (Ctrl-C); the port was closed cleanly.',
};

export const EXIT_FOR_ERROR: Record<ErrorCode, ExitName> = {
  SYNC_FAILED: 'SYNC',
  CHIP_UNKNOWN: 'SYNC',
  STUB_FAILED: 'SYNC',
  BAUD_CHANGE_FAILED: 'SYNC',
  CHIP_MISMATCH: 'FIRMWARE',
  PORT_NOT_FOUND: 'PORT_NOT_FOUND',
  PORT_OPEN_FAILED: 'PORT_NOT_FOUND',
  PORT_BUSY: 'PORT_BUSY',
  JOB_CONFLICT: 'PORT_BUSY',
  PORT_PERMISSION_DENIED: 'PORT_PERMISSION',
  DEVICE_LOST: 'DEVICE_LOST',
  IMAGE_INVALID: 'FIRMWARE',
  IMAGE_TOO_LARGE: 'FIRMWARE',
  IMAGE_OVERLAP: 'FIRMWARE',
  IMAGE_MISALIGNED: 'FIRMWARE',
  IMAGE_OFFSET_MISSING: 'FIRMWARE',
  MANIFEST_INVALID: 'FIRMWARE',
  MANIFEST_NO_BUILD: 'FIRMWARE',
  FIRMWARE_CHANGED: 'FIRMWARE',
  NOT_A_FULL_BACKUP: 'FIRMWARE',
  BACKUP_WRONG_SIZE: 'FIRMWARE',
  FLASH_WRITE_FAILED: 'DEVICE',
  FIRMWARE_NOT_DETECTED: 'PROVISION',
  WIFI_JOIN_FAILED: 'PROVISION',
  FLASH_READ_FAILED: 'DEVICE',
  ERASE_FAILED: 'DEVICE',
  VERIFY_FAILED: 'VERIFY',
  BOOT_CHECK_FAILED: 'DEVICE',
  DEVICE_ERROR: 'DEVICE',
  PROTOCOL_ERROR: 'DEVICE',
  UNSUPPORTED: 'DEVICE',
  TIMEOUT: 'DEVICE',
  CANCELLED: 'CANCELLED',
  BAD_REQUEST: 'USAGE',
  NOT_FOUND: 'OTHER',
  DISCONNECTED: 'OTHER',
  INTERNAL: 'OTHER',
  BROKER_AUTH: 'OTHER',
  BROKER_UNREACHABLE: 'OTHER',
};

/** The exit code for a failure's error code (unknown codes, e.g. from a newer backend, are OTHER). */
export function exitCodeFor(code: string): number {
  const name = (EXIT_FOR_ERROR as Record<string, ExitName | undefined>)[code];
  return EXIT[name ?? 'OTHER'];
}

function errorCodesFor(name: ExitName): string[] {
  return (Object.keys(EXIT_FOR_ERROR) as ErrorCode[]).filter((c) => EXIT_FOR_ERROR[c] === name);
}

/** Plain-text table for `kiln --help`. */
export function exitCodeHelp(): string {
  const rows = (Object.keys(EXIT) as ExitName[]).map(
    (n) => `  ${String(EXIT[n]).padStart(3)}  ${EXIT_MEANINGS[n]}`,
  );
  return ['Exit codes:', ...rows].join('\n');
}

/** Markdown table for the README (a test keeps the README's copy identical). */
export function exitCodeMarkdown(): string {
  const rows = (Object.keys(EXIT) as ExitName[]).map((n) => {
    const codes = errorCodesFor(n)
      .map((c) => `\`${c}\``)
      .join(', ');
    return `| ${EXIT[n]} | ${EXIT_MEANINGS[n]} | ${codes || '—'} |`;
  });
  return ['| Exit | Meaning | Error codes |', '| ---: | --- | --- |', ...rows].join('\n');
}
