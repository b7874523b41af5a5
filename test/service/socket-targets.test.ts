/**
 * `socket://` is not a TCP client for the page (issue 15, finding 2). The review's attack — a page opening a
 * monitor on `socket://127.0.0.1:<a local HTTP server>` and reading its reply as monitorData — now fails before
 * a connection is made, and unknown and refusing hosts look the same. A target is used only once the host (its
 * own dialog or terminal, never the page) confirmed it; confirmed targets are remembered by the host.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src-main/core/clock';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger } from '../../src-main/service/deps';
import { createService, type KilnService } from '../../src-main/service/service';
import { kilnRejection } from '../helpers/errors';
import { tempDir } from './fakes';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function httpServer(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server: Server = createServer((_req, res) => res.end('secret page'));
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

function service(
  confirmSocketTarget?: (target: string) => Promise<boolean>,
  dataDir = tempDir(),
): KilnService {
  const deps = defaultDeps({ clock: new VirtualClock() });
  delete deps.watchPorts;
  const s = createService(deps, {
    host: 'web',
    appName: 'Kiln',
    appVersion: 'test',
    dataDir,
    logDir: path.join(dataDir, 'logs'),
    logger: silentLogger,
    ...(confirmSocketTarget ? { confirmSocketTarget } : {}),
  });
  cleanups.push(() => s.shutdown());
  return s;
}

describe('socket:// targets need the host', () => {
  it('the attack: a monitor on a local HTTP server is refused and no connection is made', async () => {
    const http = await httpServer();
    const s = service();
    const e = await kilnRejection(
      s.invoke('monitorOpen', { port: `socket://127.0.0.1:${http.port}`, baud: 115200 }),
    );
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toContain('not one of your serial bridges');
    expect(http.connections()).toBe(0);
  });

  it('unknown hosts and refusing hosts get the same answer, without any connection attempt', async () => {
    const s = service();
    const a = await kilnRejection(s.invoke('identify', { port: 'socket://nonexistent.invalid:2217' }));
    const b = await kilnRejection(s.invoke('identify', { port: 'socket://127.0.0.1:1' }));
    expect([a.code, b.code]).toEqual(['BAD_REQUEST', 'BAD_REQUEST']);
    expect(a.message.replace('nonexistent.invalid:2217', 'X')).toBe(b.message.replace('127.0.0.1:1', 'X'));
  });

  it('the host decides once: no is a refusal; yes is remembered (by the host, across restarts)', async () => {
    const http = await httpServer();
    const target = `socket://127.0.0.1:${http.port}`;
    const asked: string[] = [];
    const no = service(async (t) => {
      asked.push(t);
      return false;
    });
    expect((await kilnRejection(no.invoke('monitorOpen', { port: target, baud: 115200 }))).code).toBe(
      'BAD_REQUEST',
    );
    expect(http.connections()).toBe(0);

    const dataDir = tempDir();
    const yes = service(async (t) => {
      asked.push(t);
      return true;
    }, dataDir);
    const { monitorId } = (await yes.invoke('monitorOpen', { port: target, baud: 115200 })) as {
      monitorId: string;
    };
    await yes.invoke('monitorClose', { monitorId });
    expect(http.connections()).toBe(1);
    expect(asked).toEqual([`127.0.0.1:${http.port}`, `127.0.0.1:${http.port}`]);

    // A later Kiln on the same data folder, with no way to ask: the confirmed bridge is still allowed.
    const later = service(undefined, dataDir);
    const again = (await later.invoke('monitorOpen', { port: target, baud: 115200 })) as {
      monitorId: string;
    };
    await later.invoke('monitorClose', { monitorId: again.monitorId });
    expect(asked).toHaveLength(2);
  });
});
