/**
 * Turns what the chip said into errors that teach. Every ROM and stub status name has an entry: which catalogue
 * code it becomes, a one-line cause and the next step for a person. The code may depend on what the command
 * was doing (an SPI failure while erasing is ERASE_FAILED, while reading FLASH_READ_FAILED), so commands are
 * grouped by purpose. The command name and the raw status bytes always travel in `details`.
 */
import { KilnError, type ErrorCode, type ErrorDetails } from '../../core/errors';
import { OP_NAMES, Op, ROM_ERRORS, STUB_ERRORS, type Status } from './protocol';

export type CommandPurpose = 'write' | 'erase' | 'read' | 'memory' | 'other';

export function purposeOf(op: number): CommandPurpose {
  switch (op) {
    case Op.FLASH_BEGIN:
    case Op.FLASH_DATA:
    case Op.FLASH_END:
    case Op.FLASH_DEFL_BEGIN:
    case Op.FLASH_DEFL_DATA:
    case Op.FLASH_DEFL_END:
      return 'write';
    case Op.ERASE_FLASH:
    case Op.ERASE_REGION:
      return 'erase';
    case Op.READ_FLASH:
    case Op.READ_FLASH_SLOW:
    case Op.SPI_FLASH_MD5:
      return 'read';
    case Op.MEM_BEGIN:
    case Op.MEM_DATA:
    case Op.MEM_END:
      return 'memory';
    default:
      return 'other';
  }
}

/** The flash-operation code for a failure, by what the command was doing. */
function flashCode(purpose: CommandPurpose): ErrorCode {
  if (purpose === 'erase') return 'ERASE_FAILED';
  if (purpose === 'read') return 'FLASH_READ_FAILED';
  if (purpose === 'memory') return 'STUB_FAILED';
  if (purpose === 'write') return 'FLASH_WRITE_FAILED';
  return 'DEVICE_ERROR';
}

interface StatusMeaning {
  code: (p: CommandPurpose) => ErrorCode;
  cause: string;
  hint: string;
}

const LINK_HINT = 'The serial link corrupted data. Try a lower baud rate or a shorter/better USB cable.';
const FLASH_HINT =
  'The flash chip failed. Power-cycle the board and try again; if it repeats, the flash chip may be worn out or write-protected.';

