/**
 * Board presets: the few boards people flash most, each with how Kiln reaches its bootloader, the flash settings
 * that boot on it and the wiring card shown before the first try and again on a failure. One table; the CLI
 * (`--board`) and the GUI read it. Plain data (no imports), so the renderer loads it too.
 *
 * Sources: Tasmota's device pages (Sonoff Basic/S20/TH: no auto-reset, hold the button while connecting 3.3 V,
 * flash mode DOUT, 1 MB; ESP-01/01S: GPIO0 to GND at power-up) — failure-diagnosis.md [TAS]; esptool's
 * "--flash_mode dout" advice for ESP8285 (flash wired for dual output only); NodeMCU/D1 mini and ESP32 DevKit
 * auto-reset circuits (failure-diagnosis §B); C3/S3 USB-Serial/JTAG 303a:1001 (§C). Safe bauds are [guess]:
 * 115200 where the user's own adapter and long jumper wires are likely, 460800 on boards with a bridge on board.
 */

/** How the chip is brought into download mode: by hand (guided), the DTR/RTS circuit, or the USB-JTAG reset. */
export type PresetReset = 'manual' | 'default' | 'usb-reset';

export interface BoardPreset {
  id: string;
  name: string;
  family: 'esp8266' | 'esp32';
  reset: PresetReset;
  /** Written into the image header; 'keep' leaves the image's own. */
  flashMode: 'keep' | 'dout' | 'dio';
  flashSize: '512KB' | '1MB' | '4MB' | 'detect';
  safeBaud: number;
  /** Adapter pin → board pin, in the order to connect them; empty for boards with USB on board. */
  wiring: readonly (readonly [adapter: string, board: string])[];
  /** Said with the wiring card; the voltage rule first. */
  notes: readonly string[];
}

const THREE_V3 =
  'Use 3.3 V only: set the adapter\u2019s jumper to 3.3 V. 5 V on VCC or on the TX line can destroy the chip.';
const MAINS =
  'Disconnect the device from mains power before opening it. Never connect the adapter while it is on mains.';

/** Header pins of a Sonoff Basic / S20 / TH (3V3, RX, TX, GND; the button is GPIO0). */
const SONOFF_WIRING = [
  ['3.3V', '3V3'],
  ['TX', 'RX'],
  ['RX', 'TX'],
  ['GND', 'GND'],
] as const;

/** A Sonoff: no auto-reset (guided), DOUT and 1 MB, the header wiring; `where` names what carries the button. */
function sonoff(id: string, name: string, where: 'board' | 'plug'): BoardPreset {
  return {
    id,
    name,
    family: 'esp8266',
    reset: 'manual',
    flashMode: 'dout',
    flashSize: '1MB',
    safeBaud: 115200,
    wiring: SONOFF_WIRING,
    notes: [THREE_V3, MAINS, `The button on the ${where} is GPIO0: hold it while the board powers up.`],
  };
}

export const BOARD_PRESETS: readonly BoardPreset[] = [
  sonoff('sonoff-basic', 'Sonoff Basic (and other ESP8266 relays with a button)', 'board'),
  sonoff('sonoff-s20', 'Sonoff S20 smart plug', 'plug'),
  sonoff('sonoff-th', 'Sonoff TH10/TH16', 'board'),
  {
    id: 'esp-01',
    name: 'ESP-01 / ESP-01S',
    family: 'esp8266',
    reset: 'manual',
    flashMode: 'dout',
    flashSize: 'detect',
    safeBaud: 115200,
    wiring: [
      ['3.3V', 'VCC and CH_PD/EN'],
      ['TX', 'RX'],
      ['RX', 'TX'],
      ['GND', 'GND'],
      ['GND (through a button or jumper)', 'GPIO0'],
    ],
    notes: [
      THREE_V3,
      'Connect GPIO0 to GND before power comes on, and remove it to run the firmware.',
      'The ESP-01 draws up to 300 mA: an FT232R\u2019s 3.3 V pin is too weak, use a separate 3.3 V supply.',
    ],
  },
  {
    id: 'nodemcu',
    name: 'NodeMCU / Wemos D1 mini',
    family: 'esp8266',
    reset: 'default',
    flashMode: 'dio',
    flashSize: '4MB',
    safeBaud: 460800,
    wiring: [],
    notes: ['Plug in the USB cable: the board\u2019s own adapter resets it into download mode.'],
  },
  {
    id: 'esp32-devkit',
    name: 'ESP32 DevKit',
    family: 'esp32',
    reset: 'default',
    flashMode: 'dio',
    flashSize: '4MB',
    safeBaud: 460800,
    wiring: [],
    notes: ['Plug in the USB cable. If it does not connect, hold BOOT while pressing EN, then release BOOT.'],
  },
  {
    id: 'esp32-native-usb',
    name: 'ESP32-C3 / ESP32-S3 (native USB)',
    family: 'esp32',
    reset: 'usb-reset',
    flashMode: 'keep',
    flashSize: 'detect',
    safeBaud: 921600,
    wiring: [],
    notes: [
      'Plug the USB cable into the port marked USB (not UART). The port may get a new number after a reset.',
    ],
  },
];

export function boardPreset(id: string): BoardPreset | undefined {
  return BOARD_PRESETS.find((p) => p.id === id);
}

/** The wiring card as lines of text (CLI, logs): adapter pin → board pin, then the notes. */
export function wiringCard(p: BoardPreset): string[] {
  const pins = p.wiring.map(([a, b]) => `  adapter ${a.padEnd(6)} \u2192 board ${b}`);
  return [`Wiring for ${p.name}:`, ...pins, ...p.notes.map((n) => `  ${n}`)];
}
