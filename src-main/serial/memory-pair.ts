/**
 * An in-memory Transport pair: the host end is a full Transport, the device end is what a simulated board
 * sees — the host's bytes, DTR/RTS changes and baud changes — plus a way to send bytes back. It records
 * every signal change (binding-mock's `set()` ignores them), so reset sequences can be asserted on.
 * No pacing happens here; the simulator's line model owns timing.
 */
import { KilnError } from '../core/errors';
import type { Signals, Transport, TransportInfo } from './transport';

export interface DeviceEnd {
  /** Bytes the host wrote, in order. */
  onHostData(listener: (chunk: Buffer) => void): () => void;
  onSignals(listener: (signals: Signals) => void): () => void;
  onBaudRate(listener: (baud: number) => void): () => void;
  onHostClose(listener: () => void): () => void;
  /** Delivers bytes to the host's onData listeners. */
  send(chunk: Uint8Array): void;
  /** Simulates the cable being pulled: the host sees DEVICE_LOST. */
  unplug(): void;
  readonly hostBaudRate: number;
  readonly hostSignals: Signals;
  readonly hostOpen: boolean;
}

export interface SignalRecord {
  signals: Signals;
  /** Sequence number, so tests can compare orderings without a clock. */
  seq: number;
}

export interface MemoryPair {
  host: Transport;
  device: DeviceEnd;
  /** Every setSignals call the host made, in order. */
  signalLog: SignalRecord[];
}

class Emitter<T> {
  private listeners = new Set<(v: T) => void>();
  on(fn: (v: T) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  emit(v: T): void {
    for (const fn of [...this.listeners]) fn(v);
  }
}

export function createMemoryPair(
  opts: {
    path?: string;
    baudRate?: number;
    lines?: TransportInfo['lines'];
    usbId?: string;
    /** False: a tty without modem lines (a pty): DTR/RTS changes are accepted and go nowhere, as on Linux. */
    modemLines?: false;
  } = {},
): MemoryPair {
  const info: TransportInfo = { path: opts.path ?? 'memory', lines: opts.lines ?? 'uart' };
  if (opts.usbId) info.usbId = opts.usbId;
  const toHost = new Emitter<Buffer>();
  const toDevice = new Emitter<Buffer>();
  const signalsEv = new Emitter<Signals>();
  const baudEv = new Emitter<number>();
  const hostCloseEv = new Emitter<void>();
  const closeEv = new Emitter<KilnError | undefined>();
  const signalLog: SignalRecord[] = [];
  let baud = opts.baudRate ?? 115200;
  let signals: Signals = { dtr: false, rts: false };
  let open = true;
  let lostError: KilnError | undefined;
  let noLinesSeen = false;

  const lost = () =>
    new KilnError('DEVICE_LOST', `The device on ${info.path} disappeared.`, {
      hint: 'Check the USB cable and plug the board in again; the next flash resumes where this one stopped.',
      details: { port: info.path },
    });

  const host: Transport = {
    info,
    get baudRate() {
      return baud;
    },
    get isOpen() {
      return open;
    },
    get modemLines() {
      return noLinesSeen ? false : undefined;
    },
    async write(data) {
      if (lostError) throw lostError;
      if (!open) throw new KilnError('PORT_OPEN_FAILED', `${info.path} is closed.`);
      toDevice.emit(Buffer.from(data));
    },
    onData: (l) => toHost.on(l),
    onClose: (l) => closeEv.on(l),
    async setSignals(s) {
      if (lostError) throw lostError;
      if (opts.modemLines === false) {
        noLinesSeen = true;
        return;
      }
      signals = { dtr: s.dtr, rts: s.rts };
      signalLog.push({ signals: { ...signals }, seq: signalLog.length });
      signalsEv.emit({ ...signals });
    },
    async setBaudRate(b) {
      if (lostError) throw lostError;
      baud = b;
      baudEv.emit(b);
    },
    async discardInput() {},
    async close() {
      if (!open) return;
      open = false;
      hostCloseEv.emit();
      closeEv.emit(undefined);
    },
  };

  const device: DeviceEnd = {
    onHostData: (l) => toDevice.on(l),
    onSignals: (l) => signalsEv.on(l),
    onBaudRate: (l) => baudEv.on(l),
    onHostClose: (l) => hostCloseEv.on(l),
    send(chunk) {
      if (open && !lostError) toHost.emit(Buffer.from(chunk));
    },
    unplug() {
      if (lostError || !open) return;
      lostError = lost();
      open = false;
      closeEv.emit(lostError);
    },
    get hostBaudRate() {
      return baud;
    },
    get hostSignals() {
      return { ...signals };
    },
    get hostOpen() {
      return open;
    },
  };

  return { host, device, signalLog };
}
