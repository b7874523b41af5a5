/**
 * The serial line between host and chip. A Linux pty or an in-memory pair has no speed limit, so for
 * honest timings every byte is paced at 10 bits (start + 8 data + stop) at the *sender's* current baud, in
 * both directions (protocol notes §7). Scheduling is per chunk: one clock timer per write or per slice of a
 * reply, never one per byte.
 *
 * A receiver listening at another baud does not get clean bytes: it gets deterministic (seeded) garbage, about
 * receiverBaud/senderBaud as many bytes as were sent. That is how the ESP8266 ROM banner printed at 74880 baud
 * looks to a host at 115200 (fixtures/real-world/trace_esp8266_garbage_during_sync_esptool669.txt: 93 bytes of
 * non-protocol data during SYNC).
 *
 * Wiring faults (swapped or shorted TX/RX), noise, dropped bytes and the unplug-after-N-bytes fault act here,
 * because that is where they act on a real bench.
 */
import type { Clock } from '../core/clock';
import type { DeviceEnd } from '../serial/memory-pair';
import { applyByteFaults } from './faults';
import type { Rng } from './rng';
import type { SimFaults } from './types';
import type { UsbPath } from './usb-path';

/** What the chip's UART receives: bytes as decoded at the chip's baud, plus what was really sent. */
export interface RxChunk {
  bytes: Buffer;
  /** True when the host sent at another baud than the chip's UART listens at. */
  garbled: boolean;
  /** The bytes the host actually sent (the ROM's autobaud looks at their shape, not their value). */
  sent: Buffer;
  senderBaud: number;
}

/** Largest slice of device→host data delivered in one timer, so the host sees a long reply arrive gradually. */
const TX_SLICE = 256;

/**
 * A UART still decodes correctly when the two ends differ by a little: the error accumulates over 10 bits and
 * must stay under about half a bit; practical links hold up to roughly 2–3 %. 2.5 % is used here, so 74880 read
 * as 76800 (CP210x quantisation, +2.6 %) garbles, as failure-diagnosis §C warns it may.
 */
export const BAUD_TOLERANCE = 0.025;

export function baudsMatch(a: number, b: number): boolean {
  return Math.abs(a / b - 1) <= BAUD_TOLERANCE;
}

export function byteTimeMs(bytes: number, baud: number): number {
  return (bytes * 10 * 1000) / baud;
}

export class LineModel {
  /** Baud of the chip's UART (both directions). */
  deviceBaud: number;
  /**
   * When false (TCP, pty without speed information) the host is assumed to listen at whatever the chip sends,
   * and to send at the chip's baud: no garbling. Pacing still uses the chip's baud.
   */
  hostBaudKnown = true;
  /** The USB bridge between host and UART (usb-path.ts); none = bytes arrive as soon as they are paced. */
  usb: UsbPath | undefined;
  private rxBusyUntil = 0;
  private txBusyUntil = 0;
  private echoBusyUntil = 0;
  /** Bytes reach the host in order: a later transmission is never delivered before an earlier one's flush. */
  private lastDeliveryAt = 0;
  private cancels = new Set<() => void>();
  private hostToDeviceCount = 0;
  private closed = false;
  readonly stats = { hostToDeviceBytes: 0, deviceToHostBytes: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly end: DeviceEnd,
    private readonly rng: Rng,
    private faults: () => SimFaults,
    private readonly onRx: (chunk: RxChunk) => void,
    initialBaud: number,
  ) {
    this.deviceBaud = initialBaud;
  }

  private hostBaud(): number {
    return this.hostBaudKnown ? this.end.hostBaudRate : this.deviceBaud;
  }

