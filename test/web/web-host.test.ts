/**
 * Browser mode over real sockets: the token on the page and the WebSocket, the Origin and Host checks, static
 * files confined to the renderer folder, and the contract round trip (calls, `$bytes`, validation errors,
 * events broadcast to every page). The service behind it runs on fake engine dependencies.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../src-main/service/deps';
import type { WireServerMessage } from '../../src-main/service/contract';
import { parseWire, stringifyWire } from '../../src-main/service/wire-codec';
import { MAX_CLIENTS, startWebServer, type WebServer } from '../../src-main/hosts/web/server';
import { stopBrowserMode } from '../../src-main/hosts/web/shutdown';
import { harness, pattern, tempDir } from '../service/fakes';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function rendererDir(): string {
  const dir = tempDir('kiln-renderer-');
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><title>Kiln</title><script type="module" src="/assets/app.js"></script>',
  );
  writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log("kiln")');
  return dir;
}

async function start(opts: { built?: boolean; prepare?: (dir: string) => void; host?: string } = {}) {
  const h = harness();
  const dir = opts.built === false ? tempDir('kiln-empty-') : rendererDir();
  opts.prepare?.(dir);
  const server = await startWebServer({
    service: h.service,
    rendererDir: dir,
    logger: silentLogger,
    ...(opts.host ? { host: opts.host } : {}),
  });
  cleanups.push(async () => {
    await server.close();
    await h.service.shutdown();
  });
  return { h, server, origin: `http://127.0.0.1:${server.port}` };
}

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(
  server: WebServer,
  pathAndQuery: string,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a socket; resolves with it when open, or with the HTTP status that refused the upgrade. */
function connect(url: string, origin: string | undefined): Promise<{ ws?: WebSocket; refusedWith?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ refusedWith: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (e) => {
      if (!/Unexpected server response/.test(e.message)) reject(e);
    });
  });
}

class Client {
  private nextId = 1;
  readonly messages: WireServerMessage[] = [];
  private waiters: { pred: (m: WireServerMessage) => boolean; resolve: (m: WireServerMessage) => void }[] =
    [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = parseWire(data.toString()) as WireServerMessage;
      this.messages.push(msg);
      for (const w of [...this.waiters]) {
        if (w.pred(msg)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(msg);
        }
      }
    });
  }

  waitFor(pred: (m: WireServerMessage) => boolean): Promise<WireServerMessage> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  async call(method: string, input: unknown): Promise<WireServerMessage & { type: 'result' }> {
    const id = this.nextId++;
    this.ws.send(stringifyWire({ type: 'call', id, method, input }));
    return (await this.waitFor((m) => m.type === 'result' && m.id === id)) as WireServerMessage & {
      type: 'result';
    };
  }
}

async function openClient(server: WebServer, origin: string): Promise<Client> {
  const r = await connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, origin);
  if (!r.ws) throw new Error(`refused with ${r.refusedWith}`);
  cleanups.push(async () => r.ws!.close());
  return new Client(r.ws);
}

describe('page access', () => {
  it('prints a loopback URL with a long random token in its fragment (never sent to a server)', async () => {
    const { server } = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
    const other = await start();
    expect(other.server.token).not.toBe(server.token);
  });

  it('serves the page and its assets with a CSP and no cookie: the token is never a cookie (issue 15, finding 5)', async () => {
    const { server } = await start();
    const page = await get(server, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Kiln</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain(
      `connect-src 'self' ws://127.0.0.1:${server.port}`,
    );
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    // A cookie for 127.0.0.1 reaches every port of 127.0.0.1: another local server would receive the token.
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(JSON.stringify(page.headers)).not.toContain(server.token);
    expect(page.body).not.toContain(server.token);
    const asset = await get(server, '/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['set-cookie']).toBeUndefined();
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.body).toBe('console.log("kiln")');
  });

  it('a cookie carrying the token opens nothing: the socket needs it in its own URL', async () => {
    const { server, origin } = await start();
    const r = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, {
        origin,
        headers: { Cookie: `kiln_token_${server.port}=${server.token}` },
      });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
    });
    expect(r).toBe(401);
  });

  it('never serves a file outside the renderer folder', async () => {
    const { server } = await start();
    const auth = `token=${server.token}`;
    for (const p of [
      '/../../../etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/%00',
      '/a%5c..%5c..%5cetc',
    ]) {
      const r = await get(server, `${p}?${auth}`);
      expect(r.body, p).not.toContain('root:');
      expect([200, 404], p).toContain(r.status);
      if (r.status === 200) expect(r.body).toContain('<title>Kiln</title>');
    }
    expect((await get(server, `/assets/missing.js?${auth}`)).status).toBe(404);
  });

  it('does not follow a symlink out of the renderer folder', async () => {
    const outside = tempDir('kiln-outside-');
    writeFileSync(path.join(outside, 'secret.js'), 'SECRET');
    const { server } = await start({
      prepare: (dir) => symlinkSync(path.join(outside, 'secret.js'), path.join(dir, 'assets', 'leak.js')),
    });
    const r = await get(server, `/assets/leak.js?token=${server.token}`);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('SECRET');
    expect((await get(server, `/assets/app.js?token=${server.token}`)).status).toBe(200);
  });

  it('refuses a request for another Host name (DNS rebinding)', async () => {
    const { server } = await start();
    expect(
      (await get(server, `/?token=${server.token}`, { Host: `evil.example:${server.port}` })).status,
    ).toBe(403);
    expect((await get(server, `/?token=${server.token}`, { Host: `localhost:${server.port}` })).status).toBe(
      200,
    );
  });

  it('explains how to build the renderer when it is missing', async () => {
    const { server } = await start({ built: false });
    const r = await get(server, `/?token=${server.token}`);
    expect(r.status).toBe(503);
    expect(r.body).toContain('npm run build:renderer');
  });
});

