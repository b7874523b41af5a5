/**
 * The ROM's baud detection: when the chip's loader starts it measures the host's rate from the 0x55 run that
 * opens a SYNC frame, and locks onto it once. It measures at any rate (esptool serial-protocol docs: "the sync
 * packets can be sent at any baud rate"), then detection shuts down (nodemcu PR #1215, pjsg: the ROM auto-bauds
 * "using the same code" as that PR, whose detection stops once the rate is found), so a later SYNC at another
 * baud without a reset is garbage to the chip. No ROM rate limit is modelled: none is documented, only adapter
 * limits (esptool#435) and esptool#365's "a little less reliable at very high speeds" — the autobaudMaxBaud fault
 * stands for those.
 */
import type { ChipName } from '../esp/api';
import type { SimOptions } from './types';

/** A run of 0x55 this long in what the host sent lets the ROM's autobaud lock on (SYNC carries 32). */
const AUTOBAUD_RUN = 8;
/**
 * The ESP8266 ROM syncing above 115200 is not verified by any capture here. Default 'works' on the evidence of
 * reports of ROM-only uploads at the upload baud: esptool-ck at 921600 ("less than 4 seconds" for 200 KB,
 * esp8266/Arduino#37) and esptool.py before it had a stub, "it really can go up to large speeds (eg using 921600
 * baud) … the bootloader autodetects the baud rate" (espressif/esptool#44); failures there were blamed on long
 * wires and adapters (esp8266/Arduino#97). The other two models are the ways it could fail on a board. 'garbled'
 * locks [guess] 5 % off, beyond the line's tolerance (line.ts BAUD_TOLERANCE).
 */
const HIGH_BAUD_SYNC_FROM = 115200;
const GARBLED_LOCK_ERROR = 1.05;

export type SyncMeasurement =
  | { kind: 'none' } // no 0x55 run in this chunk: nothing to measure
  | { kind: 'failed' } // the measurement fails at this rate: nothing locks, detection stays armed
  | { kind: 'locked'; baud: number };

export function measureSync(o: {
  chip: ChipName;
  /** What the host sent, before the line garbled it. */
  sent: Buffer;
  /** The host's baud as the ROM sees it. */
  hostBaud: number;
  /** SimFaults.autobaudMaxBaud: above it the measurement fails (an adapter or wiring limit). */
  maxBaud: number | undefined;
  highBaudSync: SimOptions['highBaudSync'];
}): SyncMeasurement {
  if (!hasRun(o.sent, 0x55, AUTOBAUD_RUN)) return { kind: 'none' };
  const high =
    o.chip === 'esp8266' && o.hostBaud > HIGH_BAUD_SYNC_FROM ? (o.highBaudSync ?? 'works') : 'works';
  if ((o.maxBaud !== undefined && o.hostBaud > o.maxBaud) || high === 'ignored') return { kind: 'failed' };
  return { kind: 'locked', baud: high === 'garbled' ? o.hostBaud * GARBLED_LOCK_ERROR : o.hostBaud };
}

function hasRun(buf: Buffer, value: number, n: number): boolean {
  let run = 0;
  for (const b of buf) {
    run = b === value ? run + 1 : 0;
    if (run >= n) return true;
  }
  return false;
}
