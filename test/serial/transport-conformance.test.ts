/**
 * The Transport conformance suite over (a) the in-memory pair, (b) a real pty pair through node serialport,
 * (c) a TCP connection to a local server. A real adapter with a TX-RX loopback jumper is exercised by
 * serial-loopback.test.ts when KILN_TEST_LOOPBACK_PORT names it.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { openSerialPort } from '../../src-main/serial/serialport-transport';
import { openTcpTransport } from '../../src-main/serial/tcp-transport';
import type { Signals } from '../../src-main/serial/transport';
import { runTransportConformance, type FarEnd } from './helpers/conformance';
import { createPtyPair } from './helpers/pty-pair';

const execFileAsync = promisify(execFile);

/** Accumulates bytes and resolves `receive(n)` once n have arrived. */
function byteSink() {
  const chunks: Buffer[] = [];
  let total = 0;
  const waiters: { n: number; resolve: (b: Buffer) => void }[] = [];
  return {
    push(c: Buffer) {
      chunks.push(Buffer.from(c));
      total += c.length;
      for (const w of [...waiters]) {
        if (total >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(Buffer.concat(chunks).subarray(0, w.n));
        }
      }
    },
    receive(n: number): Promise<Buffer> {
      if (total >= n) return Promise.resolve(Buffer.concat(chunks).subarray(0, n));
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}

runTransportConformance({
  name: 'in-memory pair',
  lines: 'uart',
  signals: { observable: true },
  baud: { observable: true },
  async open() {
    const { host, device, signalLog } = createMemoryPair({ path: 'memory:test' });
    const sink = byteSink();
    device.onHostData((c) => sink.push(c));
    const hostClosed = new Promise<void>((resolve) => device.onHostClose(resolve));
    const far: FarEnd = {
      send: async (b) => device.send(b),
      receive: (n) => sink.receive(n),
      lose: async () => device.unplug(),
      observedSignals: (): Signals[] => signalLog.map((r) => r.signals),
      observedBaud: async () => device.hostBaudRate,
      hostClosed: () => hostClosed,
    };
    return { host, far, logs: [], cleanup: () => host.close() };
  },
});

runTransportConformance({
  name: 'node serialport over a socat pty pair',
  lines: 'uart',
  signals: {
    observable: false,
    reason:
      'a pty has no modem lines: TIOCMSET fails with ENOTTY, which the transport tolerates like esptool',
    logOnce: /no modem control lines \(.*Inappropriate ioctl/,
  },
  // The pty keeps the termios speed we set (not enforced on the bytes), and `stty -F` reads it from outside.
  baud: { observable: true },
  async open() {
    const pair = await createPtyPair();
    const logs: string[] = [];
    const host = await openSerialPort(pair.a, { baudRate: 115200, log: (m) => logs.push(m) });
    const farPort = new SerialPort({ path: pair.b, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => farPort.open((e) => (e ? reject(e) : resolve())));
    farPort.on('error', () => undefined); // the far port dies with socat in the loss test
    const sink = byteSink();
    farPort.on('data', (c: Buffer) => sink.push(c));
    const far: FarEnd = {
      send: (b) =>
        new Promise((resolve, reject) => {
          farPort.write(Buffer.from(b));
          farPort.drain((e) => (e ? reject(e) : resolve()));
        }),
      receive: (n) => sink.receive(n),
      lose: () => pair.kill(),
      observedBaud: async () => Number((await execFileAsync('stty', ['-F', pair.a, 'speed'])).stdout.trim()),
    };
    return {
      host,
      far,
      logs,
      async cleanup() {
        await host.close();
        if (farPort.isOpen) await new Promise<void>((resolve) => farPort.close(() => resolve()));
        await pair.cleanup();
      },
    };
  },
});

runTransportConformance({
  name: 'TCP (socket://) against a local server',
  lines: 'none',
  signals: {
    observable: false,
    reason: 'a raw TCP bridge has no modem lines; setSignals is a logged no-op',
    logOnce: /TCP bridge without modem lines/,
  },
  baud: {
    observable: false,
    reason: 'a raw TCP bridge has no in-band baud control; the rate is only recorded',
  },
  async open() {
    const server = net.createServer();
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const logs: string[] = [];
    const host = await openTcpTransport(`socket://127.0.0.1:${port}`, {
      baudRate: 115200,
      log: (m) => logs.push(m),
    });
    const socket = await accepted;
    socket.on('error', () => undefined);
    const sink = byteSink();
    socket.on('data', (c) => sink.push(c));
    const hostClosed = new Promise<void>((resolve) => socket.once('end', resolve));
    const far: FarEnd = {
      send: (b) =>
        new Promise((resolve, reject) => socket.write(Buffer.from(b), (e) => (e ? reject(e) : resolve()))),
      receive: (n) => sink.receive(n),
      lose: async () => {
        socket.destroy();
      },
      hostClosed: () => hostClosed,
    };
    return {
      host,
      far,
      logs,
      async cleanup() {
        await host.close();
        socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  },
});
