/**
 * The renderer's view of the contract: TYPES ONLY, re-exported from the service contract so screens, state and
 * tests import from one place. Nothing here exists at run time; the runtime schemas stay in the main process.
 */
export type {
  KilnApi,
  MethodName,
  MethodInput,
  MethodOutput,
  EventName,
  EventPayload,
  PortEntry,
  ContractDeviceInfo as DeviceInfo,
  FirmwareSummary,
  Manifest,
  JobPhase,
  JobResult,
  JobSummary,
  Diagnosis,
  AccessReport,
  Fix,
  Settings,
  FlashDefaults,
  BootCheckResult,
  WireCall,
  WireServerMessage,
} from '../../src-main/service/contract';

import type { EventPayload, JobResult } from '../../src-main/service/contract';

/** An error as the UI shows it (what a rejected call or a failed job carries). */
export interface UiError {
  code: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

export type FlashJobResult = Extract<JobResult, { kind: 'flash' }>;
export type BackupJobResult = Extract<JobResult, { kind: 'backup' }>;
export type JobProgress = EventPayload<'jobProgress'>;
export type JobLog = EventPayload<'jobLog'>;
export type FlashModeChoice = 'keep' | 'qio' | 'qout' | 'dio' | 'dout';
