/** Display names of the chips the contract can name (the renderer cannot import the main-process table). */
export const CHIP_DISPLAY: Record<string, string> = {
  esp8266: 'ESP8266',
  esp32: 'ESP32',
  esp32s2: 'ESP32-S2',
  esp32s3: 'ESP32-S3',
  esp32c2: 'ESP32-C2',
  esp32c3: 'ESP32-C3',
  esp32c6: 'ESP32-C6',
  esp32h2: 'ESP32-H2',
};

export function chipLabel(chip: string | undefined): string {
  if (!chip) return 'unknown chip';
  return CHIP_DISPLAY[chip] ?? chip;
}
