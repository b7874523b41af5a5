/**
 * Per-chip facts the simulated ROM answers with. Sources: protocol notes §1–4 and the chip target files of
 * esptool (read for facts only: esptool/targets/esp8266.py, esp32.py, esp32c3.py, esp32s3.py, esp32c6.py) and esptool-js 0.7.0
 * (lib/targets/*.js). Values observed on real chips are cited to fixtures/real-world.
 */
import type { SimChip } from './types';

export interface SpiRegs {
  base: number;
  /** USR register contents the ROM leaves behind (what a host saves and restores around its own command). */
  usrResetValue?: number;
  usr: number;
  usr1: number;
  usr2: number;
  w0: number;
}

export interface ChipFacts {
  chip: SimChip;
  /** READ_REG 0x40001000. ESP8266 0xFFF0C101 (trace_esp8266_detect_efuse_esptool620.txt), ESP32 0x00F01D83
   *  (trace_esp32_detect_magic_efuse_esptool921.txt). C3: one of the ECO values older esptool listed
   *  (0x1B31506F); esptool ≥4 identifies the C3 by GET_SECURITY_INFO instead. */
  magic: number;
  /** Status bytes in ROM replies: ESP8266 2, ESP32 family 4 (notes §1). */
  romStatusLen: number;
  /** UART baud of the ROM right after reset. ESP8266: 74880 (26 MHz crystal, ROM assumes 40 MHz). */
  bootBaud: number;
  /** UART CLKDIV register and the clock it divides: esptool computes crystal = baud × div / 1e6 / k. */
  clkdivReg: number;
  uartClockHz: number;
  spi: SpiRegs;
  /** ROM supports CHANGE_BAUDRATE, deflate, SPI_FLASH_MD5, READ_FLASH_SLOW, SPI_ATTACH, SPI_SET_PARAMS. */
  romHasEsp32Commands: boolean;
  /** ROM supports GET_SECURITY_INFO (20-byte form) — S3/C3 and later. */
  romSecurityInfo: boolean;
  /** chip_id in GET_SECURITY_INFO (C3 = 5, notes §3). */
  chipId: number;
  /** FLASH_BEGIN payload the ROM expects: 16 bytes (ESP8266, ESP32) or 20 (later ROMs; notes §4). */
  romBeginLen: 16 | 20;
  /**
   * ESP32 ROM only: it sets a new baud from its own estimate of the crystal, calibrated against the internal
   * 8 MHz oscillator: rom_freq = cali_val × 15625 × ck8m / 40 (esptool targets/esp32.py get_rom_cal_crystal_freq
   * reads cali_val from RTCCALICFG1 0x3FF5F06C bits 7+, ck8m from eFuse word 4's low byte). So the UART really
   * runs at requested × 40 MHz / rom_freq, and esptool sends baud × rom_freq / 40 MHz to compensate (notes §6).
   * ck8m 0x31 is what a real ESP32 had in eFuse word 4 (0x00000531, trace esptool#489 in INDEX.md §1 — its
   * read of 0x6001A010); cali_val 2023 [guess] gives rom_freq ≈ 38.72 MHz, close to the 38.73 MHz implied by the
   * 446148-for-460800 request in trace_esp32_rom_change_baudrate_spi_attach_esptool921.txt.
   */
  romCal?: { caliVal: number; ck8m: number };
  /**
   * Chips after the ESP32: eFuse BLOCK1 read address (MAC in words 0–1, as esptool targets/<chip>.py read_mac) and
   * the other BLOCK1 words the host reads for package and revision, by word index.
   */
  efuseBlock1?: { base: number; words: Record<number, number> };
}

export function romCalibratedXtalHz(cal: { caliVal: number; ck8m: number }): number {
  return (cal.caliVal * 15625 * cal.ck8m) / 40;
}

