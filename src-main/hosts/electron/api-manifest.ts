/**
 * How the sandboxed preload learns the contract's method and event names without loading the contract.
 *
 * The contract module builds every zod schema when it loads; bundling it into the preload would put zod and all the
 * schemas into every renderer for a list of strings. Instead the main process, which has the contract, passes the
 * names to the renderer process as one command-line argument (`webPreferences.additionalArguments`, Electron's
 * documented channel to preloads; `process.argv` is available in sandboxed preloads and invisible to the page).
 * A method added to the contract therefore needs no change in the host. Only *types* are imported here.
 */
import type {
  EventName,
  IPC_CALL_PREFIX as ContractCallPrefix,
  IPC_EVENT_CHANNEL as ContractEventChannel,
  MethodName,
} from '../../service/contract';

export const API_ARGUMENT_PREFIX = '--kiln-api=';

/** Same literal values as the contract's constants; the annotations fail to compile if they ever differ. */
export const CALL_PREFIX: typeof ContractCallPrefix = 'kiln:call:';
export const EVENT_CHANNEL: typeof ContractEventChannel = 'kiln:event';

export interface ApiManifest {
  methods: readonly MethodName[];
  events: readonly EventName[];
}

const NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const RESERVED = new Set([
  'on',
  'constructor',
  'prototype',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
]);

export function encodeApiManifest(manifest: ApiManifest): string {
  return API_ARGUMENT_PREFIX + JSON.stringify({ m: manifest.methods, e: manifest.events });
}

/**
 * Reads the manifest from `process.argv`. Throws (so the preload exposes nothing) when it is missing or malformed:
 * a half-built API would fail later in confusing ways.
 */
export function readApiManifest(argv: readonly string[]): ApiManifest {
  const arg = argv.find((a) => a.startsWith(API_ARGUMENT_PREFIX));
  if (!arg) throw new Error('Kiln preload: the API manifest argument is missing');
  const parsed: unknown = JSON.parse(arg.slice(API_ARGUMENT_PREFIX.length));
  const list = (value: unknown, what: string): string[] => {
    if (!Array.isArray(value) || value.length === 0)
      throw new Error(`Kiln preload: no ${what} in the API manifest`);
    for (const name of value) {
      if (typeof name !== 'string' || !NAME.test(name) || RESERVED.has(name))
        throw new Error(`Kiln preload: bad ${what} name ${JSON.stringify(name)}`);
    }
    if (new Set(value).size !== value.length) throw new Error(`Kiln preload: duplicate ${what} names`);
    return value as string[];
  };
  const record = (parsed ?? {}) as { m?: unknown; e?: unknown };
  return {
    methods: list(record.m, 'method') as MethodName[],
    events: list(record.e, 'event') as EventName[],
  };
}