/** Every ROM and stub status name (protocol.ts ROM_ERRORS / STUB_ERRORS) → meaning. */
export const STATUS_MEANINGS: Record<string, StatusMeaning> = {
  ROM_INVALID_MESSAGE: {
    code: () => 'UNSUPPORTED',
    cause: 'the ROM loader does not accept this command',
    hint: 'This chip\u2019s ROM cannot do this; use the flasher stub (the default).',
  },
  ROM_FAILED_TO_ACT: {
    code: flashCode,
    cause: 'the ROM loader failed to carry out the command',
    hint: FLASH_HINT,
  },
  ROM_BAD_CHECKSUM: {
    code: () => 'PROTOCOL_ERROR',
    cause: 'a data block arrived with a bad checksum',
    hint: LINK_HINT,
  },
  ROM_FLASH_WRITE_ERROR: {
    code: () => 'FLASH_WRITE_FAILED',
    cause: 'the flash did not read back what was written',
    hint: FLASH_HINT,
  },
  ROM_FLASH_READ_ERROR: {
    code: () => 'FLASH_READ_FAILED',
    cause: 'the ROM loader could not read the flash',
    hint: FLASH_HINT,
  },
  ROM_READ_LENGTH_ERROR: {
    code: () => 'FLASH_READ_FAILED',
    cause: 'the ROM loader rejected the read length',
    hint: 'Read in blocks of at most 64 bytes through the ROM, or use the stub.',
  },
  ROM_DEFLATE_ERROR: { code: flashCode, cause: 'the compressed data could not be inflated', hint: LINK_HINT },
  ROM_ADLER32_ERROR: {
    code: flashCode,
    cause: 'the compressed data failed its Adler-32 check',
    hint: LINK_HINT,
  },
  ROM_DEFLATE_PARAM_ERROR: {
    code: flashCode,
    cause: 'the ROM loader rejected the compression parameters',
    hint: 'Flash without compression or use the stub.',
  },
  ROM_BAD_RAM_SIZE: {
    code: () => 'STUB_FAILED',
    cause: 'the ROM loader rejected the RAM download size',
    hint: 'The stub image does not fit this chip; connect without the stub.',
  },
  ROM_BAD_RAM_ADDRESS: {
    code: () => 'STUB_FAILED',
    cause: 'the ROM loader rejected the RAM download address',
    hint: 'The stub image does not suit this chip; connect without the stub.',
  },
  STUB_BAD_DATA_LEN: {
    code: () => 'PROTOCOL_ERROR',
    cause: 'the stub received a block of the wrong length',
    hint: LINK_HINT,
  },
  STUB_BAD_DATA_CHECKSUM: {
    code: () => 'PROTOCOL_ERROR',
    cause: 'a data block arrived with a bad checksum',
    hint: LINK_HINT,
  },
  STUB_BAD_BLOCKSIZE: {
    code: () => 'PROTOCOL_ERROR',
    cause: 'the stub rejected the block size',
    hint: 'Report this to the Kiln developers with the log attached.',
  },
  STUB_INVALID_COMMAND: {
    code: () => 'UNSUPPORTED',
    cause: 'the flasher stub does not know this command',
    hint: 'This stub cannot do this operation; report it with the log attached.',
  },
  STUB_FAILED_SPI_OP: { code: flashCode, cause: 'an SPI flash operation failed', hint: FLASH_HINT },
  STUB_FAILED_SPI_UNLOCK: {
    code: flashCode,
    cause: 'the flash could not be unlocked for writing',
    hint: 'The flash is write-protected (status register). Power-cycle; if it repeats, clear the protection bits.',
  },
  STUB_NOT_IN_FLASH_MODE: {
    code: () => 'PROTOCOL_ERROR',
    cause: 'data arrived before the stub was told to begin a write',
    hint: 'Run the flash again; the device lost track of the write.',
  },
  STUB_INFLATE_ERROR: {
    code: flashCode,
    cause: 'the compressed data could not be inflated',
    hint: LINK_HINT,
  },
  STUB_NOT_ENOUGH_DATA: {
    code: flashCode,
    cause: 'the write ended before all announced data arrived',
    hint: LINK_HINT,
  },
  STUB_TOO_MUCH_DATA: {
    code: flashCode,
    cause: 'more data arrived than the write announced',
    hint: LINK_HINT,
  },
  STUB_CMD_NOT_IMPLEMENTED: {
    code: () => 'UNSUPPORTED',
    cause: 'the flasher stub does not implement this command',
    hint: 'This stub cannot do this operation; report it with the log attached.',
  },
};

/** Status names a DATA block may be re-sent for: the block was damaged in transit, not by the flash. */
export const RETRYABLE_STATUS = new Set(['ROM_BAD_CHECKSUM', 'STUB_BAD_DATA_CHECKSUM', 'STUB_BAD_DATA_LEN']);

