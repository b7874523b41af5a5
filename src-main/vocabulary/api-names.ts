/**
 * The contract's names as plain strings: every method, every event, and the two Electron IPC channels. The
 * contract (service/contract.ts) builds its zod schemas under exactly these names and fails to compile when the
 * two disagree; the renderer's WebSocket client and the Electron preload import this list at run time, which they
 * cannot do with the contract itself (it carries zod and every schema).
 */

export const METHOD_NAMES = [
  'appInfo',
  'listPorts',
  'identify',
  'provision',
  'inspectFirmware',
  'getFirmware',
  'parseManifest',
  'startFlash',
  'startRead',
  'startErase',
  'startBackup',
  'startRestore',
  'cancelJob',
  'listJobs',
  'doctorReport',
  'adapterSelfTest',
  'virtualHands',
  'runFix',
  'monitorOpen',
  'monitorWrite',
  'monitorSetBaud',
  'monitorReset',
  'monitorClose',
  'getSettings',
  'setSettings',
  'openLogFolder',
  'stationListProfiles',
  'stationSaveProfile',
  'stationDeleteProfile',
  'stationStart',
  'stationStop',
  'stationRetryFailed',
  'stationStatus',
  'stationPlugVirtual',
  'stationUnplugVirtual',
  'stationReport',
  'stationExportCsv',
  'fleetWatch',
  'fleetStatus',
  'fleetExportCsv',
  'fleetUnwatch',
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export const EVENT_NAMES = [
  'portsChanged',
  'jobStarted',
  'jobPhase',
  'jobProgress',
  'jobLog',
  'jobDone',
  'monitorData',
  'monitorClosed',
  'stationUpdate',
  'stationRecord',
  'fleetUpdate',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/**
 * Electron IPC: one `ipcMain.handle` channel per method, `kiln:call:<method>`, resolving to a `CallOutcome`;
 * events travel on `kiln:event` as `WireEvent`s.
 */
export const IPC_CALL_PREFIX = 'kiln:call:';
export const IPC_EVENT_CHANNEL = 'kiln:event';
