/**
 * The chips Kiln can name, with the names people read. The engine's chip table (esp/chips/table.ts) holds one
 * record per name here; the contract, the station profile and the renderer take their lists from this file.
 */

export const CHIP_NAMES = [
  'esp8266',
  'esp32',
  'esp32s2',
  'esp32s3',
  'esp32c2',
  'esp32c3',
  'esp32c6',
  'esp32h2',
] as const;
export type ChipName = (typeof CHIP_NAMES)[number];

/** How a chip is written for people (Espressif's spelling). */
export const CHIP_DISPLAY_NAMES: Record<ChipName, string> = {
  esp8266: 'ESP8266',
  esp32: 'ESP32',
  esp32s2: 'ESP32-S2',
  esp32s3: 'ESP32-S3',
  esp32c2: 'ESP32-C2',
  esp32c3: 'ESP32-C3',
  esp32c6: 'ESP32-C6',
  esp32h2: 'ESP32-H2',
};

/** Virtual devices offered in every port listing. */
export const VIRTUAL_CHIPS = ['esp8266', 'esp32', 'esp32c3'] as const satisfies readonly ChipName[];
