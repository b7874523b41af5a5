/**
 * The batch station's public API: profiles, the Station (slots, parallel runs, auto mode, retry, halt after N
 * failures), the durable JSONL report with its reader, CSV export and summary, and backups. One
 * board's run is the shared board run (flash/board-run.ts).
 * No Electron, no serialport: ports arrive through StationDeps.openPort.
 */
export { Station, type StationEvent, type StationMode, type StationOptions } from './station';
export { flashDevice, type StationDeps, type DeviceRun } from './flash-device';
export {
  parseProfile,
  loadProfileFile,
  saveProfileFile,
  missingFirmware,
  assertFirmwarePresent,
  imagesForChip,
  profileImages,
  type FirmwareSource,
} from './profile';
export { ReportLog, readReport, parseReport, type ReportContents } from './report-log';
export { recordsToCsv, summarise, CSV_COLUMNS } from './report-export';
export { saveBackup, backupFolderFor, type SavedBackup } from './backups';
export { parsePortFilter, portMatches, describeFilter, type PortFilter, type PlugInfo } from './port-filter';
export * from './schemas';
