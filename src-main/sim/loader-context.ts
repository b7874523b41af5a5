/**
 * What a loader (the ROM's or the stub's command interpreter) may do to the simulated chip. Kept small so
 * rom.ts and stub.ts read like the command tables they model.
 */
import type { Clock } from '../core/clock';
import type { ChipFacts } from './chip-facts';
import type { FlashMemory } from './flash-memory';
import type { RegisterFile } from './registers';
import type { KnownStub } from './stub-catalogue';
import type { SimFaults } from './types';

export interface LoaderContext {
  readonly facts: ChipFacts;
  readonly flash: FlashMemory;
  readonly regs: RegisterFile;
  readonly clock: Clock;
  /** The stubs this chip recognises at MEM_END (the catalogue plus SimOptions.extraStubs). */
  readonly knownStubs: readonly KnownStub[];
  faults(): SimFaults;
  /** SLIP-encodes and transmits one frame; returns when its last byte leaves the chip (clock ms). */
  sendFrame(payload: Uint8Array): number;
  /**
   * Switches the chip's UART baud once everything queued so far has been transmitted. `romRecords`: the ROM's
   * CHANGE_BAUDRATE passes the number it was sent, which its `UartDev.baud_rate` may keep
   * (SimOptions.romRecordsChangedBaud).
   */
  changeBaud(baud: number, o?: { romRecords?: number }): Promise<void>;
  /** MEM_END jumped to a catalogued flasher stub: switch to its family's behaviour (it then says OHAI). */
  startStub(stub: KnownStub): void;
  /** The loader handed control to other code (FLASH_END reboot, RUN_USER_CODE, unknown MEM_END entry). */
  runFromFlash(): void;
  jumpToUnknownCode(): void;
  /** Waits on the device clock; rejects if the chip was reset meanwhile (the caller just stops). */
  sleep(ms: number): Promise<void>;
  /** Wraps work outside the clock (zlib) so a virtual clock does not jump over it. */
  track<T>(p: Promise<T>): Promise<T>;
}

export interface Loader {
  /** One complete, unescaped SLIP frame from the host. Frames are handled strictly one at a time. */
  handle(frame: Buffer): Promise<void>;
  /**
   * How many frames the loader can hold (the one being handled included) and what happens to one more;
   * undefined = no limit modelled (the ROM, or a stub reading its own acks during READ_FLASH).
   */
  rxBuffers?(): { count: number; overrun: 'dropped' | 'replaces-waiting' } | undefined;
}

/** The u32 little-endian words of a payload (missing trailing words read as undefined). */
export function payloadWords(data: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= data.length; i += 4) out.push(data.readUInt32LE(i));
  return out;
}
