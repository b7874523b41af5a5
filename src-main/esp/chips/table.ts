/**
 * One record per chip (esp-serial-flasher's esp_targets.c style): identity facts used by image inspection,
 * detection and planning. Register maps and per-chip behaviour are added beside this table by the engine.
 * Facts: protocol notes §3–5; image chip ids from the ESP-IDF image header (esp_chip_id_t).
 */
import type { ChipName } from '../api';
import { CHIP_DISPLAY_NAMES } from '../../vocabulary';

export interface ChipIdentity {
  name: ChipName;
  /** Marketing name as printed to users (the vocabulary's spelling). */
  displayName: string;
  /** `chip_id` in the ESP32-family extended image header; undefined for ESP8266 (no extended header). */
  imageChipId: number | undefined;
  /** Where the second-stage bootloader lives (header patching happens only at this offset). */
  bootloaderOffset: number;
  /** Default offset of an application image when only one file is given without an address. */
  appOffset: number;
  /** Name of the family in ESP Web Tools manifests (`chipFamily`). */
  manifestFamily: string;
}

export const CHIP_IDENTITIES: Record<ChipName, ChipIdentity> = {
  esp8266: {
    name: 'esp8266',
    displayName: CHIP_DISPLAY_NAMES.esp8266,
    imageChipId: undefined,
    bootloaderOffset: 0x0,
    appOffset: 0x0,
    manifestFamily: 'ESP8266',
  },
  esp32: {
    name: 'esp32',
    displayName: CHIP_DISPLAY_NAMES.esp32,
    imageChipId: 0,
    bootloaderOffset: 0x1000,
    appOffset: 0x10000,
    manifestFamily: 'ESP32',
  },
  esp32s2: {
    name: 'esp32s2',
    displayName: CHIP_DISPLAY_NAMES.esp32s2,
    imageChipId: 2,
    bootloaderOffset: 0x1000,
    appOffset: 0x10000,
    manifestFamily: 'ESP32-S2',
  },
  esp32c3: {
    name: 'esp32c3',
    displayName: CHIP_DISPLAY_NAMES.esp32c3,
    imageChipId: 5,
    bootloaderOffset: 0x0,
    appOffset: 0x10000,
    manifestFamily: 'ESP32-C3',
  },
  esp32s3: {
    name: 'esp32s3',
    displayName: CHIP_DISPLAY_NAMES.esp32s3,
    imageChipId: 9,
    bootloaderOffset: 0x0,
    appOffset: 0x10000,
    manifestFamily: 'ESP32-S3',
  },
  esp32c2: {
    name: 'esp32c2',
    displayName: CHIP_DISPLAY_NAMES.esp32c2,
    imageChipId: 12,
    bootloaderOffset: 0x0,
    appOffset: 0x10000,
    manifestFamily: 'ESP32-C2',
  },
  esp32c6: {
    name: 'esp32c6',
    displayName: CHIP_DISPLAY_NAMES.esp32c6,
    imageChipId: 13,
    bootloaderOffset: 0x0,
    appOffset: 0x10000,
    manifestFamily: 'ESP32-C6',
  },
  esp32h2: {
    name: 'esp32h2',
    displayName: CHIP_DISPLAY_NAMES.esp32h2,
    imageChipId: 16,
    bootloaderOffset: 0x0,
    appOffset: 0x10000,
    manifestFamily: 'ESP32-H2',
  },
};

export function chipByImageId(id: number): ChipIdentity | undefined {
  return Object.values(CHIP_IDENTITIES).find((c) => c.imageChipId === id);
}
