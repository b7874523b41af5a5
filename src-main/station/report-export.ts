/**
 * What a report becomes for people: CSV for spreadsheets (RFC 4180 quoting: fields with a comma, quote, CR or LF
 * are quoted and inner quotes doubled; a leading = + - @ is prefixed with ' so a spreadsheet never runs a cell
 * as a formula). The summary's counts are vocabulary/board-counts.ts (one counting for every side).
 */
import type { DeviceRecord } from './schemas';

export const CSV_COLUMNS = [
  'time',
  'station',
  'profile',
  'port',
  'bridge',
  'usb_id',
  'chip',
  'revision',
  'mac',
  'flash_id',
  'flash_size',
  'firmware_sha256',
  'result',
  'skip_reason',
  'error_code',
  'error',
  'diagnosis',
  'duration_ms',
  'bytes_sent',
  'backup_file',
  'backup_sha256',
  'boot_check',
  'attempt',
] as const;

function cell(value: string | number | undefined): string {
  if (value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@]/.test(s) && typeof value === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function row(r: DeviceRecord): (string | number | undefined)[] {
  return [
    r.time,
    r.station,
    r.profile,
    r.port,
    r.bridge,
    r.usbId,
    r.chipDescription ?? r.chip,
    r.revision,
    r.mac,
    r.flashId,
    r.flashSize,
    r.firmware.map((f) => `${f.name}@0x${f.offset.toString(16)}:${f.sha256}`).join(' '),
    r.result,
    r.skipReason,
    r.error?.code,
    r.error?.message,
    r.diagnosis ? `${r.diagnosis.code}: ${r.diagnosis.title}` : undefined,
    Math.round(r.durationMs),
    r.bytesSent,
    r.backup?.file,
    r.backup?.sha256,
    r.bootCheck ? `${r.bootCheck.verdict}: ${r.bootCheck.summary}` : undefined,
    r.attempt,
  ];
}

export function recordsToCsv(records: readonly DeviceRecord[]): string {
  const lines = [CSV_COLUMNS.join(','), ...records.map((r) => row(r).map(cell).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
