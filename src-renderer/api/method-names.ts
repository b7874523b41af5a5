/**
 * Every contract method by name, for the WebSocket client (the renderer may not import the contract's runtime
 * values). The type check below fails the build when the contract gains or loses a method and this list does not.
 */
import type { MethodName } from './types';

export const METHOD_NAMES = [
  'appInfo',
  'listPorts',
  'identify',
  'inspectFirmware',
  'getFirmware',
  'parseManifest',
  'startFlash',
  'startRead',
  'startErase',
  'cancelJob',
  'listJobs',
  'doctorReport',
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
] as const satisfies readonly MethodName[];

type Listed = (typeof METHOD_NAMES)[number];
type Missing = Exclude<MethodName, Listed>;
// If this line errors, add the missing method name(s) to METHOD_NAMES.
export const everyMethodListed: [Missing] extends [never] ? true : Missing = true;
