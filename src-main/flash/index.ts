/**
 * The board run: one board from port to verified, shared by single flashes and the batch station. Hosts never
 * import this room; the service and the station do.
 */
export {
  runBoard,
  type BoardRun,
  type BoardOutcome,
  type BoardFacts,
  type BoardImage,
  type BoardHooks,
  type BoardPhase,
  type BackupPlan,
  type WriteOptions,
} from './board-run';
export { withDevice, type PortOpener, type PortRef, type DeviceRequest } from './connection';
export { withBaudFallback } from './baud-retry';
export { classifyBootText, toBootResult, wantsBootCheck, type BootListenWindows } from './boot-check';
export {
  bootCheckResultSchema,
  bootVerdictSchema,
  type BootCheckResult,
  type BootVerdict,
} from './boot-result';
export { diagnoseFailure, type DiagnoseSync } from './diagnosis';
