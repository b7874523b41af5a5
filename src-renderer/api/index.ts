/**
 * Where the app's API comes from: Electron's preload object (`window.kiln`) when present, otherwise the browser-mode
 * WebSocket client on the page's own host. Called once by main.ts; everything below App receives it by context.
 */
import { takePageToken } from './page-token';
import type { KilnApi } from './types';
import { createWsClient, type WsKilnApi } from './ws-client';

declare global {
  interface Window {
    kiln?: KilnApi;
  }
}

/** The server's WebSocket path (the contract: `ws://127.0.0.1:<port>/api?token=<token>`). */
export const WS_PATH = '/api';

export function getApi(win: Window = window): KilnApi | WsKilnApi {
  if (win.kiln) return win.kiln;
  return createWsClient({ url: wsUrlFor(win.location, takePageToken(win)) });
}

/** ws://<same host>/api?token=<token>. The token goes only to the page's own origin, only on this socket. */
export function wsUrlFor(location: Pick<Location, 'protocol' | 'host'>, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
}

export function isWsClient(api: KilnApi): api is WsKilnApi {
  return typeof (api as Partial<WsKilnApi>).onConnection === 'function';
}
