/**
 * The seam between the flashing engine and the wire (esp-serial-flasher's port table, node-serialport's
 * bindings interface). `esp/` imports only this file from `serial/`. Implementations: the in-memory pair
 * (simulator in-process), node `serialport` (real adapters and ptys), TCP (`socket://host:port`).
 *
 * Semantics every implementation keeps (checked by the shared conformance suite in test/serial/):
 * - `write` resolves once the bytes are handed to the OS/peer; writes never overlap (callers await).
 * - Received bytes are pushed to every `onData` listener in arrival order, as Buffers owned by the listener.
 * - `setSignals` always sets DTR and RTS together (serialport's `set()` defaults omitted lines to true).
 * - `setBaudRate` changes speed without reopening.
 * - When the far side goes away, `onClose` listeners get a DEVICE_LOST KilnError naming the port and every
 *   later `write` rejects with that error. A `close()` we asked for gives `onClose(undefined)`.
 */
import type { KilnError } from '../core/errors';

export interface Signals {
  /** Data Terminal Ready, true = asserted (the line is driven low on a typical adapter). */
  dtr: boolean;
  /** Request To Send, true = asserted. */
  rts: boolean;
}

export interface TransportInfo {
  /** What the user would call this port: `/dev/ttyUSB0`, `socket://127.0.0.1:4000`, `sim:esp8266`. */
  path: string;
  /** How DTR/RTS reach the board: 'uart' (reset circuit via DTR/RTS), 'usb-jtag-serial' (Espressif native), 'none' (TCP bridge: no lines). */
  lines: 'uart' | 'usb-jtag-serial' | 'none';
  /** USB vendor:product in lower-case hex when known, e.g. '10c4:ea60'. */
  usbId?: string;
}

export interface Transport {
  readonly info: TransportInfo;
  readonly baudRate: number;
  readonly isOpen: boolean;
  /**
   * False once setting DTR/RTS showed the tty has no modem lines at all (a pty: ENOTTY), so no reset can ever reach
   * the chip through it; undefined while nothing says so.
   */
  readonly modemLines?: boolean | undefined;
  write(data: Uint8Array): Promise<void>;
  onData(listener: (chunk: Buffer) => void): () => void;
  onClose(listener: (error: KilnError | undefined) => void): () => void;
  setSignals(signals: Signals): Promise<void>;
  setBaudRate(baud: number): Promise<void>;
  /** Drops bytes the OS has received but not yet delivered (best effort). */
  discardInput(): Promise<void>;
  close(): Promise<void>;
}
