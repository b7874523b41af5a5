/**
 * Load-address facts that tell images apart (from esptool's target files, IROM/DROM_MAP_START/END and the
 * ESP8266 MEMORY_MAP). A segment whose address lies in a flash-mapped window is read by the cache from flash
 * at run time: only applications have those. A second-stage bootloader is loaded by the ROM into RAM, so
 * ALL of its segments lie outside these windows — that is the rule Kiln uses to tell a bootloader from an
 * app (entry addresses do not work: the ESP32 bootloader's entry 0x4009816c lies above 0x40080000, as does
 * an app's). A "RAM-only" ESP-IDF app would be classed as a bootloader; such apps are not flashed.
 */
import type { ChipName } from '../api';

type Window = readonly [start: number, end: number];

const FLASH_WINDOWS: Record<ChipName, readonly Window[]> = {
  esp8266: [[0x40200000, 0x40300000]],
  esp32: [
    [0x400d0000, 0x40400000],
    [0x3f400000, 0x3f800000],
  ],
  esp32s2: [
    [0x40080000, 0x40b80000],
    [0x3f000000, 0x3f3f0000],
  ],
  esp32s3: [
    [0x42000000, 0x44000000],
    [0x3c000000, 0x3e000000],
  ],
  esp32c3: [
    [0x42000000, 0x42800000],
    [0x3c000000, 0x3c800000],
  ],
  esp32c2: [
    [0x42000000, 0x42400000],
    [0x3c000000, 0x3c400000],
  ],
  esp32c6: [[0x42000000, 0x43000000]],
  esp32h2: [[0x42000000, 0x43000000]],
};

/** Used when the image names a chip id Kiln does not know: the windows newer chips share. */
const GENERIC_WINDOWS: readonly Window[] = [
  [0x42000000, 0x44000000],
  [0x3c000000, 0x3e000000],
  [0x400d0000, 0x40400000],
  [0x3f400000, 0x3f800000],
];

export function isFlashMapped(chip: ChipName | undefined, address: number): boolean {
  const windows = chip ? FLASH_WINDOWS[chip] : GENERIC_WINDOWS;
  return windows.some(([start, end]) => address >= start && address < end);
}

/** ESP8266 memory a segment may load into: DRAM, IRAM (incl. the cache area apps may use) and IROM. */
const ESP8266_LOADABLE: readonly Window[] = [
  [0x3ffe8000, 0x40000000],
  [0x40100000, 0x40110000],
  [0x40200000, 0x40300000],
];

export function isEsp8266Address(address: number): boolean {
  return ESP8266_LOADABLE.some(([start, end]) => address >= start && address < end);
}

/** Chip ids of the ESP32 family that Kiln has no record for; named only so a warning can say which chip. */
export const OTHER_IMAGE_CHIP_IDS: Readonly<Record<number, string>> = {
  18: 'ESP32-P4',
  20: 'ESP32-C61',
  23: 'ESP32-C5',
  25: 'ESP32-H21',
  28: 'ESP32-H4',
  31: 'ESP32-E22',
  32: 'ESP32-S31',
};
