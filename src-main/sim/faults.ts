/**
 * Injectable faults, each modelled where it acts on a real bench: wiring and noise on the line (line.ts),
 * power and straps in the reset circuit and boot (device.ts), flash errors in the loaders (rom.ts, stub.ts).
 * The names below are what `sim:` URLs and `kiln sim --fault NAME` accept.
 */
import type { Rng } from './rng';
import type { BoardWiring, SimFaults } from './types';

export const FAULT_NAMES: readonly string[] = [
  'swap-txrx',
  'short-txrx',
  'not-in-download-mode',
  'unpowered',
  'noise',
  'drop-bytes',
  'unplug',
  'flash-write-error',
  'slow-flash',
  'app-running',
  'brownout',
  'autobaud-limit',
  'adapter-limit',
] as const;

/** Defaults for the faults that take a number when a URL names them without one. */
export const FAULT_DEFAULTS = {
  noiseRate: 0.01,
  dropRate: 0.01,
  unplugAfterBytes: 20_000,
  slowFlashFactor: 4,
  /** Only the ROM's own 115200 syncs: every higher rate fails, as on a bench whose adapter cannot carry it. */
  autobaudMaxBaud: 115200,
  /** A CH340 clone that loses bytes above 460800 [guess: the rate; the behaviour per failure-diagnosis §C]. */
  adapterMaxBaud: 460800,
};

/**
 * Applies one named fault (optionally with a numeric argument) to a fault set. 'not-in-download-mode' is not a
 * SimFaults flag: it is a board whose reset reaches EN but never pulls GPIO0 low ('reset-only' wiring), returned as
 * `board`: every reset boots from flash and prints the boot banner. (A Sonoff without the button is `board=sonoff`.)
 */
export function applyFaultName(
  faults: SimFaults,
  name: string,
  arg?: number,
): { ok: boolean; board?: BoardWiring } {
  switch (name) {
    case 'swap-txrx':
      faults.swapTxRx = true;
      return { ok: true };
    case 'short-txrx':
      faults.shortTxRx = true;
      return { ok: true };
    case 'not-in-download-mode':
      return { ok: true, board: 'reset-only' };
    case 'unpowered':
      faults.unpowered = true;
      return { ok: true };
    case 'noise':
      faults.noiseRate = arg ?? FAULT_DEFAULTS.noiseRate;
      return { ok: true };
    case 'drop-bytes':
      faults.dropRate = arg ?? FAULT_DEFAULTS.dropRate;
      return { ok: true };
    case 'unplug':
      faults.unplugAfterBytes = arg ?? FAULT_DEFAULTS.unplugAfterBytes;
      return { ok: true };
    case 'flash-write-error':
      faults.flashWriteError = true;
      return { ok: true };
    case 'slow-flash':
      faults.slowFlashFactor = arg ?? FAULT_DEFAULTS.slowFlashFactor;
      return { ok: true };
    case 'app-running':
      faults.appRunning = true;
      return { ok: true };
    case 'brownout':
      faults.brownout = true;
      return { ok: true };
    case 'adapter-limit':
      faults.adapterMaxBaud = arg ?? FAULT_DEFAULTS.adapterMaxBaud;
      return { ok: true };
    case 'autobaud-limit':
      faults.autobaudMaxBaud = arg ?? FAULT_DEFAULTS.autobaudMaxBaud;
      return { ok: true };
    default:
      return { ok: false };
  }
}

/**
 * Bit errors and lost bytes on the wire, at the configured rates, from the seeded generator. A clean line
 * (no rates set) returns the input untouched without consuming randomness.
 */
export function applyByteFaults(bytes: Buffer, rng: Rng, f: SimFaults): Buffer {
  const noise = f.noiseRate ?? 0;
  const drop = f.dropRate ?? 0;
  if (noise <= 0 && drop <= 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (drop > 0 && rng.next() < drop) continue;
    let b = bytes[i]!;
    if (noise > 0 && rng.next() < noise) b ^= 1 << rng.int(8);
    out[n++] = b;
  }
  return out.subarray(0, n);
}