describe('WebSocket access', () => {
  it('refuses a socket without the token (401) or with a wrong token', async () => {
    const { server, origin } = await start();
    expect((await connect(`ws://127.0.0.1:${server.port}/api`, origin)).refusedWith).toBe(401);
    expect((await connect(`ws://127.0.0.1:${server.port}/api?token=nope`, origin)).refusedWith).toBe(401);
  });

  it('refuses a socket from another origin, or with no origin, even with the token (403)', async () => {
    const { server } = await start();
    const url = `ws://127.0.0.1:${server.port}/api?token=${server.token}`;
    expect((await connect(url, 'http://evil.example')).refusedWith).toBe(403);
    expect((await connect(url, `http://127.0.0.1:${server.port + 1}`)).refusedWith).toBe(403);
    expect((await connect(url, undefined)).refusedWith).toBe(403);
  });

  it('only upgrades on /api', async () => {
    const { server, origin } = await start();
    expect(
      (await connect(`ws://127.0.0.1:${server.port}/other?token=${server.token}`, origin)).refusedWith,
    ).toBe(404);
  });
});

describe('the contract over the socket', () => {
  it('answers listPorts with real and virtual ports', async () => {
    const { server, origin } = await start();
    const client = await openClient(server, origin);
    const r = await client.call('listPorts', {});
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const ports = (r.output as { ports: { path: string; group: string }[] }).ports;
    expect(ports.map((p) => p.path)).toEqual(['/dev/ttyUSB0', 'sim:esp8266', 'sim:esp32', 'sim:esp32c3']);
  });

  it('carries bytes as $bytes both ways', async () => {
    const { server, origin } = await start();
    const client = await openClient(server, origin);
    const bytes = pattern(70_000, 3);
    const put = await client.call('inspectFirmware', { name: 'blob.bin', bytes });
    if (!put.ok) throw new Error(JSON.stringify(put.error));
    const sha256 = (put.output as { sha256: string }).sha256;
    expect(sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const back = await client.call('getFirmware', { sha256 });
    if (!back.ok) throw new Error(JSON.stringify(back.error));
    const got = (back.output as { bytes: Uint8Array }).bytes;
    expect(got).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(got).equals(Buffer.from(bytes))).toBe(true);
  });

  it('answers bad calls with BAD_REQUEST and keeps the connection', async () => {
    const { server, origin } = await start();
    const client = await openClient(server, origin);
    const bad = await client.call('identify', { port: '/etc/passwd' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('BAD_REQUEST');
    expect(bad.error.details?.issues).toBeDefined();
    const unknown = await client.call('rm', {});
    expect(unknown.ok ? 'ok' : unknown.error.code).toBe('BAD_REQUEST');
    const bytesAsArray = await client.call('inspectFirmware', { name: 'a.bin', bytes: [1, 2, 3] });
    expect(bytesAsArray.ok ? 'ok' : bytesAsArray.error.code).toBe('BAD_REQUEST');

    client.ws.send('{not json');
    const garbled = await client.waitFor((m) => m.type === 'result' && m.id === 0);
    expect(garbled.type === 'result' && !garbled.ok && garbled.error.code).toBe('BAD_REQUEST');
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await client.waitFor((m) => m.type === 'result' && m.id === 0 && m !== garbled);
    client.ws.send(JSON.stringify({ type: 'call', id: -4, method: 'listPorts', input: {} }));
    // Still usable.
    expect((await client.call('getSettings', {})).ok).toBe(true);
  });

  it('broadcasts job events to every connected page', async () => {
    const { server, origin } = await start();
    const a = await openClient(server, origin);
    const b = await openClient(server, origin);
    const fw = await a.call('inspectFirmware', { name: 'app.bin', bytes: pattern(4096) });
    if (!fw.ok) throw new Error(JSON.stringify(fw.error));
    const sha256 = (fw.output as { sha256: string }).sha256;
    const started = await a.call('startFlash', {
      port: 'sim:esp8266',
      images: [{ sha256, offset: 0x10000, name: 'app.bin' }],
    });
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    const jobId = (started.output as { jobId: string }).jobId;
    for (const client of [a, b]) {
      const done = await client.waitFor((m) => m.type === 'event' && m.event === 'jobDone');
      if (done.type !== 'event' || done.event !== 'jobDone') throw new Error('unreachable');
      expect(done.payload).toMatchObject({ jobId, ok: true, kind: 'flash' });
      expect(client.messages.some((m) => m.type === 'event' && m.event === 'jobProgress')).toBe(true);
    }
  });
});

describe('malformed frames (issue 15, finding 9)', () => {
  it('a frame that is not valid JSON is answered with the id it carried', async () => {
    const { server, origin } = await start();
    const client = await openClient(server, origin);
    client.ws.send('{"type":"call","id":4242,"method":"listPorts","input":{');
    const r = await client.waitFor((m) => m.type === 'result' && m.id === 4242);
    expect(r.type === 'result' && !r.ok && r.error.code).toBe('BAD_REQUEST');
  });

  it('input nested 5000 deep is refused with its id, and the server stays up', async () => {
    const { server, origin } = await start();
    const client = await openClient(server, origin);
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    client.ws.send(`{"type":"call","id":77,"method":"getSettings","input":{"x":${deep}}}`);
    const r = await client.waitFor((m) => m.type === 'result' && m.id === 77);
    expect(r.type === 'result' && !r.ok && r.error.code).toBe('BAD_REQUEST');
    expect(r.type === 'result' && !r.ok && r.error.message).toContain('nested');
    expect((await client.call('getSettings', {})).ok).toBe(true);
  });
});

describe('smaller walls (issue 15, finding 11)', () => {
  it(`at most ${MAX_CLIENTS} pages at once: the next socket is refused (503) until one closes`, async () => {
    const { server, origin } = await start();
    const url = `ws://127.0.0.1:${server.port}/api?token=${server.token}`;
    const open: WebSocket[] = [];
    for (let i = 0; i < MAX_CLIENTS; i++) {
      const r = await connect(url, origin);
      open.push(r.ws!);
    }
    cleanups.push(async () => open.forEach((ws) => ws.close()));
    expect((await connect(url, origin)).refusedWith).toBe(503);
    const closed = new Promise((r) => open[0]!.once('close', r));
    open[0]!.close();
    await closed;
    // The server sees the close a moment later; the next page gets in once it has.
    let again = await connect(url, origin);
    while (again.refusedWith === 503) again = await connect(url, origin);
    expect(again.ws).toBeDefined();
    open.push(again.ws!);
  });

  it("--host 0.0.0.0 keeps the Host check: this machine's names pass, another name is refused", async () => {
    const { server } = await start({ host: '0.0.0.0' });
    expect((await get(server, '/', { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(server, '/', { Host: `127.0.0.1:${server.port}` })).status).toBe(200);
    expect((await get(server, '/', { Host: `${os.hostname()}:${server.port}` })).status).toBe(200);
  });

  it('on shutdown a page hears jobDone CANCELLED for its running job before the socket closes', async () => {
    const { h, server, origin } = await start();
    h.engine.script.holdFlash = new Promise<void>(() => {});
    const client = await openClient(server, origin);
    const fw = await client.call('inspectFirmware', { name: 'app.bin', bytes: pattern(4096) });
    if (!fw.ok) throw new Error(JSON.stringify(fw.error));
    const started = await client.call('startFlash', {
      port: 'sim:esp8266',
      images: [{ sha256: (fw.output as { sha256: string }).sha256, offset: 0x10000, name: 'app.bin' }],
    });
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    await client.waitFor((m) => m.type === 'event' && m.event === 'jobProgress');
    const closed = new Promise<number>((r) => client.ws.once('close', () => r(client.messages.length)));
    await stopBrowserMode(server, h.service);
    const seenBeforeClose = await closed;
    const done = client.messages
      .slice(0, seenBeforeClose)
      .find((m) => m.type === 'event' && m.event === 'jobDone');
    expect(done && done.type === 'event' && done.payload).toMatchObject({
      ok: false,
      error: { code: 'CANCELLED' },
    });
  });
});
