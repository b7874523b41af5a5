/**
 * Reset strategies as data (espflash reset.rs, protocol notes §3): each is a list of DTR/RTS levels and waits.
 * True = asserted (the pin is pulled low through the usual transistor pair: RTS→EN, DTR→IO0). Every step sets
 * BOTH lines, because node serialport's `set()` turns an omitted line on. The simulator's reset circuit checks
 * these same sequences.
 */
import type { Clock } from '../../core/clock';
import type { Transport } from '../../serial/transport';

export type ResetStep = { dtr: boolean; rts: boolean } | { waitMs: number };

export type ResetStrategyName = 'classic' | 'unix-tight' | 'usb-jtag-serial' | 'hard-reset' | 'none';

export interface ResetStrategy {
  name: ResetStrategyName;
  /** For the download-mode strategies: how long IO0 is held low after EN is released. */
  delayMs?: number;
  steps: ResetStep[];
}

const set = (dtr: 0 | 1, rts: 0 | 1): ResetStep => ({ dtr: dtr === 1, rts: rts === 1 });
const wait = (ms: number): ResetStep => ({ waitMs: ms });

/** EN low, then IO0 low while EN rises, then IO0 released. Separate steps as on Windows. */
export function classicReset(delayMs: number): ResetStrategy {
  return { name: 'classic', delayMs, steps: [set(0, 1), wait(100), set(1, 0), wait(delayMs), set(0, 0)] };
}

/** The same in single ioctl steps, starting from both lines idle (esptool's UnixTightReset). */
export function unixTightReset(delayMs: number): ResetStrategy {
  return {
    name: 'unix-tight',
    delayMs,
    steps: [set(0, 0), set(1, 1), set(0, 1), wait(100), set(1, 0), wait(delayMs), set(0, 0), set(0, 0)],
  };
}

/** Espressif's USB-Serial/JTAG peripheral decodes the line states itself. */
export function usbJtagSerialReset(): ResetStrategy {
  return {
    name: 'usb-jtag-serial',
    steps: [set(0, 0), wait(100), set(1, 0), wait(100), set(0, 1), wait(100), set(0, 0)],
  };
}

/** Leaves the loader: an EN pulse with IO0 released (longer over native USB). */
export function hardReset(usbJtagSerial = false): ResetStrategy {
  return { name: 'hard-reset', steps: [set(0, 1), wait(usbJtagSerial ? 200 : 100), set(0, 0)] };
}

export const NO_RESET: ResetStrategy = { name: 'none', steps: [] };

export async function runReset(
  strategy: ResetStrategy,
  transport: Transport,
  clock: Clock,
  signal?: AbortSignal,
): Promise<void> {
  for (const step of strategy.steps) {
    // A tty without modem lines (a pty) takes the line changes and drops them: no reset can happen, so its
    // timing would be waited for nothing.
    if (transport.modemLines === false) return;
    if ('waitMs' in step) await clock.sleep(step.waitMs, signal);
    else await transport.setSignals({ dtr: step.dtr, rts: step.rts });
  }
}

/**
 * The strategies tried in turn while connecting (esptool on Linux/macOS with a USB-UART): the tight and the
 * classic sequence, each with a short and a long IO0 hold. Native USB has its own sequence; a port without
 * lines (TCP) or a user holding the button gets none.
 */
export function connectStrategies(
  lines: 'uart' | 'usb-jtag-serial' | 'none',
  before: 'default' | 'no-reset' | 'usb-reset',
): ResetStrategy[] {
  if (before === 'no-reset' || lines === 'none') return [NO_RESET];
  if (before === 'usb-reset' || lines === 'usb-jtag-serial') return [usbJtagSerialReset()];
  return [unixTightReset(50), unixTightReset(550), classicReset(50), classicReset(550)];
}
