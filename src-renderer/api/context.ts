/**
 * The API client reaches components through Svelte context, set once by the app root (or by a test with a fake).
 * Components never call getApi() themselves, so the same component runs against Electron, the WebSocket client, or
 * a test double.
 */
import { getContext, setContext } from 'svelte';
import type { KilnApi } from './types';

const API_KEY = Symbol('kiln-api');

export function provideApi(api: KilnApi): void {
  setContext(API_KEY, api);
}

export function useApi(): KilnApi {
  const api = getContext<KilnApi | undefined>(API_KEY);
  if (!api)
    throw new Error('No Kiln API in context: mount the component under <App> or pass `context` in the test.');
  return api;
}

/** For tests: the context map that `render(Component, { context })` takes. */
export function apiContext(api: KilnApi): Map<symbol, unknown> {
  return new Map([[API_KEY, api]]);
}
