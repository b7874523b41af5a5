/** Dispatch by port name, and the TCP bridge's own error mapping. */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { KilnError } from '../../src-main/core/errors';
import { openTransport } from '../../src-main/serial/open-transport';
import { parseSocketUrl } from '../../src-main/serial/tcp-transport';
import type { Transport } from '../../src-main/serial/transport';
import { createPtyPair, type PtyPair } from './helpers/pty-pair';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function fail(p: Promise<Transport>): Promise<KilnError> {
  try {
    const t = await p;
    await t.close();
  } catch (e) {
    return e as KilnError;
  }
  throw new Error('expected the open to fail');
}

/** A port number nothing listens on: bind, note it, close. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('openTransport dispatch', () => {
  it('socket:// opens the TCP bridge (lines none) and bytes flow', async () => {
    const server = net.createServer();
    const got = new Promise<Buffer>((resolve) => server.once('connection', (s) => s.once('data', resolve)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const url = `socket://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const t = await openTransport(url, { baudRate: 460800 });
    cleanups.push(() => t.close());
    expect(t.info).toEqual({ path: url, lines: 'none' });
    expect(t.baudRate).toBe(460800);
    await t.write(Buffer.from([0xc0, 0x00, 0xc0]));
    expect([...(await got)]).toEqual([0xc0, 0x00, 0xc0]);
  });

  it('a device path opens node serialport; lines follow the bridge table from usbId', async () => {
    const pair: PtyPair = await createPtyPair();
    cleanups.push(() => pair.cleanup());
    const t = await openTransport(pair.a, { baudRate: 115200, usbId: '303a:1001' });
    cleanups.push(() => t.close());
    expect(t.info).toEqual({ path: pair.a, lines: 'usb-jtag-serial', usbId: '303a:1001' });
    const plain = await openTransport(pair.b, { baudRate: 115200 });
    cleanups.push(() => plain.close());
    expect(plain.info.lines).toBe('uart');
  });

  it('sim: names are refused with a pointer to the service', async () => {
    const e = await fail(openTransport('sim:esp8266', { baudRate: 115200 }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/virtual device.*service/);
  });

  it('other URL schemes (rfc2217://) are refused, not treated as a file path', async () => {
    const e = await fail(openTransport('rfc2217://10.0.0.2:4000', { baudRate: 115200 }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/only socket:\/\//);
  });
});

describe('TCP bridge errors', () => {
  it('connection refused is PORT_NOT_FOUND naming the address', async () => {
    const url = `socket://127.0.0.1:${await freePort()}`;
    const e = await fail(openTransport(url, { baudRate: 115200 }));
    expect(e.code).toBe('PORT_NOT_FOUND');
    expect(e.message).toBe(`Nothing is listening at ${url} (ECONNREFUSED).`);
    expect(e.details?.port).toBe(url);
  });

  it('a host name that does not resolve is PORT_NOT_FOUND naming the address', async () => {
    const url = 'socket://kiln-bridge.invalid:4000'; // .invalid never resolves (RFC 2606)
    const e = await fail(openTransport(url, { baudRate: 115200, connectTimeoutMs: 3000 }));
    expect(e.code).toBe('PORT_NOT_FOUND');
    expect(e.message).toContain(url);
  });

  it.each(['socket://', 'socket://host', 'socket://host:0', 'socket://host:70000', 'socket://a:b'])(
    '%s is BAD_REQUEST',
    (url) => {
      expect(() => parseSocketUrl(url)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    },
  );

  it('parses host names, IPv4 and bracketed IPv6', () => {
    expect(parseSocketUrl('socket://esp-bridge.local:4000')).toEqual({
      host: 'esp-bridge.local',
      port: 4000,
    });
    expect(parseSocketUrl('socket://[::1]:3333')).toEqual({ host: '::1', port: 3333 });
  });
});