  private schedule(at: number, fn: () => void): void {
    const cancel = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => {
      this.cancels.delete(cancel);
      if (!this.closed) fn();
    });
    this.cancels.add(cancel);
  }

  /** Bytes the host wrote: they reach the chip when their last bit has arrived. */
  fromHost(chunk: Buffer): void {
    if (this.closed || chunk.length === 0) return;
    const f = this.faults();
    const senderBaud = this.hostBaud();
    const now = this.clock.now();
    if (f.shortTxRx) {
      // TX wired to RX: the host's own bytes come straight back at its own baud; the chip hears nothing.
      this.echoBusyUntil = Math.max(now, this.echoBusyUntil) + byteTimeMs(chunk.length, senderBaud);
      const copy = overrun(Buffer.from(chunk), senderBaud, f, this.rng);
      this.schedule(this.echoBusyUntil, () => this.end.send(copy));
      return;
    }
    const departs = this.usb ? this.usb.departsAt(now) : now;
    this.rxBusyUntil = Math.max(departs, this.rxBusyUntil) + byteTimeMs(chunk.length, senderBaud);
    const sent = Buffer.from(chunk);
    this.schedule(this.rxBusyUntil, () => {
      this.countHostBytes(sent.length);
      const faults = this.faults();
      if (faults.swapTxRx || faults.unpowered) return;
      const garbled =
        (this.hostBaudKnown && !baudsMatch(senderBaud, this.deviceBaud)) || this.beyondBridge(senderBaud);
      let bytes = garbled ? this.garble(sent, senderBaud, this.deviceBaud) : sent;
      bytes = overrun(applyByteFaults(bytes, this.rng, faults), senderBaud, faults, this.rng);
      this.stats.hostToDeviceBytes += sent.length;
      this.onRx({ bytes, garbled, sent, senderBaud });
    });
  }

  private countHostBytes(n: number): void {
    const limit = this.faults().unplugAfterBytes;
    this.hostToDeviceCount += n;
    if (limit !== undefined && this.hostToDeviceCount >= limit) {
      this.close();
      this.end.unplug();
    }
  }

  /**
   * Bytes the chip transmits at its current baud. Returns the time the last byte leaves the chip, so a caller
   * can switch baud only after a reply has gone out (CHANGE_BAUDRATE: replied at the old baud, then switched).
   */
  toHost(data: Uint8Array): number {
    if (this.closed || data.length === 0) return this.txBusyUntil;
    const baud = this.deviceBaud;
    const now = this.clock.now();
    let start = Math.max(now, this.txBusyUntil);
    for (let off = 0; off < data.length; off += TX_SLICE) {
      const slice = Buffer.from(data.subarray(off, Math.min(data.length, off + TX_SLICE)));
      start += byteTimeMs(slice.length, baud);
      const last = off + TX_SLICE >= data.length;
      const at = last && this.usb ? this.usb.deliveredAt(start, data.length) : start;
      this.lastDeliveryAt = Math.max(this.lastDeliveryAt, at);
      this.schedule(this.lastDeliveryAt, () => this.deliverToHost(slice, baud));
    }
    this.txBusyUntil = start;
    return start;
  }

  /** When the transmitter is idle again (all queued bytes sent). */
  get txIdleAt(): number {
    return Math.max(this.txBusyUntil, this.clock.now());
  }

  private deliverToHost(slice: Buffer, senderBaud: number): void {
    const f = this.faults();
    if (f.swapTxRx || f.unpowered) return;
    // A host whose baud is unknown hears what was sent; not "the chip's baud now", which may have changed since
    // (CHANGE_BAUDRATE's reply still held in a bridge when the chip switches).
    const hostBaud = this.hostBaudKnown ? this.end.hostBaudRate : senderBaud;
    const garbled = !baudsMatch(hostBaud, senderBaud) || this.beyondBridge(senderBaud);
    let bytes = garbled ? this.garble(slice, senderBaud, hostBaud) : slice;
    bytes = overrun(applyByteFaults(bytes, this.rng, f), hostBaud, f, this.rng);
    if (bytes.length === 0) return;
    this.stats.deviceToHostBytes += bytes.length;
    this.end.send(bytes);
  }

  /** A rate the bridge's UART cannot generate: the bytes on the wire are at some other rate, i.e. garbage. */
  private beyondBridge(baud: number): boolean {
    return !!this.usb && !this.usb.carries(baud);
  }

  /**
   * What a UART at `rxBaud` makes of bytes sent at `txBaud`: start bits land in the wrong places, so both the
   * count and the values change. Values mix the sent byte with the seeded generator (deterministic per seed).
   */
  private garble(sent: Buffer, txBaud: number, rxBaud: number): Buffer {
    const n = Math.max(1, Math.round((sent.length * rxBaud) / txBaud));
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) {
      const src = sent[Math.min(sent.length - 1, Math.floor((i * txBaud) / rxBaud))]!;
      out[i] = (Math.imul(src, 0x5b) ^ this.rng.int(256) ^ (src >>> 3)) & 0xff;
    }
    return out;
  }

  /** Drops everything in flight (power loss, detach). */
  reset(): void {
    for (const c of this.cancels) c();
    this.cancels.clear();
    const now = this.clock.now();
    this.rxBusyUntil = this.txBusyUntil = this.echoBusyUntil = this.lastDeliveryAt = now;
  }

  close(): void {
    this.closed = true;
    this.reset();
  }
}

/** Share of bytes an adapter loses above its limit (SimFaults.adapterMaxBaud). [guess] */
const ADAPTER_OVERRUN_DROP = 0.1;

/** What an adapter run faster than it can go delivers: some bytes lost, seeded. */
function overrun(bytes: Buffer, baud: number, f: SimFaults, rng: Rng): Buffer {
  if (f.adapterMaxBaud === undefined || baud <= f.adapterMaxBaud) return bytes;
  return applyByteFaults(bytes, rng, { dropRate: ADAPTER_OVERRUN_DROP });
}
