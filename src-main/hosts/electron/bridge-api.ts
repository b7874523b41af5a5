/**
 * Builds the `window.kiln` object from an ipcRenderer-like port and the contract's names. Runs inside the sandboxed
 * preload, so it takes the names from the vocabulary (plain constants, no zod), only types from the contract, and
 * nothing from Node.
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import type {
  CallOutcome,
  EventName,
  EventPayload,
  KilnApi,
  KilnApiError,
  WireEvent,
} from '../../service/contract';
import { EVENT_NAMES, IPC_CALL_PREFIX, IPC_EVENT_CHANNEL, METHOD_NAMES } from '../../vocabulary';

export type IpcRendererPort = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

type Listener = (payload: unknown) => void;

export function buildKilnApi(ipc: IpcRendererPort): KilnApi {
  const listeners = new Map<EventName, Set<Listener>>();
  let attached = false;

  // One ipcRenderer listener for all events, attached on first subscription; the page never sees the IPC event
  // object (it carries `sender`, an ipcRenderer handle).
  const dispatch = (_event: IpcRendererEvent, message: WireEvent) => {
    if (!message || typeof message !== 'object') return;
    const set = listeners.get(message.event);
    if (!set) return;
    for (const cb of [...set]) {
      try {
        cb(message.payload);
      } catch {
        // A throwing subscriber must not stop the others.
      }
    }
  };

  const api: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) {
    api[method] = async (input: unknown) => {
      const outcome = (await ipc.invoke(IPC_CALL_PREFIX + method, input ?? {})) as CallOutcome;
      if (outcome.ok) return outcome.output;
      // A plain object, not an Error: contextBridge drops custom properties of Error instances.
      const error: KilnApiError = { ...outcome.error };
      throw error;
    };
  }

  api.on = <E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): (() => void) => {
    if (!(EVENT_NAMES as readonly string[]).includes(event))
      throw new TypeError(`Unknown Kiln event: ${String(event)}`);
    if (typeof cb !== 'function') throw new TypeError('Kiln event callback must be a function');
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const listener = cb as Listener;
    set.add(listener);
    if (!attached) {
      ipc.on(IPC_EVENT_CHANNEL, dispatch);
      attached = true;
    }
    return () => {
      set.delete(listener);
      const anyLeft = [...listeners.values()].some((s) => s.size > 0);
      if (!anyLeft && attached) {
        ipc.removeListener(IPC_EVENT_CHANNEL, dispatch);
        attached = false;
      }
    };
  };

  return Object.freeze(api) as KilnApi;
}
