/**
 * The doctor's public API. Linux port access: accessReport() (no root needed), findPortHolders(),
 * compareUsbSnapshots()/usbSnapshot(); fixes as data (FIXES, fixesFor) run only through runFix() after an
 * explicit yes. Connection: diagnoseSync() classifies a failed connect from its ConnectCapture. After a flash:
 * checkBoot() resets, listens and classifies what the board prints (classifyBoot() on bytes already heard).
 */
export {
  accessReport,
  allFindings,
  fixesFor,
  type AccessReport,
  type AccessReportOptions,
  type PortReport,
} from './access-report';
export type { AccessHints } from './access-context';
export type { Finding, Severity } from './findings';
export { FIXES, STAGED_FILE, type Fix, type FixStep } from './fixes';
export {
  runFix,
  defaultSpawn,
  type FixPlan,
  type FixRunResult,
  type RunFixOptions,
  type SpawnFn,
  type CommandResult,
} from './fix-runner';
export { findPortHolders, type PortHolder, type PortHolders } from './port-holders';
export {
  usbSnapshot,
  compareUsbSnapshots,
  type UsbDevice,
  type UsbSnapshot,
  type UsbComparison,
} from './usb-devices';
export {
  createSystemView,
  FIXTURE_MANIFEST,
  type SystemView,
  type FixtureManifest,
  type FixtureNode,
} from './system-view';
export {
  diagnoseSync,
  type Diagnosis,
  type SyncDiagnosisCode,
  type SyncContext,
  type Confidence,
} from './sync-diagnosis';
export { BootTextExtractor, extractText, type TextSummary } from './boot-text';
export {
  checkBoot,
  classifyBoot,
  bootFlashMode,
  type BootReport,
  type BootVerdict,
  type BootCheckContext,
  type RetryFlashMode,
  type HeaderFlashMode,
} from './boot-check';
export {
  listenForBoot,
  bootListenPlan,
  romBaudFor,
  type BootListen,
  type BootListenOptions,
} from './boot-listen';
export { classifyOpenError, type OpenErrorClass } from './open-error';
export { KILN_UDEV_RULE, KILN_UDEV_RULE_PATH } from './kiln-udev-rule';
