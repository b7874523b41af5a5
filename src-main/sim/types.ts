/**
 * Public types of the device simulator. The simulator is product code (virtual devices in the app,
 * `kiln sim`, benchmarks, tests); these names are the contract the engine and the CLI are written against.
 */
import type { Clock } from '../core/clock';
import type { FlashWiring } from './flash-wiring';
import type { SimFirmware } from './firmware-marker';
import type { SimNetwork } from './sim-network';
import type { KnownStub } from './stub-catalogue';
import type { UsbPathOptions } from './usb-path';

export type SimChip = 'esp8266' | 'esp32' | 'esp32c3' | 'esp32s3' | 'esp32c6';

/**
 * How the host's DTR/RTS reach the chip:
 * - 'nodemcu': the two-transistor auto-reset circuit of NodeMCU/DevKit boards (protocol notes §3).
 * - 'no-auto-reset': Sonoff Basic, ESP-01 on a bare adapter — the lines are not connected at all.
 * - 'usb-jtag-serial': the built-in USB-Serial/JTAG of the ESP32-C3, -S3 and -C6 (303a:1001), which emulates the circuit.
 * - 'reset-only': RTS reaches EN but nothing drives GPIO0 (ESP-01 programmers with only a reset wire, or a
 *   NodeMCU whose DTR transistor is dead): every reset boots from flash and prints the boot banner.
 */
export type BoardWiring = 'nodemcu' | 'no-auto-reset' | 'usb-jtag-serial' | 'reset-only';

export interface SimFaults {
  /** TX and RX crossed wrongly: the host hears nothing and the chip hears nothing. */
  swapTxRx?: boolean;
  /** TX and RX shorted together (or both wires on one pin): the host hears its own bytes back. */
  shortTxRx?: boolean;
  /** No supply: total silence, lines do nothing. */
  unpowered?: boolean;
  /** Probability that a byte (either direction) has one bit flipped. Seeded. */
  noiseRate?: number;
  /** Probability that a byte (either direction) is lost. Seeded. */
  dropRate?: number;
  /** The cable is pulled once this many host→device bytes have arrived. */
  unplugAfterBytes?: number;
  /** Every flash program operation fails (ROM status 0x08, stub FAILED_SPI_OP 0xC4). */
  flashWriteError?: boolean;
  /** Multiplies every flash timing (a slow or worn flash chip). */
  slowFlashFactor?: number;
  /** Firmware is running and the reset circuit is missing: readable app text, never download mode. */
  appRunning?: boolean;
  /** Supply sags: the chip boot-loops (ESP32: "Brownout detector was triggered"). */
  brownout?: boolean;
  /**
   * The ROM's baud detection fails for SYNCs sent faster than this (they stay garbage and detection stays armed).
   * Not a documented ROM limit — none is known — but what a marginal bench looks like: a CH340 or long wires
   * at 921600 (esptool#435, esp8266/Arduino#97), autobaud "a little less reliable at very high speeds" (esptool#365).
   */
  autobaudMaxBaud?: number;
  /**
   * The USB adapter itself loses bytes above this rate, both ways ("fall back to 460800/115200 on data errors",
   * failure-diagnosis §C for the CH340). Modelled as one byte in ADAPTER_OVERRUN_DROP lost [guess]. The loopback
   * self-test sees it with the jumper on the adapter.
   */
  adapterMaxBaud?: number;
}

/** SPI NOR timing model (protocol notes §7, marked [guess] there: typical datasheet figures). */
export interface FlashTiming {
  /** One 4 KB sector erase. */
  sectorEraseMs: number;
  /** One aligned 64 KB block erase. */
  blockEraseMs: number;
  /** Programming one 256-byte page. */
  pageProgramMs: number;
  /** Whole-chip erase, per 4 MB of capacity. */
  chipEraseMsPer4MB: number;
  /** The ROM's reading (MD5, READ_FLASH_SLOW) per KB: [guess] ~2 MB/s; the stubs' rate is in stub-timing.ts. */
  readMsPerKB: number;
}

