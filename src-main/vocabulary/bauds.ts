/**
 * Serial speeds: the allowlist a request may name, the subsets each screen offers, and the ROM's own rate.
 */

/** Bauds a user may pick. 74880 is the ESP8266 boot-ROM rate (monitor), the rest are common adapter rates. */
export const BAUD_RATES = [
  9600, 19200, 38400, 57600, 74880, 115200, 230400, 256000, 460800, 500000, 921600, 1000000, 1500000, 2000000,
] as const;
export type BaudRate = (typeof BAUD_RATES)[number];

/** Bauds offered for flashing (the ones ESP loaders run reliably); also what a station profile may choose. */
export const FLASH_BAUDS = [
  115200, 230400, 460800, 921600, 1500000, 2000000,
] as const satisfies readonly BaudRate[];
export type FlashBaud = (typeof FLASH_BAUDS)[number];

/** Bauds offered in the serial monitor: 74880 is the ESP8266 boot ROM's rate (its boot messages). */
export const MONITOR_BAUDS = [
  9600, 19200, 38400, 57600, 74880, 115200, 230400, 460800, 921600,
] as const satisfies readonly BaudRate[];

/** The ROM loader's rate at reset (every chip autobauds from here); a safe choice when nothing else is known. */
export const ROM_BAUD = 115200;

export function isBaudRate(baud: number): baud is BaudRate {
  return (BAUD_RATES as readonly number[]).includes(baud);
}

export function isFlashBaud(baud: number): baud is FlashBaud {
  return (FLASH_BAUDS as readonly number[]).includes(baud);
}
