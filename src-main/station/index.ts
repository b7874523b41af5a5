/**
 * The batch station's public API: profiles, the Station (slots, parallel runs, auto mode, retry, halt after N
 * failures), the durable JSONL report with its reader, CSV export and summary, backups and the boot check.
 * No Electron, no serialport: ports arrive through StationDeps.openPort.
 */
export { Station, type StationEvent } from './station';
export type { StationDeps } from './flash-device';
export { parseProfile, loadProfileFile, saveProfileFile, missingFirmware } from './profile';
export { ReportLog, readReport, parseReport } from './report-log';
export { recordsToCsv, summarise, CSV_COLUMNS } from './report-export';
export { classifyBootText } from './boot-check';
export { parsePortFilter, portMatches, describeFilter, type PlugInfo } from './port-filter';
export * from './schemas';
