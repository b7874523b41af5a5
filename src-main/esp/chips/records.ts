/**
 * One record per chip for the engine (esp-serial-flasher's esp_targets.c as data): how to recognise the chip,
 * where its eFuses, UART divider and SPI registers live, and what its ROM loader can do. Identity facts
 * (names, offsets) stay in table.ts. Register addresses and magic values are facts from the public esptool
 * target files (protocol notes §3); nothing here is behaviour — detect.ts and flash-id.ts read it.
 */
import type { ChipName } from '../api';

/** SPI controller register map used for RDID through READ_REG/WRITE_REG (protocol notes §3). */
export interface SpiRegisters {
  base: number;
  usr: number;
  usr1: number;
  usr2: number;
  w0: number;
  /** Offsets of the MOSI/MISO bit-length registers; undefined on ESP8266 (lengths live in USR1). */
  mosiDlen?: number;
  misoDlen?: number;
}

export interface ChipRecord {
  name: ChipName;
  /** Values of the register at 0x40001000 that identify this chip (older ROMs without GET_SECURITY_INFO). */
  magicValues: number[];
  /** `chip_id` in the 20-byte GET_SECURITY_INFO reply; undefined when the ROM does not report one. */
  securityChipId?: number;
  /** Address of the first MAC eFuse word (ESP8266: OTP word 0). */
  macEfuse: number;
  /** eFuse block base used for revision/package words (ESP32: BLK0 read words; C3 family: BLOCK1). */
  efuseBase: number;
  uartClkdiv: number;
  /** Bus clock = crystal × this (ESP8266 runs the UART from twice the crystal). */
  xtalClkDivider: number;
  /** A crystal the chip always uses; undefined means "estimate from CLKDIV". */
  fixedCrystalMHz?: number;
  spi: SpiRegisters;
  /** Status bytes after the result in a ROM reply: 2 on ESP8266, 4 on the ESP32 family. */
  romStatusLen: 2 | 4;
  /** File name under esptool-js/lib/targets/stub_flasher/. */
  stubFile: string;
  /**
   * That stub (esp-flasher-stub ≥ v1.1.0; esptool-js 0.7.0 ships v1.2.2) raises the clock at start and reprograms
   * UART0's divider for the ROM's *recorded* download baud (`UartDev.baud_rate`), not for the rate the ROM ran at:
   * src/main.c, PR #96, on ESP32, ESP32-S2 and ESP32-P4 (ESP32-H4 since PR #107). flasher/stub-greeting.ts.
   */
  stubUartAtRomBaud?: true;
  rom: {
    md5: boolean;
    changeBaud: boolean;
    deflate: boolean;
    spiAttach: boolean;
    spiSetParams: boolean;
    readFlashSlow: boolean;
  };
  /** ROM FLASH_BEGIN takes 16 bytes (no encryption word) on ESP8266/ESP32; everyone else (and every stub) 20. */
  romFlashBeginWords: 4 | 5;
  /** Image header size nibble → bytes (protocol notes §5). */
  flashSizeNibbles: Record<number, number>;
}

const KB = 1024;
const MB = 1024 * KB;

const ESP8266_SIZES: Record<number, number> = {
  0x0: 512 * KB,
  0x1: 256 * KB,
  0x2: 1 * MB,
  0x3: 2 * MB,
  0x4: 4 * MB,
  0x5: 2 * MB,
  0x6: 4 * MB,
  0x8: 8 * MB,
  0x9: 16 * MB,
};
const ESP32_SIZES: Record<number, number> = {
  0x0: 1 * MB,
  0x1: 2 * MB,
  0x2: 4 * MB,
  0x3: 8 * MB,
  0x4: 16 * MB,
  0x5: 32 * MB,
  0x6: 64 * MB,
  0x7: 128 * MB,
};

const FULL_ROM = {
  md5: true,
  changeBaud: true,
  deflate: true,
  spiAttach: true,
  spiSetParams: true,
  readFlashSlow: true,
};
// The SPI block shared by the S3/C3/C2 generation of chips.
const SPI_60002000: SpiRegisters = {
  base: 0x60002000,
  usr: 0x18,
  usr1: 0x1c,
  usr2: 0x20,
  mosiDlen: 0x24,
  misoDlen: 0x28,
  w0: 0x58,
};
const SPI_60003000: SpiRegisters = { ...SPI_60002000, base: 0x60003000 };