export function commandName(op: number): string {
  return OP_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`;
}

/** A failed reply as a KilnError with the command and raw status in details. */
export function statusError(op: number, status: Status, extra: ErrorDetails = {}): KilnError {
  const name = status.name ?? 'UNKNOWN_STATUS';
  const meaning = STATUS_MEANINGS[name];
  const cmd = commandName(op);
  const details: ErrorDetails = { command: cmd, status: name, statusBytes: hex(status.bytes), ...extra };
  if (name === 'ROM_INVALID_MESSAGE' && CORE_LOADER_OPS.has(op)) return corruptedRequestError(op, details);
  // A failure without a reason ([01, 00]) is in neither table (esptool's ROM error codes start at 0x05, the stub's
  // at 0xC0); one flipped bit of the success status [00, 00] gives exactly it.
  const reasonless = status.bytes[0] === 1 && status.bytes[1] === 0;
  if (!meaning && (status.bytes[0] !== 1 || reasonless)) {
    // Neither a ROM error ([01, code]) nor a stub error ([C0.., 00]): no loader sends this, the line changed it.
    return new KilnError(
      'PROTOCOL_ERROR',
      `The reply to ${cmd} carried a status no loader sends (${hex(status.bytes)}): it was corrupted on the line.`,
      {
        hint: LINK_HINT,
        details,
      },
    );
  }
  if (!meaning) {
    return new KilnError('DEVICE_ERROR', `The chip rejected ${cmd} with status ${hex(status.bytes)}.`, {
      hint: 'Power-cycle the board and try again; report the log if it repeats.',
      details,
    });
  }
  return new KilnError(meaning.code(purposeOf(op)), `${cmd} failed: ${meaning.cause} (${name}).`, {
    hint: meaning.hint,
    details,
  });
}

export function timeoutError(op: number, timeoutMs: number, port: string): KilnError {
  const cmd = commandName(op);
  return new KilnError(
    'TIMEOUT',
    `No reply to ${cmd} within ${(timeoutMs / 1000).toFixed(1)} s on ${port}.`,
    {
      hint: 'The chip stopped answering: check the cable and power, then try again (a lower baud rate helps on long cables).',
      details: { command: cmd, timeoutMs, port },
    },
  );
}

/**
 * Commands every ROM and stub loader implements. A "not supported" reply to one of them cannot be true: the
 * request reached the chip damaged (noise, a wrong baud), so it is a link error, never UNSUPPORTED.
 */
const CORE_LOADER_OPS: ReadonlySet<number> = new Set([
  Op.FLASH_BEGIN,
  Op.FLASH_DATA,
  Op.FLASH_END,
  Op.MEM_BEGIN,
  Op.MEM_END,
  Op.MEM_DATA,
  Op.SYNC,
  Op.WRITE_REG,
  Op.READ_REG,
]);

function corruptedRequestError(op: number, details: ErrorDetails): KilnError {
  const cmd = commandName(op);
  return new KilnError(
    'PROTOCOL_ERROR',
    `The chip did not recognise ${cmd}, a command every loader knows: the request was corrupted on the line.`,
    {
      hint: LINK_HINT,
      details: { command: cmd, ...details },
    },
  );
}

export function unsupportedError(op: number, chip?: string): KilnError {
  const cmd = commandName(op);
  if (CORE_LOADER_OPS.has(op)) return corruptedRequestError(op, {});
  return new KilnError(
    'UNSUPPORTED',
    `The loader${chip ? ` on this ${chip}` : ''} does not support ${cmd}.`,
    {
      hint: 'Use the flasher stub (the default) for this operation.',
      details: { command: cmd },
    },
  );
}

export function hex(bytes: ArrayLike<number>): string {
  return Buffer.from(Array.from(bytes)).toString('hex');
}

/** Errors that end a connection attempt loop at once: retrying cannot help and the cause must not be hidden. */
export function isFatalLinkError(e: unknown): boolean {
  if (!(e instanceof KilnError)) return false;
  return (
    e.code === 'DEVICE_LOST' ||
    e.code === 'CANCELLED' ||
    e.code === 'PORT_NOT_FOUND' ||
    e.code === 'PORT_BUSY' ||
    e.code === 'PORT_PERMISSION_DENIED' ||
    e.code === 'PORT_OPEN_FAILED'
  );
}

// Both tables must be covered; a test enumerates them, this keeps the import honest.
export const ALL_STATUS_NAMES = [...Object.values(ROM_ERRORS), ...Object.values(STUB_ERRORS)];
