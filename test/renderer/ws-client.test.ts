import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWsClient, type SocketLike } from '../../src-renderer/api/ws-client';
import { decodeBytes, encodeBytes } from '../../src-renderer/api/bytes-codec';
import { getApi, wsUrlFor } from '../../src-renderer/api';
import { splitToken, takePageToken } from '../../src-renderer/api/page-token';
// The server's codec: the renderer keeps its own copy (it may import only types from src-main), so prove they agree.
import { parseWire, stringifyWire } from '../../src-main/service/wire-codec';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: SocketLike['onopen'] = null;
  onclose: SocketLike['onclose'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onerror: SocketLike['onerror'] = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(parseWire(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  reply(msg: unknown) {
    this.onmessage?.({ data: stringifyWire(msg) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const api = createWsClient({
    url: 'ws://127.0.0.1:5555/api?token=t0k',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    reconnectDelayMs: 10,
  });
  return { api, sockets };
}

afterEach(() => vi.useRealTimers());

describe('WebSocket KilnApi client', () => {
  it('queues calls until open, matches results by id, and carries bytes both ways as $bytes', async () => {
    const { api, sockets } = setup();
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 255]);
    const inspect = api.inspectFirmware({ name: 'a.bin', bytes });
    const ports = api.listPorts({});
    expect(sockets[0]!.sent).toEqual([]);
    sockets[0]!.open();
    const [c1, c2] = sockets[0]!.sent as {
      type: string;
      id: number;
      method: string;
      input: { bytes?: Uint8Array };
    }[];
    expect(c1).toMatchObject({ type: 'call', method: 'inspectFirmware' });
    expect([...c1!.input.bytes!]).toEqual([...bytes]);
    expect(c2).toMatchObject({ type: 'call', method: 'listPorts', input: {} });
    expect(c1!.id).not.toBe(c2!.id);

    // Answer out of order.
    sockets[0]!.reply({ type: 'result', id: c2!.id, ok: true, output: { ports: [] } });
    sockets[0]!.reply({
      type: 'result',
      id: c1!.id,
      ok: true,
      output: { echoed: new Uint8Array([9, 8, 7]) },
    });
    await expect(ports).resolves.toEqual({ ports: [] });
    const out = (await inspect) as unknown as { echoed: Uint8Array };
    expect(out.echoed).toBeInstanceOf(Uint8Array);
    expect([...out.echoed]).toEqual([9, 8, 7]);
  });

  it('rejects with the error data {code, message, hint, details}', async () => {
    const { api, sockets } = setup();
    sockets[0]!.open();
    const p = api.identify({ port: '/dev/ttyUSB0' });
    const { id } = sockets[0]!.sent[0] as { id: number };
    sockets[0]!.reply({
      type: 'result',
      id,
      ok: false,
      error: {
        code: 'PORT_BUSY',
        message: 'Held by another program.',
        hint: 'Close it.',
        details: { holder: 'minicom' },
      },
    });
    await expect(p).rejects.toMatchObject({
      code: 'PORT_BUSY',
      message: 'Held by another program.',
      hint: 'Close it.',
      details: { holder: 'minicom' },
    });
  });

  it('delivers events to subscribers until they unsubscribe', () => {
    const { api, sockets } = setup();
    sockets[0]!.open();
    const seen: unknown[] = [];
    const off = api.on('monitorData', (p) => seen.push([...p.data]));
    sockets[0]!.reply({
      type: 'event',
      event: 'monitorData',
      payload: { monitorId: 'm', data: new Uint8Array([104, 105]) },
    });
    off();
    sockets[0]!.reply({
      type: 'event',
      event: 'monitorData',
      payload: { monitorId: 'm', data: new Uint8Array([1]) },
    });
    expect(seen).toEqual([[104, 105]]);
  });

  it('on a dropped connection: pending calls reject with DISCONNECTED, the state says reconnecting, and it reconnects', async () => {
    vi.useFakeTimers();
    const { api, sockets } = setup();
    const states: string[] = [];
    api.onConnection((s) => states.push(s));
    sockets[0]!.open();
    const p = api.appInfo({});
    sockets[0]!.drop();
    await expect(p).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(api.connection).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(20);
    expect(sockets).toHaveLength(2);
    sockets[1]!.open();
    expect(states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('a refused token closes for good: no reconnect loop', async () => {
    vi.useFakeTimers();
    const { api, sockets } = setup();
    sockets[0]!.drop(4401);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(1);
    expect(api.connection).toBe('closed');
    await expect(api.listPorts({})).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });
});

describe('getApi / wsUrlFor', () => {
  it('connects to the same host with the token', () => {
    expect(wsUrlFor({ protocol: 'http:', host: '127.0.0.1:41234' }, 'ab+c')).toBe(
      'ws://127.0.0.1:41234/api?token=ab%2Bc',
    );
  });

  it('takes the token from the URL fragment (or the query) and removes it from the address bar', () => {
    expect(splitToken({ pathname: '/', search: '', hash: '#token=ab%2Bc' })).toEqual({
      token: 'ab+c',
      rest: '/',
    });
    expect(splitToken({ pathname: '/', search: '', hash: '#doctor&token=T' })).toEqual({
      token: 'T',
      rest: '/#doctor',
    });
    expect(splitToken({ pathname: '/', search: '?token=Q&x=1', hash: '#station' })).toEqual({
      token: 'Q',
      rest: '/?x=1#station',
    });
    const replaced: string[] = [];
    const win = {
      location: { pathname: '/', search: '', hash: '#flash&token=secret' },
      history: { state: null, replaceState: (_s: unknown, _t: string, url: string) => replaced.push(url) },
    } as unknown as Window;
    expect(takePageToken(win)).toBe('secret');
    expect(replaced).toEqual(['/#flash']);
  });

  it('prefers the Electron preload object when present', () => {
    const kiln = { marker: true };
    expect(getApi({ kiln } as unknown as Window)).toBe(kiln);
  });
});

describe('$bytes codec', () => {
  it('matches the server codec in both directions, including empty and odd lengths', () => {
    for (const len of [0, 1, 2, 3, 4, 5, 70_000]) {
      const data = Uint8Array.from({ length: len }, (_, i) => (i * 37 + 11) & 255);
      const msg = { a: { data, list: [data] }, n: 1 };
      expect(JSON.stringify(encodeBytes(msg))).toBe(stringifyWire(msg));
      const back = decodeBytes(JSON.parse(stringifyWire(msg))) as { a: { data: Uint8Array } };
      expect([...back.a.data]).toEqual([...data]);
    }
  });
});

describe('per-call timeout (issue 15, finding 9)', () => {
  it('a call the server never answers rejects with a clear error instead of waiting for ever', async () => {
    vi.useFakeTimers();
    const sockets: FakeSocket[] = [];
    const api = createWsClient({
      url: 'ws://127.0.0.1:5555/api',
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      callTimeoutMs: 1000,
    });
    sockets[0]!.open();
    const pending = api.listPorts({});
    const seen = pending.then(
      () => ({ code: 'resolved', message: '' }),
      (e: unknown) => e as { code: string; message: string },
    );
    await vi.advanceTimersByTimeAsync(1001);
    const e = await seen;
    expect(e.code).toBe('DISCONNECTED');
    expect(e.message).toContain('listPorts');
    // A late answer to the timed-out call is ignored; the next call still works.
    sockets[0]!.reply({ type: 'result', id: 1, ok: true, output: { ports: [] } });
    const next = api.getSettings({});
    sockets[0]!.reply({ type: 'result', id: 2, ok: true, output: { theme: 'system' } });
    expect(await next).toEqual({ theme: 'system' });
    api.dispose();
  });
});
