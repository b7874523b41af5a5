/**
 * The one gatekeeper between the renderer and the service. Every contract method is bound in a single loop, so a
 * method added to the contract needs no change here. Per call, in order:
 *   1. sender check: only the main frame of Kiln's own window, showing a `kiln://app/` page (this gate's job:
 *      only the Electron host knows who is calling);
 *   2. the service's `invoke`, which validates the input against the contract (`parseCall`) for every host alike,
 *      so a bad payload is refused there, once, with BAD_REQUEST.
 * The answer is always a `CallOutcome` value, never a thrown Error: Electron keeps only the `message` of an error
 * thrown from a handler, and the renderer needs `code`, `hint` and `details`.
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { KilnError, toErrorData } from '../../core/errors';
import {
  type CallOutcome,
  type EventName,
  type EventPayload,
  type MethodName,
  type MethodOutput,
  type WireEvent,
} from '../../service/contract';
import { EVENT_NAMES, IPC_CALL_PREFIX, IPC_EVENT_CHANNEL, METHOD_NAMES } from '../../vocabulary';
import { isAppUrl } from './app-protocol';

/** The service's door: takes the renderer's raw input, validates it, runs the method. */
export type ServiceInvoke = (method: MethodName, input: unknown) => Promise<unknown>;
/** Subscribes to all service events (the service's event bus); returns the unsubscribe function. */
export type ServiceSubscribe = (
  listener: <E extends EventName>(event: E, payload: EventPayload<E>) => void,
) => () => void;

export interface BindingLog {
  warn(...args: unknown[]): void;
}

export interface ContractBindingOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  /** The one window allowed to call (looked up per call: it may be closed and re-created on macOS). */
  getWindow: () => BrowserWindow | null;
  invoke: ServiceInvoke;
  log?: BindingLog;
}

/**
 * True only for the main frame of `window`, currently showing the app's own origin. Rejects: other WebContents,
 * sub-frames (an iframe would be a foreign page), a frame that navigated away or was destroyed, and any URL outside
 * `kiln://app/`.
 */
export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  window: BrowserWindow | null,
): boolean {
  if (!window || window.isDestroyed()) return false;
  const contents = window.webContents;
  if (event.sender !== contents) return false;
  const frame = event.senderFrame;
  if (!frame) return false;
  if (frame !== contents.mainFrame || frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

/** Handles one call; exported so tests can drive it without a channel registry. */
export async function handleCall(
  method: MethodName,
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  input: unknown,
  options: Omit<ContractBindingOptions, 'ipcMain'>,
): Promise<CallOutcome> {
  if (!isTrustedSender(event, options.getWindow())) {
    options.log?.warn(
      `refused ${method}: call from an untrusted sender`,
      event.senderFrame?.url ?? '(no frame)',
    );
    return {
      ok: false,
      error: new KilnError('BAD_REQUEST', 'Refused: the request did not come from Kiln\u2019s own window.', {
        hint: 'Only the Kiln window may use the flasher.',
        details: { method },
      }).toData(),
    };
  }
  try {
    const output = (await options.invoke(method, input)) as MethodOutput<typeof method>;
    return { ok: true, output };
  } catch (e) {
    const error = toErrorData(e);
    if (error.code === 'INTERNAL') options.log?.warn(`${method} failed unexpectedly`, e);
    return { ok: false, error };
  }
}

/** Registers `kiln:call:<method>` for every contract method. Returns a function that removes them all. */
export function bindContract(options: ContractBindingOptions): () => void {
  const { ipcMain, ...rest } = options;
  for (const method of METHOD_NAMES) {
    ipcMain.handle(IPC_CALL_PREFIX + method, (event, input: unknown) =>
      handleCall(method, event, input, rest),
    );
  }
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(IPC_CALL_PREFIX + method);
  };
}

/**
 * Sends every service event to the window as a `WireEvent` on `kiln:event` (the preload fans them out to `on`
 * subscribers). Events are dropped while no live window exists. Returns the unsubscribe.
 */
export function forwardEvents(
  subscribe: ServiceSubscribe,
  getWindow: () => BrowserWindow | null,
): () => void {
  return subscribe((event, payload) => {
    if (!(EVENT_NAMES as readonly string[]).includes(event)) return;
    const window = getWindow();
    if (!window || window.isDestroyed() || window.webContents.isDestroyed()) return;
    const message: WireEvent = { type: 'event', event, payload };
    window.webContents.send(IPC_EVENT_CHANNEL, message);
  });
}
