/**
 * What a simulated firmware may use of its board: the UART (paced by the line model), timers that die with the
 * chip's power, a restart, its MAC, settings kept in flash across restarts, and the network around it.
 */
import type { Clock } from '../core/clock';
import type { SimNetwork } from './sim-network';
import type { SimChip } from './types';

export interface FirmwareHost {
  readonly clock: Clock;
  readonly chip: SimChip;
  /** 'aa:bb:cc:dd:ee:ff' */
  readonly mac: string;
  readonly macBytes: readonly number[];
  readonly network: SimNetwork;
  /** The firmware's saved settings (Tasmota keeps them in flash, ESPHome its Wi-Fi in NVS/EEPROM): survive restarts. */
  readonly settings: Map<string, string>;
  send(bytes: Buffer): void;
  /** Runs fn after ms unless the chip is reset or loses power first. */
  later(ms: number, fn: () => void): void;
  /** A software restart (the chip boots from flash again). */
  restart(): void;
}

export interface FirmwareConsole {
  receive(bytes: Buffer): void;
}
