/**
 * How the host's DTR/RTS lines reach the chip's EN (reset) and GPIO0 (boot strap) pins.
 *
 * - nodemcu: the two-transistor circuit of NodeMCU/DevKit boards (protocol notes §3, failure-diagnosis §B):
 *   EN is low when RTS=1 and DTR=0; IO0 is low when DTR=1 and RTS=0; equal lines drive neither. When EN rises
 *   the chip samples IO0: low → UART download mode, high → boot from flash. Both lines change in one call here
 *   (one TIOCMSET on Unix), so Classic's "DTR1 RTS0" releases EN and pulls IO0 low at the same instant, which
 *   the real board's RC delay on EN turns into download mode.
 * - no-auto-reset: Sonoff Basic / ESP-01 on a bare adapter: the lines are not wired. Only a power cycle resets.
 * - reset-only: RTS → EN only; GPIO0 is never driven, so every reset is a flash boot (the "not in download
 *   mode" fault on an auto-reset board).
 * - usb-jtag-serial: the ESP32-C3's USB-Serial/JTAG peripheral emulates the same circuit in silicon; esptool's
 *   sequence (R0 D0, D1 R0, R1 D0 R1, D0 R0) goes through (1,1) instead of (0,0). Model [guess at the latch
 *   detail]: DTR=1,RTS=0 latches "download requested"; RTS=1,DTR=0 holds the core in reset; leaving reset boots
 *   in download mode if the latch is set (then clears it). A core reset does not re-sample the physical strap.
 */
import type { Signals } from '../serial/transport';
import type { ResetCause } from './boot-text';
import type { BoardWiring } from './types';

export interface ResetEvents {
  /** The chip is held in reset (EN low). */
  hold(): void;
  /** The chip leaves reset and boots. */
  boot(download: boolean, cause: ResetCause): void;
}

export class ResetCircuit {
  private enLow = false;
  private downloadLatch = false;

  constructor(
    readonly wiring: BoardWiring,
    private readonly events: ResetEvents,
  ) {}

  /** Levels now: EN low (held in reset)? IO0 low? */
  static nodemcuPins(s: Signals): { enLow: boolean; io0Low: boolean } {
    return { enLow: s.rts && !s.dtr, io0Low: s.dtr && !s.rts };
  }

  /** Forget line history (after a power cycle: the transistors follow the lines, nothing is latched). */
  resync(s: Signals): void {
    this.enLow =
      this.wiring === 'no-auto-reset' ? false : this.wiring === 'reset-only' ? s.rts : s.rts && !s.dtr;
    this.downloadLatch = false;
  }

  /** IO0 level as the strap sees it at power-up, for boards whose lines drive it. */
  io0LowAtPowerUp(s: Signals): boolean {
    return this.wiring === 'nodemcu' && ResetCircuit.nodemcuPins(s).io0Low;
  }

  get heldInReset(): boolean {
    return this.enLow;
  }

  onSignals(s: Signals): void {
    if (this.wiring === 'no-auto-reset') return;
    if (this.wiring === 'reset-only') {
      // One transistor (or a direct wire) from RTS to EN; GPIO0 floats high through its pull-up.
      if (s.rts && !this.enLow) {
        this.enLow = true;
        this.events.hold();
      } else if (!s.rts && this.enLow) {
        this.enLow = false;
        this.events.boot(false, 'reset-pin');
      }
      return;
    }
    if (this.wiring === 'nodemcu') {
      const { enLow, io0Low } = ResetCircuit.nodemcuPins(s);
      if (enLow && !this.enLow) {
        this.enLow = true;
        this.events.hold();
      } else if (!enLow && this.enLow) {
        this.enLow = false;
        this.events.boot(io0Low, 'reset-pin');
      }
      return;
    }
    // usb-jtag-serial
    if (s.dtr && !s.rts) this.downloadLatch = true;
    const reset = s.rts && !s.dtr;
    if (reset && !this.enLow) {
      this.enLow = true;
      this.events.hold();
    } else if (!reset && this.enLow) {
      this.enLow = false;
      const download = this.downloadLatch;
      this.downloadLatch = false;
      this.events.boot(download, 'usb-core-reset');
    }
  }
}
