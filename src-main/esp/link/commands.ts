/**
 * The command table (espflash command.rs style): how long each command may take. Flows never write a
 * timeout literal; they ask this table, passing the size when the time scales with it. Values are the
 * ones esptool uses (protocol notes §3): default 3 s, SYNC 0.1 s, chip erase 120 s, MD5 8 s/MB,
 * region erase 30 s/MB, erase+write 40 s/MB, ROM MEM_END 0.2 s; per-MB figures never below the default.
 */
import { Op } from './protocol';

export const DEFAULT_TIMEOUT_MS = 3000;
export const SYNC_TIMEOUT_MS = 100;
export const CHIP_ERASE_TIMEOUT_MS = 120_000;
export const MEM_END_ROM_TIMEOUT_MS = 200;
export const MD5_MS_PER_MB = 8000;
export const ERASE_REGION_MS_PER_MB = 30_000;
export const WRITE_MS_PER_MB = 40_000;

/** Waits that are not command replies, kept here so flows have no literals either. */
export const WAITS = {
  /** Listening for boot text right after a reset. */
  afterResetListenMs: 50,
  /** After a failed connect: listening for the ROM's boot banner at each log baud (ESP8266 prints ~120 bytes). */
  bootTextListenMs: 500,
  /** Each of the 7 SYNC replies after the first (they come back to back). */
  syncDrainMs: 100,
  /** Host waits this long after switching its own baud rate (esptool: "get rid of crap"). */
  afterBaudChangeMs: 50,
  /** Quiet period that swallows the repeated copies of an "unsupported command" reply. */
  afterUnsupportedMs: 50,
  /** The stub's `OHAI` greeting after MEM_END. */
  stubGreetingMs: 3000,
  /** Polls of the SPI CMD register while RDID runs. */
  spiPollAttempts: 10,
} as const;

const MB = 1024 * 1024;

function perMb(msPerMb: number, bytes: number): number {
  return Math.max(DEFAULT_TIMEOUT_MS, Math.ceil((msPerMb * bytes) / MB));
}

/** Timeout for a command; `size` is the byte count the command works on, for the size-scaled ones. */
export function timeoutFor(op: number, size = 0, opts: { rom?: boolean } = {}): number {
  switch (op) {
    case Op.SYNC:
      return SYNC_TIMEOUT_MS;
    case Op.ERASE_FLASH:
      return CHIP_ERASE_TIMEOUT_MS;
    case Op.ERASE_REGION:
      return perMb(ERASE_REGION_MS_PER_MB, size);
    case Op.SPI_FLASH_MD5:
      return perMb(MD5_MS_PER_MB, size);
    case Op.FLASH_BEGIN:
    case Op.FLASH_DEFL_BEGIN:
      // The ROM erases the whole region up front; the stub erases lazily while writing.
      return opts.rom ? perMb(ERASE_REGION_MS_PER_MB, size) : DEFAULT_TIMEOUT_MS;
    case Op.FLASH_DATA:
    case Op.FLASH_DEFL_DATA:
      return perMb(WRITE_MS_PER_MB, size);
    case Op.MEM_END:
      return opts.rom ? MEM_END_ROM_TIMEOUT_MS : DEFAULT_TIMEOUT_MS;
    case Op.READ_FLASH:
      return perMb(MD5_MS_PER_MB, size);
    default:
      return DEFAULT_TIMEOUT_MS;
  }
}
