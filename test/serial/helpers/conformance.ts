/**
 * The one Transport conformance suite (node-serialport runs one bindings suite over every binding; so do we).
 * Each implementation supplies a rig: the host Transport plus a "far end" that plays the device. What a far end
 * cannot observe (DTR/RTS on a pty or over TCP, baud over TCP) is declared with the reason, and the suite checks
 * the documented substitute behaviour instead (ENOTTY tolerated and logged once; signals logged as unsent).
 */
import { describe, expect, it, afterEach } from 'vitest';
import type { KilnError } from '../../../src-main/core/errors';
import type { Signals, Transport } from '../../../src-main/serial/transport';

export interface FarEnd {
  send(bytes: Uint8Array): Promise<void>;
  /** Resolves with the first `n` bytes the host wrote (accumulated since the rig opened). */
  receive(n: number): Promise<Buffer>;
  /** The far side goes away: cable pulled, socat killed, bridge dropped the connection. */
  lose(): Promise<void>;
  /** Every DTR/RTS pair the far end saw, or undefined when it cannot see them. */
  observedSignals?(): Signals[];
  /** The baud the far end sees the host using, when observable. */
  observedBaud?(): Promise<number>;
  /** Resolves when the far end notices the host closed. */
  hostClosed?(): Promise<void>;
}

export interface Rig {
  host: Transport;
  far: FarEnd;
  /** Messages the host transport logged. */
  logs: string[];
  cleanup(): Promise<void>;
}

export interface ConformanceTarget {
  name: string;
  open(): Promise<Rig>;
  /** How the far end sees DTR/RTS; when not observable, the log line the transport must write (once). */
  signals: { observable: true } | { observable: false; reason: string; logOnce: RegExp };
  baud: { observable: true } | { observable: false; reason: string };
  lines: Transport['info']['lines'];
}

function collect(host: Transport): { bytes: () => Buffer; waitFor: (n: number) => Promise<Buffer> } {
  const chunks: Buffer[] = [];
  let total = 0;
  let waiter: { n: number; resolve: (b: Buffer) => void } | undefined;
  host.onData((c) => {
    chunks.push(c);
    total += c.length;
    if (waiter && total >= waiter.n) {
      const w = waiter;
      waiter = undefined;
      w.resolve(Buffer.concat(chunks));
    }
  });
  return {
    bytes: () => Buffer.concat(chunks),
    waitFor: (n) =>
      total >= n
        ? Promise.resolve(Buffer.concat(chunks))
        : new Promise((resolve) => (waiter = { n, resolve })),
  };
}

/** Rejects if `p` has not settled after `ms`: the bound the spec gives (e.g. DEVICE_LOST within 2 s). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/** Every byte value, in an order that exercises SLIP specials (C0, DB) next to each other. */
export function patternBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 167 + (i >> 8)) & 0xff;
  return b;
}

