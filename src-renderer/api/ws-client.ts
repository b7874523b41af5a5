/**
 * Browser mode: the contract over one WebSocket (see `WireCall`/`WireResult`/`WireEvent` in the contract).
 * Implements `KilnApi` exactly like Electron's `window.kiln`, so screens cannot tell which one they hold:
 * one promise per call matched by id, rejections carry `{code, message, hint, details}`, events fan out to
 * `on()` subscribers, `Uint8Array` travels as `{"$bytes": base64}`.
 *
 * When the socket drops, pending calls reject with code DISCONNECTED (their outcome is unknown: a job may still run
 * on the server, and its events resume after the reconnect), and the client reconnects with backoff. A close for
 * a bad token or a foreign origin is final. `onConnection` listeners hear every state change for a banner.
 */
import { decodeBytes, encodeBytes } from './bytes-codec';
import type { KilnApi, MethodName, WireCall, WireServerMessage } from './types';
import { METHOD_NAMES } from '../../src-main/vocabulary';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Just what the client needs from a WebSocket, so tests can hand in a fake. */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface WsClientOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  /** Backoff for reconnects, ms (doubled up to `maxReconnectDelayMs`). */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /**
   * How long a call may wait for its answer before it rejects (default 2 minutes). Calls that may wait for a
   * person at the host's own dialog or terminal get longer: `runFix` 15 minutes, and the calls that may first
   * have the host confirm a new socket:// target 6. A job's long work is not a call: start* answers at once.
   */
  callTimeoutMs?: number;
}

const DEFAULT_CALL_TIMEOUT_MS = 2 * 60_000;
const HOST_QUESTION_MS = 6 * 60_000;
const SLOW_METHODS: Partial<Record<MethodName, number>> = {
  runFix: 15 * 60_000,
  identify: HOST_QUESTION_MS,
  monitorOpen: HOST_QUESTION_MS,
  startFlash: HOST_QUESTION_MS,
  startRead: HOST_QUESTION_MS,
  startErase: HOST_QUESTION_MS,
  startBackup: HOST_QUESTION_MS,
  startRestore: HOST_QUESTION_MS,
};

export interface WsKilnApi extends KilnApi {
  readonly connection: ConnectionState;
  onConnection(cb: (state: ConnectionState, detail?: string) => void): () => void;
  /** Stops reconnecting and closes the socket; pending calls reject. */
  dispose(): void;
}

/** Close codes after which reconnecting is pointless (bad token, foreign origin). */
const FATAL_CLOSE_CODES = new Set([4401, 4403, 1008]);
const OPEN = 1;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  method: string;
  timer: ReturnType<typeof setTimeout>;
}

export function createWsClient(opts: WsClientOptions): WsKilnApi {
  const createSocket = opts.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const baseDelay = opts.reconnectDelayMs ?? 500;
  const maxDelay = opts.maxReconnectDelayMs ?? 8000;

  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: ConnectionState, detail?: string) => void>();
  /** Calls made while the socket is not open yet; sent on open. */
  const queue: string[] = [];
  let nextId = 1;
  let socket: SocketLike | undefined;
  let state: ConnectionState = 'connecting';
  let delay = baseDelay;
  let disposed = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  function setState(next: ConnectionState, detail?: string): void {
    state = next;
    for (const cb of connectionListeners) cb(next, detail);
  }

  function rejectAllPending(message: string, hint: string): void {
    for (const [id, p] of pending) {
      pending.delete(id);
      clearTimeout(p.timer);
      p.reject(apiError('DISCONNECTED', message, hint));
    }
    queue.length = 0;
  }

  function connect(): void {
    const ws = createSocket(opts.url);
    socket = ws;
    ws.onopen = () => {
      delay = baseDelay;
      setState('open');
      for (const frame of queue.splice(0)) ws.send(frame);
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let msg: WireServerMessage;
      try {
        msg = decodeBytes(JSON.parse(ev.data)) as WireServerMessage;
      } catch {
        return; // A frame we cannot read is dropped; the call it answered will time out with the connection.
      }
      if (msg.type === 'result') {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.output);
        else p.reject(apiError(msg.error.code, msg.error.message, msg.error.hint, msg.error.details));
      } else if (msg.type === 'event') {
        for (const cb of listeners.get(msg.event) ?? []) {
          try {
            cb(msg.payload);
          } catch (e) {
            console.error(`kiln: a ${msg.event} listener threw`, e);
          }
        }
      }
    };
    ws.onerror = () => {
      /* onclose follows and carries the code */
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = undefined;
      if (disposed) return;
      if (FATAL_CLOSE_CODES.has(ev.code)) {
        rejectAllPending(
          'The Kiln server refused this page.',
          'Open the exact URL (with its token) that Kiln printed when it started.',
        );
        setState('closed', ev.code === 4403 ? 'origin refused' : 'token refused');
        return;
      }
      rejectAllPending(
        'Lost the connection to the Kiln server.',
        'Check that Kiln is still running; the page reconnects by itself.',
      );
      setState('reconnecting', `retrying in ${Math.round(delay / 100) / 10} s`);
      reconnectTimer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, maxDelay);
    };
  }

  function call(method: MethodName, input: unknown): Promise<unknown> {
    if (disposed || state === 'closed') {
      return Promise.reject(
        apiError(
          'DISCONNECTED',
          'Not connected to the Kiln server.',
          'Reload the page with the URL Kiln printed.',
        ),
      );
    }
    const id = nextId++;
    const message = { type: 'call', id, method, input: input ?? {} } as WireCall;
    const frame = JSON.stringify(encodeBytes(message));
    const timeoutMs = SLOW_METHODS[method] ?? opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!pending.delete(id)) return;
        reject(
          apiError(
            'DISCONNECTED',
            `The Kiln server did not answer ${method} within ${Math.round(timeoutMs / 1000)} s.`,
            'Check that Kiln is still running in its terminal; reload the page if it is.',
          ),
        );
      }, timeoutMs);
      pending.set(id, { resolve, reject, method, timer });
      if (socket && socket.readyState === OPEN) socket.send(frame);
      else queue.push(frame);
    });
  }

  const api: Record<string, unknown> = {};
  for (const name of METHOD_NAMES) api[name] = (input: unknown) => call(name, input);

  api.on = (event: string, cb: (payload: unknown) => void) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(cb);
    return () => {
      set.delete(cb);
    };
  };
  api.onConnection = (cb: (state: ConnectionState, detail?: string) => void) => {
    connectionListeners.add(cb);
    return () => connectionListeners.delete(cb);
  };
  api.dispose = () => {
    disposed = true;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    rejectAllPending('The connection was closed.', 'Reload the page.');
    socket?.close(1000, 'client closed');
    socket = undefined;
    setState('closed');
  };
  Object.defineProperty(api, 'connection', { get: () => state, enumerable: true });

  connect();
  return api as unknown as WsKilnApi;
}

/** A rejection value that is both an Error (stack, console) and the contract's `KilnApiError` data. */
function apiError(
  code: string,
  message: string,
  hint?: string,
  details?: unknown,
): Error & { code: string; hint?: string; details?: unknown } {
  const e = new Error(message) as Error & { code: string; hint?: string; details?: unknown };
  e.name = 'KilnApiError';
  e.code = code;
  if (hint !== undefined) e.hint = hint;
  if (details !== undefined) e.details = details;
  return e;
}

// Compile-time only: keep the generic call signature honest against the contract.