export const DEFAULT_TIMING: FlashTiming = {
  sectorEraseMs: 45,
  blockEraseMs: 150,
  pageProgramMs: 0.7,
  chipEraseMsPer4MB: 10_000,
  readMsPerKB: 0.5,
};

export interface SimOptions {
  chip: SimChip;
  clock: Clock;
  /** Flash capacity in bytes, default 4 MB. */
  flashSize?: number;
  /** Default 'nodemcu' for every chip (the C3's USB-Serial/JTAG only when asked). */
  board?: BoardWiring;
  /** no-auto-reset boards: GPIO0 held low (the button) at power-up. */
  buttonHeld?: boolean;
  /**
   * The board has its own supply, worked by virtual hands (sim/hands.ts): it is powered from creation, and opening
   * the port neither powers nor resets it, so its banner comes only at a power-up or a RESET press.
   */
  poweredByHand?: boolean;
  /** Station MAC 'aa:bb:cc:dd:ee:ff'; default derived from the seed. */
  mac?: string;
  /** Seeds the MAC, noise, drops and garbling. Default 1. */
  seed?: number;
  faults?: SimFaults;
  timing?: Partial<FlashTiming>;
  /** Initial flash contents, written at offset 0 (the rest stays erased 0xFF). */
  flashImage?: Uint8Array;
  /**
   * Which read modes the board's flash answers (ESP8266 boot only; see flash-wiring.ts for fact vs guess).
   * Default 'qio' (every mode). 'dout' is an ESP8285/Sonoff: an image whose header asks for QIO, QOUT or DIO is
   * written and verified fine but does not boot.
   */
  flashWiring?: FlashWiring;
  /**
   * What the ESP8266 ROM's baud detection makes of a SYNC faster than 115200 (the engine's first SYNC at the data baud;
   * esptool itself always syncs at 115200). See HIGH_BAUD_SYNC in device.ts for the evidence; default 'works'.
   */
  highBaudSync?: HighBaudSync;
  /**
   * [guess] Whether the ESP32-family ROM writes a rate it was moved to into its `UartDev.baud_rate` — the field an
   * esp-flasher-stub ≥ v1.1.0 reads at start to reprogram the UART (stub-catalogue.ts `uartAtStart`). Default
   * false: the ROM's download loop sets the divider only (uart_div_modify) and the field keeps its boot value,
   * 115200, so the stub greets at 115200 whatever rate the ROM had. True: a SYNC autobaud lock records the
   * measured rate and CHANGE_BAUDRATE records the number it was sent (on the ESP32 esptool's crystal-scaled
   * figure, a few percent off the rate the ROM then really runs at). No source settles either; this keeps both
   * testable.
   */
  romRecordsChangedBaud?: boolean;
  /**
   * Stubs to recognise besides the published ones (stub-catalogue.ts): a team's own build of a flasher stub,
   * described by the same facts and run with its family's behaviour.
   */
  extraStubs?: readonly KnownStub[];
  /**
   * The USB bridge between host and chip (usb-path.ts): its flush latency and its highest baud. Default none:
   * bytes reach the host as soon as the line has paced them, as over a pty.
   */
  usbPath?: UsbPathOptions;
  /** Starts with this firmware in flash (a marked image, firmware-marker.ts) unless flashImage is given. */
  firmware?: SimFirmware;
  /** The Wi-Fi and MQTT broker a flashed firmware console sees (sim-network.ts); default the process's shared one. */
  network?: SimNetwork;
}

/**
 * - 'works': the ROM locks onto the fast rate and answers there;
 * - 'ignored': detection does not lock above 115200: the fast SYNCs go unanswered, a 115200 SYNC still works;
 * - 'garbled': the ROM locks onto a wrong rate (a few percent off), so what follows is garbage both ways.
 */
export type HighBaudSync = 'works' | 'ignored' | 'garbled';

export type DeviceMode = 'off' | 'download' | 'stub' | 'app' | 'flash-boot';
