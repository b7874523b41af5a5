/**
 * The FTDI latency timer. An FTDI bridge (Linux driver `ftdi_sio`) holds received bytes until its buffer fills or
 * its latency timer runs out — 16 ms by default (FTDI application note AN232B-04, "Data Throughput, Latency and
 * Handshaking", §3.3). A flasher's replies are a few bytes long, so every command/reply round trip waits out the
 * timer: about 90 round trips for a 1 MiB flash (64 data blocks of 16 KiB, 16 MD5 pre-checks of 64 KiB, a few
 * more), i.e. ≈ 1.4 s at 16 ms against ≈ 0.09 s at 1 ms. Linux exposes the timer as
 * /sys/bus/usb-serial/devices/<tty>/latency_timer in milliseconds (drivers/usb/serial/ftdi_sio.c,
 * `latency_timer` attribute); writing it needs root unless a udev rule set it (Kiln's rule does).
 *
 * One place for the path, the cost model and the "lower it while we hold the port" step; the doctor's finding
 * and the serial layer both use it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const FTDI_DRIVER = 'ftdi_sio';
export const FTDI_LOW_LATENCY_MS = 1;
/** Round trips a 1 MiB flash makes (see above): data blocks + MD5 pre-checks + begin/end/verify/baud/sync. */
export const ROUND_TRIPS_PER_MIB = 64 + 16 + 10;

/** System path of the timer for a tty name ('ttyUSB0'). */
export function ftdiLatencyPath(ttyName: string): string {
  return `/sys/bus/usb-serial/devices/${ttyName}/latency_timer`;
}

/** Seconds a 1 MiB flash spends waiting on the timer at `latencyMs` (each round trip waits it out once). */
export function latencyCostPerMiB(latencyMs: number): number {
  return (ROUND_TRIPS_PER_MIB * latencyMs) / 1000;
}

export function parseLatency(text: string): number | undefined {
  const ms = Number(text.trim());
  return Number.isInteger(ms) && ms >= 0 && ms <= 255 ? ms : undefined;
}

export interface LowerLatencyOptions {
  /** Root of the file system to use ('/' normally; a temporary tree in tests). */
  sysRoot?: string;
  log?: (message: string) => void;
  /** The file system calls (tests inject a refusal: as root, mode bits never refuse a write). */
  files?: { readFile: typeof readFile; writeFile: typeof writeFile };
}

/**
 * Sets an FTDI port's latency timer to 1 ms while Kiln holds it, when the sysfs file is writable. Resolves with
 * a function that puts the old value back, or undefined when there is nothing to do (not an FTDI port, already
 * low, or no permission — the doctor's `ftdi-latency` finding then offers the udev rule).
 */
export async function lowerFtdiLatency(
  devicePath: string,
  options: LowerLatencyOptions = {},
): Promise<(() => Promise<void>) | undefined> {
  const file = path.join(options.sysRoot ?? '/', ftdiLatencyPath(path.basename(devicePath)));
  const files = options.files ?? { readFile, writeFile };
  let before: number | undefined;
  try {
    before = parseLatency(await files.readFile(file, 'utf8'));
  } catch {
    return undefined; // not an FTDI port (or not Linux)
  }
  if (before === undefined || before <= FTDI_LOW_LATENCY_MS) return undefined;
  try {
    await files.writeFile(file, `${FTDI_LOW_LATENCY_MS}\n`);
  } catch (e) {
    options.log?.(
      `${devicePath}: FTDI latency timer stays at ${before} ms (${(e as NodeJS.ErrnoException).code ?? 'error'}); ` +
        `run kiln doctor --port ${devicePath} for the udev rule that lowers it`,
    );
    return undefined;
  }
  options.log?.(
    `${devicePath}: FTDI latency timer ${before} ms → ${FTDI_LOW_LATENCY_MS} ms while Kiln holds the port`,
  );
  return async () => {
    await files.writeFile(file, `${before}\n`).catch(() => undefined);
  };
}
