/**
 * The two header bytes that carry SPI flash settings (protocol notes §5): byte 2 = flash mode, byte 3 =
 * size nibble << 4 | frequency nibble. The size nibble means different things on the ESP8266 and on the
 * ESP32 family, and a few newer chips number their frequencies differently (facts from esptool's target
 * files: ESP32-C2 60/30/20/15 MHz, ESP32-C6 has no 80 MHz nibble of its own, ESP32-H2 48/24/16/12 MHz).
 */
import type { ChipName, FlashFreqOption, FlashModeOption, FlashSizeOption } from '../api';

export type FlashModeName = Exclude<FlashModeOption, 'keep'>;
/** Index = header byte 2. */
export const FLASH_MODES: readonly FlashModeName[] = ['qio', 'qout', 'dio', 'dout'];

export type HeaderFamily = 'esp8266' | 'esp32';

export function headerFamily(chip: ChipName): HeaderFamily {
  return chip === 'esp8266' ? 'esp8266' : 'esp32';
}

/** Size name → nibble. ESP8266 "-c1" layouts are 2/4 MB chips with a different SDK partition map. */
export const FLASH_SIZE_NIBBLES: Record<HeaderFamily, Readonly<Record<string, number>>> = {
  esp8266: {
    '512KB': 0x0,
    '256KB': 0x1,
    '1MB': 0x2,
    '2MB': 0x3,
    '4MB': 0x4,
    '2MB-c1': 0x5,
    '4MB-c1': 0x6,
    '8MB': 0x8,
    '16MB': 0x9,
  },
  esp32: {
    '1MB': 0x0,
    '2MB': 0x1,
    '4MB': 0x2,
    '8MB': 0x3,
    '16MB': 0x4,
    '32MB': 0x5,
    '64MB': 0x6,
    '128MB': 0x7,
  },
};

const DEFAULT_FREQS: Readonly<Record<string, number>> = { '80m': 0xf, '40m': 0x0, '26m': 0x1, '20m': 0x2 };

/**
 * Frequency name → nibble per chip. Where two names share a nibble (ESP32-C6: '80m' and '40m' are both 0,
 * a ROM workaround in esptool), the first listed name is the one reported when decoding.
 */
export const FLASH_FREQ_NIBBLES: Record<ChipName, Readonly<Record<string, number>>> = {
  esp8266: DEFAULT_FREQS,
  esp32: DEFAULT_FREQS,
  esp32s2: DEFAULT_FREQS,
  esp32s3: DEFAULT_FREQS,
  esp32c3: DEFAULT_FREQS,
  esp32c2: { '60m': 0xf, '30m': 0x0, '20m': 0x1, '15m': 0x2 },
  esp32c6: { '40m': 0x0, '80m': 0x0, '20m': 0x2 },
  esp32h2: { '48m': 0xf, '24m': 0x0, '16m': 0x1, '12m': 0x2 },
};

const KB = 1024;
const MB = 1024 * 1024;

/** Bytes of a size name ('4MB-c1' is a 4 MB chip). */
export function flashSizeBytes(name: string): number | undefined {
  const m = /^(\d+)(KB|MB)(-c1)?$/.exec(name);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 'KB' ? KB : MB);
}

export function flashSizeName(family: HeaderFamily, nibble: number): string | undefined {
  return Object.entries(FLASH_SIZE_NIBBLES[family]).find(([, n]) => n === nibble)?.[0];
}

/** Decodes a frequency nibble; an unknown chip of the ESP32 family uses the common table. */
export function flashFreqName(chip: ChipName | undefined, nibble: number): string | undefined {
  const table = FLASH_FREQ_NIBBLES[chip ?? 'esp32'];
  return Object.entries(table).find(([, n]) => n === nibble)?.[0];
}

export function flashModeName(byte: number): FlashModeName | undefined {
  return FLASH_MODES[byte];
}

/** Nibble for a size option or a byte count; undefined when the chip's header cannot express it. */
export function flashSizeNibble(
  chip: ChipName,
  size: Exclude<FlashSizeOption, 'keep' | 'detect'> | number,
): number | undefined {
  const table = FLASH_SIZE_NIBBLES[headerFamily(chip)];
  if (typeof size === 'string') return table[size];
  // A byte count (from the flash chip's JEDEC id) maps to the plain name, never to a "-c1" layout.
  const name = Object.keys(table).find((k) => !k.endsWith('-c1') && flashSizeBytes(k) === size);
  return name === undefined ? undefined : table[name];
}

export function flashFreqNibble(chip: ChipName, freq: Exclude<FlashFreqOption, 'keep'>): number | undefined {
  return FLASH_FREQ_NIBBLES[chip][freq];
}

export function flashModeByte(mode: FlashModeName): number {
  return FLASH_MODES.indexOf(mode);
}
