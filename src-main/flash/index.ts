/**
 * The board run: one board from port to verified, shared by single flashes and the batch station. Hosts never
 * import this room; the service and the station do. (The boot-result schema is imported from ./boot-result
 * directly by the contract, which must stay free of Node code.)
 */
export { runBoard, type BoardHooks, type BoardOutcome } from './board-run';
export { withDevice, type GuidedOptions, type PortOpener, type RunBefore } from './connection';
export { withBaudFallback } from './baud-retry';
export { classifyBootText, type BootListenWindows } from './boot-check';
export { diagnoseFailure, type DiagnoseSync } from './diagnosis';
export { checkRestorable, checkWholeFlashSize } from './whole-flash';