export function runTransportConformance(target: ConformanceTarget): void {
  describe(`Transport conformance: ${target.name}`, () => {
    let rig: Rig | undefined;
    const open = async () => (rig = await target.open());
    afterEach(async () => {
      await rig?.cleanup();
      rig = undefined;
    });

    it(`reports lines = '${target.lines}'`, async () => {
      const { host } = await open();
      expect(host.info.lines).toBe(target.lines);
      expect(host.isOpen).toBe(true);
    });

    it('delivers host writes to the far end complete and in order', async () => {
      const { host, far } = await open();
      const data = patternBytes(20_000);
      const sizes = [1, 2, 7, 64, 255, 256, 1000, 4096, 14319];
      let off = 0;
      for (const size of sizes) {
        await host.write(data.subarray(off, off + size));
        off += size;
      }
      expect(off).toBe(data.length);
      expect((await within(far.receive(data.length), 5000, 'far-end receipt')).equals(data)).toBe(true);
    });

    it('delivers far-end bytes to every onData listener in arrival order', async () => {
      const { host, far } = await open();
      const first = collect(host);
      const second = collect(host);
      const data = patternBytes(12_000);
      for (let off = 0; off < data.length; off += 1500) await far.send(data.subarray(off, off + 1500));
      expect((await within(first.waitFor(data.length), 5000, 'host receipt')).equals(data)).toBe(true);
      expect((await second.waitFor(data.length)).equals(data)).toBe(true);
    });

    it('sets DTR and RTS together', async () => {
      const { host, far, logs } = await open();
      const steps: Signals[] = [
        { dtr: false, rts: true },
        { dtr: true, rts: false },
        { dtr: true, rts: true },
        { dtr: false, rts: false },
      ];
      for (const s of steps) await host.setSignals(s);
      if (target.signals.observable) {
        expect(far.observedSignals?.()).toEqual(steps);
      } else {
        // Not observable here (the reason is in the target); what we can check is that each call resolved and the
        // substitute behaviour was logged exactly once, not once per call.
        const pattern = target.signals.logOnce;
        expect(logs.filter((l) => pattern.test(l))).toHaveLength(1);
      }
      // The port still carries data after the line changes.
      await host.write(Buffer.from([0xc0, 0x55, 0xc0]));
      expect([...(await within(far.receive(3), 3000, 'receipt after signals'))]).toEqual([0xc0, 0x55, 0xc0]);
    });

    it('changes baud without reopening and keeps carrying data both ways', async () => {
      const { host, far } = await open();
      const received = collect(host);
      await host.setBaudRate(921600);
      expect(host.baudRate).toBe(921600);
      if (target.baud.observable) expect(await far.observedBaud!()).toBe(921600);
      await host.setBaudRate(460800);
      expect(host.baudRate).toBe(460800);
      if (target.baud.observable) expect(await far.observedBaud!()).toBe(460800);
      expect(host.isOpen).toBe(true);
      await host.write(Buffer.from('after baud change'));
      expect((await within(far.receive(17), 3000, 'far receipt')).toString()).toBe('after baud change');
      await far.send(Buffer.from('reply'));
      expect((await within(received.waitFor(5), 3000, 'host receipt')).toString()).toBe('reply');
    });

    it('close(): onClose(undefined) exactly once, then every operation rejects', async () => {
      const { host, far } = await open();
      const closes: (KilnError | undefined)[] = [];
      host.onClose((e) => closes.push(e));
      const farSawClose = far.hostClosed?.();
      await host.close();
      expect(host.isOpen).toBe(false);
      await host.close(); // second close is a no-op
      expect(closes).toEqual([undefined]);
      await expect(host.write(Buffer.from([1]))).rejects.toMatchObject({ code: 'PORT_OPEN_FAILED' });
      if (farSawClose) await within(farSawClose, 2000, 'far end seeing the close');
    });

    it('far-side loss: onClose gets DEVICE_LOST naming the port within 2 s, later writes reject with it', async () => {
      const { host, far } = await open();
      const path = host.info.path;
      const lost = new Promise<KilnError | undefined>((resolve) => host.onClose(resolve));
      const closes: (KilnError | undefined)[] = [];
      host.onClose((e) => closes.push(e));
      await far.lose();
      const error = await within(lost, 2000, 'DEVICE_LOST');
      expect(error?.code).toBe('DEVICE_LOST');
      expect(error?.message).toBe(`The device on ${path} disappeared.`);
      expect(error?.details?.port).toBe(path);
      expect(error?.hint).toMatch(/cable/);
      expect(host.isOpen).toBe(false);
      await expect(host.write(Buffer.from([0xc0]))).rejects.toBe(error);
      await expect(host.setSignals({ dtr: false, rts: false })).rejects.toBe(error);
      await expect(host.setBaudRate(115200)).rejects.toBe(error);
      await host.close(); // closing a lost port is harmless and reports nothing more
      expect(closes).toEqual([error]);
    });

    it('discardInput resolves on an open port and the port keeps working', async () => {
      const { host, far } = await open();
      await host.discardInput();
      const received = collect(host);
      await far.send(Buffer.from('ok'));
      expect((await within(received.waitFor(2), 3000, 'host receipt')).toString()).toBe('ok');
    });
  });
}
