/**
 * Browser mode: an HTTP server for the built renderer and the contract over one WebSocket at `/api`
 * (DESIGN §3). Bound to 127.0.0.1 unless told otherwise; the page and the socket need the random token; the
 * Host header and the socket's Origin must be this server's own; every call passes the contract's schemas
 * (inside `service.invoke`) before it reaches the service; events go to every connected page.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { KilnError, toErrorData } from '../../core/errors';
import { WS_CLOSE, type WireEvent, type WireResult } from '../../service/contract';
import { MAX_FIRMWARE_BYTES } from '../../vocabulary';
import type { Logger } from '../../service/deps';
import type { KilnService } from '../../service/service';
import { decodeWire, recoverCallId, stringifyWire, WireDepthError } from '../../service/wire-codec';
import { AccessPolicy, newToken } from './access';
import { notBuiltPage, rendererBuilt, serveStatic } from './static-files';

export const WS_PATH = '/api';
/** Largest frame accepted: a maximal firmware file in base64 plus JSON overhead. */
export const MAX_FRAME_BYTES = Math.ceil((MAX_FIRMWARE_BYTES * 4) / 3) + 64 * 1024;
/** Above this much unsent data a client is too slow: progress and monitor events to it are dropped. */
const SLOW_CLIENT_BYTES = 8 * 1024 * 1024;
const DROPPABLE_EVENTS = new Set(['jobProgress', 'monitorData']);
/** Pages connected at once: a person has a tab or two; each socket costs memory and event traffic. */
export const MAX_CLIENTS = 8;

export interface WebServerOptions {
  service: KilnService;
  /** Built renderer folder (index.html + assets). */
  rendererDir: string;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Default 0 = any free port. */
  port?: number;
  /** Default: 24 random bytes, base64url. */
  token?: string;
  logger: Logger;
}

export interface WebServer {
  /** The page URL with its token: what a person opens. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Closes sockets and the listener (does not shut the service down). */
  close(): Promise<void>;
}

function pageHeaders(host: string | undefined): Record<string, string> {
  const ws = host ? ` ws://${host}` : '';
  return {
    'Content-Security-Policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'${ws}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    // The token is in the page URL: never send it onwards in a Referer.
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text + '\n');
}

function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404 | 503, text: string): void {
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[
    status
  ];
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const bindHost = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const logger = opts.logger;
  let port = 0;
  const policy = new AccessPolicy(token, bindHost, () => port);
  const clients = new Set<WebSocket>();

  const server: Server = createServer((req, res) => handleHttp(req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.');
    if (!policy.hostAllowed(req)) return refuse(res, 403, 'Wrong Host header.');
    // The page and its assets are the public renderer build and need no token: the token is in the URL's
    // fragment, which the browser never sends, and it authorises only the WebSocket. No cookie: cookies are
    // shared by every port of 127.0.0.1, so any other local server would receive the token.
    const headers = pageHeaders(req.headers.host);
    if (!rendererBuilt(opts.rendererDir)) {
      const page = notBuiltPage(opts.rendererDir);
      res.writeHead(503, {
        ...headers,
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : page);
      return;
    }
    if (!serveStatic(opts.rendererDir, req, res, headers)) refuse(res, 404, 'Not found.');
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname !== WS_PATH) return refuseUpgrade(socket, 404, 'Not found.');
    if (!policy.hostAllowed(req)) return refuseUpgrade(socket, 403, 'Wrong Host header.');
    if (!policy.originAllowed(req)) {
      logger.warn(`web: refused a WebSocket from origin ${JSON.stringify(req.headers.origin ?? null)}`);
      return refuseUpgrade(socket, 403, 'Origin not allowed.');
    }
    if (!policy.authorised(req)) {
      logger.warn('web: refused a WebSocket without a valid token');
      return refuseUpgrade(socket, 401, 'Token required.');
    }
    if (clients.size >= MAX_CLIENTS) {
      logger.warn(`web: refused a WebSocket: ${MAX_CLIENTS} pages are connected already`);
      return refuseUpgrade(socket, 503, 'Too many Kiln pages are open; close one.');
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function send(ws: WebSocket, message: WireResult | WireEvent): void {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(stringifyWire(message));
  }

  function attach(ws: WebSocket): void {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', (e) => logger.warn(`web: socket error: ${e.message}`));
    ws.on('message', (data, isBinary) => {
      void handleFrame(ws, isBinary ? undefined : data.toString());
    });
  }

  async function handleFrame(ws: WebSocket, text: string | undefined): Promise<void> {
    let id = 0;
    try {
      if (text === undefined)
        throw new KilnError('BAD_REQUEST', 'Binary frames are not part of the protocol.', {
          hint: 'Send JSON text frames.',
        });
      // The id first: whatever is wrong with the rest, the answer goes to the call that waits for it.
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        id = recoverCallId(text);
        throw new KilnError('BAD_REQUEST', `The frame is not valid JSON: ${(e as Error).message}`, {
          hint: 'Send one JSON call per frame.',
        });
      }
      id = recoverCallId(text, json);
      let msg: unknown;
      try {
        msg = decodeWire(json);
      } catch (e) {
        throw new KilnError('BAD_REQUEST', `The frame cannot be read: ${(e as Error).message}`, {
          hint:
            e instanceof WireDepthError ? 'Calls are nested only a few levels deep.' : 'Check $bytes values.',
        });
      }
      const call = msg as { type?: unknown; id?: unknown; method?: unknown; input?: unknown };
      if (typeof msg !== 'object' || msg === null || call.type !== 'call') {
        throw new KilnError('BAD_REQUEST', 'Expected {"type":"call", "id", "method", "input"}.');
      }
      if (id === 0) throw new KilnError('BAD_REQUEST', 'A call needs a positive integer id.');
      const output = await opts.service.invoke(call.method, call.input);
      send(ws, { type: 'result', id, ok: true, output: output as never });
    } catch (e) {
      const error = toErrorData(e);
      if (error.code === 'INTERNAL') logger.error('web: call failed', e);
      send(ws, { type: 'result', id, ok: false, error });
    }
  }

  const unsubscribe = opts.service.subscribe((event, payload) => {
    if (clients.size === 0) return;
    const frame = stringifyWire({ type: 'event', event, payload });
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (DROPPABLE_EVENTS.has(event) && ws.bufferedAmount > SLOW_CLIENT_BYTES) continue;
      ws.send(frame);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost =
    bindHost === '0.0.0.0' || bindHost === '::'
      ? '127.0.0.1'
      : bindHost.includes(':')
        ? `[${bindHost}]`
        : bindHost;
  const url = `http://${shownHost}:${port}/#token=${token}`;
  logger.info(`web: listening on ${bindHost}:${port}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    token,
    close() {
      closing ??= (async () => {
        unsubscribe();
        for (const ws of clients) ws.close(WS_CLOSE.GOING_AWAY, 'server closing');
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        for (const ws of clients) ws.terminate();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
