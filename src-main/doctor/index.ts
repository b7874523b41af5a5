/**
 * The doctor's public API: accessReport() (Linux port access, no root needed), findPortHolders(), fixes as data
 * (FIXES) run only through runFix() after an explicit yes, and diagnoseSync() (a failed connect classified from its
 * ConnectCapture). The boot check and the USB snapshots are imported from their own files by their one caller.
 */
export { accessReport, type AccessReport } from './access-report';
export type { Finding } from './findings';
export { FIXES, type Fix } from './fixes';
export { runFix, type FixPlan, type FixRunResult } from './fix-runner';
export { findPortHolders } from './port-holders';
export { diagnoseSync } from './sync-diagnosis';
