/**
 * The contract's method and event names and IPC channel names as plain data, for the sandboxed preload.
 *
 * Why not `Object.keys(methods)` from the contract: that module builds every zod schema at load time, and the preload
 * would have to bundle zod and run all of it in each renderer for a list of strings. Importing only *types* from the
 * contract keeps the preload tiny, and the mapped types below keep the lists honest: a method or event missing here,
 * or one that no longer exists, fails to compile (`satisfies` rejects both missing and excess keys), and a test
 * compares the lists with the runtime contract.
 */
import type {
  EventName,
  IPC_CALL_PREFIX as ContractCallPrefix,
  IPC_EVENT_CHANNEL as ContractEventChannel,
  MethodName,
} from '../../service/contract';

const METHOD_FLAGS = {
  appInfo: true,
  listPorts: true,
  identify: true,
  inspectFirmware: true,
  getFirmware: true,
  parseManifest: true,
  startFlash: true,
  startRead: true,
  startErase: true,
  cancelJob: true,
  listJobs: true,
  doctorReport: true,
  runFix: true,
  monitorOpen: true,
  monitorWrite: true,
  monitorSetBaud: true,
  monitorReset: true,
  monitorClose: true,
  getSettings: true,
  setSettings: true,
  openLogFolder: true,
} as const satisfies { [N in MethodName]: true };

const EVENT_FLAGS = {
  portsChanged: true,
  jobStarted: true,
  jobPhase: true,
  jobProgress: true,
  jobLog: true,
  jobDone: true,
  monitorData: true,
  monitorClosed: true,
} as const satisfies { [E in EventName]: true };

// Compile-time proof that the flag objects have no keys beyond the contract's (satisfies only checks the other way
// for excess keys in fresh literals, which it does; this line also guards against widening by a later edit).
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const methodsExact: Exact<keyof typeof METHOD_FLAGS, MethodName> = true;
const eventsExact: Exact<keyof typeof EVENT_FLAGS, EventName> = true;
void methodsExact;
void eventsExact;

export const METHOD_NAME_LIST = Object.freeze(Object.keys(METHOD_FLAGS)) as readonly MethodName[];
export const EVENT_NAME_LIST = Object.freeze(Object.keys(EVENT_FLAGS)) as readonly EventName[];

/** Same literal values as the contract's constants; the type annotation fails to compile if they ever differ. */
export const CALL_PREFIX: typeof ContractCallPrefix = 'kiln:call:';
export const EVENT_CHANNEL: typeof ContractEventChannel = 'kiln:event';

export function callChannel(method: MethodName): string {
  return CALL_PREFIX + method;
}
