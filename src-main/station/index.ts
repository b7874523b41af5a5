/**
 * The batch station's public API: profiles, the Station (slots, parallel runs, auto mode, retry, halt after N
 * failures), the durable JSONL report with its reader, CSV export, and backups (the summary's counts are
 * vocabulary/board-counts.ts). One board's run is the shared board run (flash/board-run.ts).
 * No Electron, no serialport: ports arrive through StationDeps.openPort.
 */
export { Station, type StationEvent } from './station';
export type { StationDeps } from './flash-device';
export { parseProfile, loadProfileFile, saveProfileFile, missingFirmware } from './profile';
export { ReportLog, readReport, parseReport } from './report-log';
export { recordsToCsv, CSV_COLUMNS } from './report-export';
export { parsePortFilter, portMatches, describeFilter, type PlugInfo } from './port-filter';
export * from './schemas';