export const CHIP_RECORDS: Record<ChipName, ChipRecord> = {
  esp8266: {
    name: 'esp8266',
    magicValues: [0xfff0c101],
    macEfuse: 0x3ff00050,
    efuseBase: 0x3ff00050,
    uartClkdiv: 0x60000014,
    xtalClkDivider: 2,
    spi: { base: 0x60000200, usr: 0x1c, usr1: 0x20, usr2: 0x24, w0: 0x40 },
    romStatusLen: 2,
    stubFile: 'esp8266.json',
    rom: {
      md5: false,
      changeBaud: false,
      deflate: false,
      spiAttach: false,
      spiSetParams: false,
      readFlashSlow: false,
    },
    romFlashBeginWords: 4,
    flashSizeNibbles: ESP8266_SIZES,
  },
  esp32: {
    name: 'esp32',
    magicValues: [0x00f01d83],
    macEfuse: 0x3ff5a004,
    efuseBase: 0x3ff5a000,
    uartClkdiv: 0x3ff40014,
    xtalClkDivider: 1,
    spi: { base: 0x3ff42000, usr: 0x1c, usr1: 0x20, usr2: 0x24, mosiDlen: 0x28, misoDlen: 0x2c, w0: 0x80 },
    romStatusLen: 4,
    stubFile: 'esp32.json',
    stubUartAtRomBaud: true,
    rom: FULL_ROM,
    romFlashBeginWords: 4,
    flashSizeNibbles: ESP32_SIZES,
  },
  esp32s2: {
    name: 'esp32s2',
    magicValues: [0x000007c6],
    macEfuse: 0x3f41a044,
    efuseBase: 0x3f41a044,
    uartClkdiv: 0x3f400014,
    xtalClkDivider: 1,
    fixedCrystalMHz: 40,
    spi: { base: 0x3f402000, usr: 0x18, usr1: 0x1c, usr2: 0x20, mosiDlen: 0x24, misoDlen: 0x28, w0: 0x58 },
    romStatusLen: 4,
    stubFile: 'esp32s2.json',
    stubUartAtRomBaud: true,
    rom: FULL_ROM,
    romFlashBeginWords: 5,
    flashSizeNibbles: ESP32_SIZES,
  },
  esp32s3: {
    name: 'esp32s3',
    magicValues: [0x9],
    securityChipId: 9,
    macEfuse: 0x60007044,
    efuseBase: 0x60007044,
    uartClkdiv: 0x60000014,
    xtalClkDivider: 1,
    fixedCrystalMHz: 40,
    spi: SPI_60002000,
    romStatusLen: 4,
    stubFile: 'esp32s3.json',
    rom: FULL_ROM,
    romFlashBeginWords: 5,
    flashSizeNibbles: ESP32_SIZES,
  },
  esp32c3: {
    name: 'esp32c3',
    magicValues: [0x6921506f, 0x1b31506f, 0x4881606f, 0x4361606f],
    securityChipId: 5,
    macEfuse: 0x60008844,
    efuseBase: 0x60008844,
    uartClkdiv: 0x60000014,
    xtalClkDivider: 1,
    fixedCrystalMHz: 40,
    spi: SPI_60002000,
    romStatusLen: 4,
    stubFile: 'esp32c3.json',
    rom: FULL_ROM,
    romFlashBeginWords: 5,
    flashSizeNibbles: ESP32_SIZES,
  },
  esp32c2: {
    name: 'esp32c2',
    magicValues: [0x6f51306f, 0x7c41a06f],
    securityChipId: 12,
    macEfuse: 0x60008840,
    efuseBase: 0x60008840,
    uartClkdiv: 0x60000014,
    xtalClkDivider: 1,
    spi: SPI_60002000,
    romStatusLen: 4,
    stubFile: 'esp32c2.json',
    rom: FULL_ROM,
    romFlashBeginWords: 5,
    flashSizeNibbles: ESP32_SIZES,
  },
  esp32c6: {
    name: 'esp32c6',
    magicValues: [0x2ce0806f],
    securityChipId: 13,
    macEfuse: 0x600b0844,
    efuseBase: 0x600b0844,
    uartClkdiv: 0x60000014,
    xtalClkDivider: 1,
    fixedCrystalMHz: 40,
    spi: SPI_60003000,
    romStatusLen: 4,
    stubFile: 'esp32c6.json',
    rom: FULL_ROM,
    romFlashBeginWords: 5,
    flashSizeNibbles: ESP32_SIZES,
  },
  esp32h2: {
    name: 'esp32h2',
    magicValues: [0xd7b73e80],
    securityChipId: 16,
    macEfuse: 0x600b0844,
    efuseBase: 0x600b0844,
    uartClkdiv: 0x60000014,
    xtalClkDivider: 1,
    fixedCrystalMHz: 32,
    spi: SPI_60003000,
    romStatusLen: 4,
    stubFile: 'esp32h2.json',
    rom: FULL_ROM,
    romFlashBeginWords: 5,
    flashSizeNibbles: ESP32_SIZES,
  },
};

export const CHIP_DETECT_MAGIC_REG = 0x40001000;

export function chipByMagic(value: number): ChipRecord | undefined {
  return Object.values(CHIP_RECORDS).find((c) => c.magicValues.includes(value >>> 0));
}

export function chipBySecurityId(id: number): ChipRecord | undefined {
  return Object.values(CHIP_RECORDS).find((c) => c.securityChipId === id);
}

/**
 * JEDEC capacity byte → bytes (protocol notes §3): 0x12…0x1C doubling from 256 KB; 0x20–0x22 = 64/128/256 MB
 * (vendors that restart the count); 0x32…0x3A doubling from 256 KB. 0 when unknown.
 */
export function flashSizeFromCapacityByte(c: number): number {
  if (c >= 0x12 && c <= 0x1c) return 256 * KB * 2 ** (c - 0x12);
  if (c >= 0x20 && c <= 0x22) return 64 * MB * 2 ** (c - 0x20);
  if (c >= 0x32 && c <= 0x3a) return 256 * KB * 2 ** (c - 0x32);
  return 0;
}