export const CHIP_FACTS: Record<SimChip, ChipFacts> = {
  esp8266: {
    chip: 'esp8266',
    magic: 0xfff0c101,
    romStatusLen: 2,
    bootBaud: 74880,
    clkdivReg: 0x60000014,
    // The ESP8266 ROM runs the APB at 52 MHz from a 26 MHz crystal; esptool divides by k = 2 (notes §3).
    uartClockHz: 52_000_000,
    spi: { base: 0x60000200, usr: 0x1c, usr1: 0x20, usr2: 0x24, w0: 0x40 },
    romHasEsp32Commands: false,
    romSecurityInfo: false,
    chipId: 0,
    romBeginLen: 16,
  },
  esp32: {
    chip: 'esp32',
    magic: 0x00f01d83,
    romStatusLen: 4,
    bootBaud: 115200,
    clkdivReg: 0x3ff40014,
    uartClockHz: 40_000_000,
    // USR = 0x80000040 as a real ESP32 ROM answered (trace_esp32_rom_change_baudrate_spi_attach_esptool921.txt).
    spi: { base: 0x3ff42000, usr: 0x1c, usr1: 0x20, usr2: 0x24, w0: 0x80, usrResetValue: 0x80000040 },
    romHasEsp32Commands: true,
    romSecurityInfo: false,
    chipId: 0,
    romBeginLen: 16,
    romCal: { caliVal: 2023, ck8m: 0x31 },
  },
  esp32c3: {
    chip: 'esp32c3',
    magic: 0x1b31506f,
    romStatusLen: 4,
    bootBaud: 115200,
    clkdivReg: 0x60000014,
    uartClockHz: 40_000_000,
    spi: { base: 0x60002000, usr: 0x18, usr1: 0x1c, usr2: 0x20, w0: 0x58 },
    romHasEsp32Commands: true,
    romSecurityInfo: true,
    chipId: 5,
    romBeginLen: 20,
    // Word 3 bits 18–20 = minor revision (4 → v0.4), bits 21–23 package (0 = QFN32). [guess: a v0.4 part]
    efuseBlock1: { base: 0x60008800 + 0x44, words: { 3: 4 << 18 } },
  },
  esp32s3: {
    chip: 'esp32s3',
    // esptool ≥ 4 identifies the S3 by GET_SECURITY_INFO (USES_MAGIC_VALUE = False); older esptool listed 0x9.
    magic: 0x00000009,
    romStatusLen: 4,
    bootBaud: 115200,
    clkdivReg: 0x60000014,
    uartClockHz: 40_000_000,
    spi: { base: 0x60002000, usr: 0x18, usr1: 0x1c, usr2: 0x20, w0: 0x58 },
    romHasEsp32Commands: true,
    romSecurityInfo: true,
    chipId: 9,
    romBeginLen: 20,
    // Minor revision = word 5 bit 23 (high) and word 3 bits 18–20 (low); major = word 5 bits 24–25; package word 3
    // bits 21–23. [guess: a v0.2 QFN56 part, the common DevKitC-1 revision]
    efuseBlock1: { base: 0x60007000 + 0x44, words: { 3: 2 << 18, 5: 0 } },
  },
  esp32c6: {
    chip: 'esp32c6',
    magic: 0x2ce0806f,
    romStatusLen: 4,
    bootBaud: 115200,
    clkdivReg: 0x60000014,
    uartClockHz: 40_000_000,
    spi: { base: 0x60003000, usr: 0x18, usr1: 0x1c, usr2: 0x20, w0: 0x58 },
    romHasEsp32Commands: true,
    romSecurityInfo: true,
    chipId: 13,
    romBeginLen: 20,
    // Word 3 = 0x08000000 as a real ESP32-C6 answered READ_REG 0x600B0850
    // (trace_esp32c6_slip_escape_in_reply_esptool963.txt): package 0 (QFN40), revision v0.0, as esptool printed.
    efuseBlock1: { base: 0x600b0800 + 0x44, words: { 3: 0x08000000 } },
  },
};
