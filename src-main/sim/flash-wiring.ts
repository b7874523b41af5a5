/**
 * Which SPI read modes a simulated board's flash answers, and what an ESP8266 prints when the image header at
 * 0x0 asks for one it cannot. What is fact and what is a guess:
 *
 * [fact] The header at the start of a bootable image holds the flash mode; the ROM reads that header after reset
 *   and uses the mode for the initial boot (esptool docs, "SPI Flash Modes": "How is flash mode communicated").
 *   Header byte 2: 0 = QIO, 1 = QOUT, 2 = DIO, 3 = DOUT.
 * [fact] QIO/QOUT need the flash's WP and HOLD pins wired to the chip as data lines and a chip that supports quad
 *   reads; DIO needs the "Dual I/O Fast Read" (BBh) command; some chips only do "Dual Output Fast Read" (3Bh =
 *   DOUT) (same page, FAQ). ESP8285 / Sonoff boards are the usual DOUT-only case (NodeMCU-PyFlasher's help:
 *   "ESP8285 requires DOUT"; Tasmota forces DOUT).
 * [fact] Writing succeeds in any mode (the loader writes in plain SPI), "but the chip can't read the flash back to
 *   run" (esptool troubleshooting, "Wrong Flash Mode"); so Kiln's MD5 verify passes and only the boot fails.
 * [fact] The ROM's `chksum`/`csum` lines compare the checksum in the image with the one over what it read; "csum
 *   err" then "ets_main.c" is the ROM giving up on a bad checksum (esp8266_rom_boot_csum_err_nonossdk304.txt;
 *   esptool boot-log docs: equal values mean the flash was read correctly).
 * [guess] Which exact lines the ROM prints when it reads in a mode the flash does not answer: modelled as the
 *   banner, then `csum err` and `ets_main.c` with no `load` lines (their values would depend on what the misread
 *   returns, which is not modelled).
 * [guess, weakly supported] The chip does not stay there: the hardware watchdog resets it (`rst cause:4`,
 *   `wdt reset`) and the same happens again. SmingHub/Sming#392 (a NodeMCU needing DIO, flashed QIO) shows one
 *   short block of 74880-baud text repeating when read at 115200; ~130 bytes there ≈ 85 bytes at 74880, about
 *   banner + `wdt reset` + `csum err` + `ets_main.c`. The 1.6 s period is a guess of the watchdog's timeout.
 */

/** What the board's flash answers: 'qio' = every mode, 'dio' = DIO and DOUT, 'dout' = DOUT only. */
export type FlashWiring = 'qio' | 'dio' | 'dout';

export const FLASH_WIRINGS: readonly FlashWiring[] = ['qio', 'dio', 'dout'];

/** Whether a read in the header's mode (byte 2 of an ESP8266 image) returns the real data on this board. */
export function flashServesMode(wiring: FlashWiring, modeByte: number): boolean {
  switch (modeByte) {
    case 0: // QIO
    case 1: // QOUT
      return wiring === 'qio';
    case 2: // DIO
      return wiring !== 'dout';
    case 3: // DOUT
      return true;
    default:
      return false;
  }
}

/** [guess] Period of the watchdog loop after the ROM gives up (see above). */
export const MISREAD_LOOP_MS = 1600;
