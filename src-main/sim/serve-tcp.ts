/**
 * Serves one SimulatedDevice as a raw byte stream on a TCP port (what esptool calls `socket://host:port`),
 * on the real clock with the same pacing as in-process. One host at a time; a second connection is closed.
 *
 * Over TCP the host's baud is unknown (esptool signals baud changes only in-band), so the simulated chip treats
 * the host as always matching its own baud: no garbling, pacing at the chip's baud. There are no DTR/RTS lines
 * either, so by default each connection power-cycles the board with GPIO0 held low (the chip starts in download
 * mode and prints its download banner); `bootMode: 'normal'` powers it up without the button instead.
 */
import net from 'node:net';
import { byteStreamEnd } from './byte-stream-end';
import type { SimulatedDevice } from './device';

export interface TcpServer {
  port: number;
  close(): Promise<void>;
}

export async function serveTcp(o: {
  device: SimulatedDevice;
  host?: string;
  port?: number;
  bootMode?: 'download' | 'normal';
}): Promise<TcpServer> {
  let current: { close(): void } | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (current) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const end = byteStreamEnd(
      {
        onData: (fn) => socket.on('data', fn),
        onClose: (fn) => socket.on('close', fn),
        write: (c) => socket.write(c),
        destroy: () => socket.destroy(),
      },
      () => 115200,
    );
    current = end;
    socket.on('error', () => {});
    socket.on('close', () => {
      if (current === end) {
        o.device.detach();
        current = undefined;
      }
    });
    o.device.attach(end, { hostBaudKnown: false });
    o.device.powerCycle({ buttonHeld: (o.bootMode ?? 'download') === 'download' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        current?.close();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
