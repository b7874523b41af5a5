/**
 * The USB path between the host and the chip's UART: the bridge chip (or the ESP's own USB-Serial/JTAG) and the
 * USB transfers around it. A pty or memory pair delivers every byte the instant the line has paced it; a real
 * bridge holds what the chip sends until a USB packet goes, and that wait — not the baud — is what limits a
 * protocol that waits for a small reply after every block (issue 11).
 *
 * Two ways a bridge lets bytes go to the host:
 * - 'timer': FTDI. A full USB packet goes at once; a partial one waits for the latency timer, which keeps running
 *   (with an empty buffer the chip sends two status bytes every period), so a short reply waits for the next
 *   tick. Default 16 ms, 1 ms in low-latency mode (FTDI AN232B-04 "Data Throughput, Latency and Handshaking",
 *   §3 latency timer; Linux ftdi_sio sysfs `latency_timer`). Ticks counted from the port's opening: [guess] at
 *   the phase.
 * - 'idle': CP210x, CH34x, native USB. The bridge sends what it has once its UART has been idle for a short
 *   time; `upMs` is that delay plus the host's pick-up.
 * Host → chip: one OUT transfer's scheduling before the first bit leaves the bridge (`downMs`).
 * `maxBaud` is the highest rate the bridge's UART generates (datasheets); above it the bridge cannot make the rate
 * and what crosses the line is garbage, as a wrong baud is.
 */
import { KilnError } from '../core/errors';

export type SimBridge = 'ft232r' | 'ft2232h' | 'cp2102' | 'cp2102n' | 'ch340' | 'ch343' | 'usb-jtag-serial';

export interface BridgeFacts {
  flush: 'timer' | 'idle';
  /** 'timer': default latency timer period; 'idle': the bridge's idle flush plus the host's pick-up. */
  upMs: number;
  /** Payload bytes of one USB IN packet (FTDI: packet size minus its 2 status bytes). */
  packetBytes: number;
  /** Host write → first bit on the chip's RX. */
  downMs: number;
  /** Highest UART rate the bridge can generate; Infinity where the baud is nominal (native USB). */
  maxBaud: number;
}

/** Every figure's source, or [guess]; docs/SIMULATOR.md repeats them row by row. */
export const BRIDGE_FACTS: Record<SimBridge, BridgeFacts> = {
  // DS_FT232R: 300 baud–3 Mbaud, full-speed, 64-byte packets with 2 status bytes (AN232B-04). downMs [guess].
  ft232r: { flush: 'timer', upMs: 16, packetBytes: 62, downMs: 1, maxBaud: 3_000_000 },
  // DS_FT2232H: high-speed, up to 12 Mbaud, 512-byte packets with 2 status bytes. downMs [guess].
  ft2232h: { flush: 'timer', upMs: 16, packetBytes: 510, downMs: 0.25, maxBaud: 12_000_000 },
  // CP2102 datasheet: 300 bps–1 Mbps; full speed, 64-byte packets. upMs, downMs [guess].
  cp2102: { flush: 'idle', upMs: 1, packetBytes: 64, downMs: 1, maxBaud: 1_000_000 },
  // CP2102N datasheet: up to 3 Mbaud. upMs, downMs [guess].
  cp2102n: { flush: 'idle', upMs: 1, packetBytes: 64, downMs: 1, maxBaud: 3_000_000 },
  // CH340 datasheet: 50 bps–2 Mbps; full speed, 32-byte bulk packets. upMs, downMs [guess].
  ch340: { flush: 'idle', upMs: 2, packetBytes: 32, downMs: 1, maxBaud: 2_000_000 },
  // CH343 datasheet: up to 6 Mbps; full speed, 64-byte packets. upMs, downMs [guess].
  ch343: { flush: 'idle', upMs: 1, packetBytes: 64, downMs: 1, maxBaud: 6_000_000 },
  // ESP32-C3/S3/C6 USB-Serial/JTAG: full-speed CDC, 64-byte endpoint (ESP-IDF usb_serial_jtag docs); the baud
  // is nominal. upMs, downMs [guess]: one USB frame.
  'usb-jtag-serial': { flush: 'idle', upMs: 1, packetBytes: 64, downMs: 1, maxBaud: Infinity },
};

export const SIM_BRIDGES = Object.keys(BRIDGE_FACTS) as SimBridge[];

export interface UsbPathOptions {
  bridge: SimBridge;
  /** FTDI only: the latency timer in ms (1–255; 16 is the default, 1 low-latency). */
  latencyMs?: number;
}

export class UsbPath {
  readonly facts: BridgeFacts;
  private readonly upMs: number;

  constructor(readonly options: UsbPathOptions) {
    this.facts = BRIDGE_FACTS[options.bridge];
    const latency = options.latencyMs;
    if (latency !== undefined && this.facts.flush !== 'timer')
      throw new KilnError('BAD_REQUEST', `A ${options.bridge} bridge has no latency timer.`, {
        hint: 'latency= applies to the FTDI bridges: ft232r, ft2232h.',
      });
    if (latency !== undefined && !(Number.isInteger(latency) && latency >= 1 && latency <= 255))
      throw new KilnError('BAD_REQUEST', `latency=${latency} is not a latency timer setting.`, {
        hint: 'FTDI latency timers take 1–255 ms; 16 is the default, 1 is low-latency.',
      });
    this.upMs = latency ?? this.facts.upMs;
  }

  /**
   * When the host receives the bytes of one chip transmission of `bytes` bytes whose last byte reached the
   * bridge at `end`: at once when it filled its last packet exactly, else at the flush.
   */
  deliveredAt(end: number, bytes: number): number {
    const partial = bytes % this.facts.packetBytes !== 0;
    if (!partial) return end;
    if (this.facts.flush === 'timer') return Math.ceil(end / this.upMs) * this.upMs;
    return end + this.upMs;
  }

  /** When a host write starts on the chip's RX line. */
  departsAt(now: number): number {
    return now + this.facts.downMs;
  }

  /** True when the bridge can generate this rate on its UART. */
  carries(baud: number): boolean {
    return baud <= this.facts.maxBaud;
  }
}
