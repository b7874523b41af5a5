/** Plain-text renderings shared by the commands: sizes, rates, device info, errors with their diagnosis. */
import type { KilnErrorData } from '../../core/errors';
import type { ContractDeviceInfo, Diagnosis } from '../../service/contract';

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(2)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KB`;
  return `${n} B`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

export function hex(n: number, width = 0): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}

/** JEDEC id as the manufacturer and device bytes esptool prints (manufacturer in the low byte). */
export function formatFlashId(id: number): string {
  const manufacturer = id & 0xff;
  const device = ((id >> 16) & 0xff) | (((id >> 8) & 0xff) << 8);
  return `${hex(id, 6)} (manufacturer ${hex(manufacturer, 2)}, device ${hex(device, 4)})`;
}

export function deviceLines(d: ContractDeviceInfo): string[] {
  return [
    `Chip:      ${d.description} (${d.chip})`,
    `Revision:  ${d.revision}`,
    `Features:  ${d.features.join(', ') || '—'}`,
    `MAC:       ${d.mac}`,
    `Crystal:   ${d.crystalMHz} MHz`,
    `Flash id:  ${formatFlashId(d.flashId)}`,
    `Flash:     ${d.flashSize > 0 ? formatBytes(d.flashSize) : 'size unknown'}`,
  ];
}

export function diagnosisLines(d: Diagnosis): string[] {
  const out = [
    `Diagnosis: ${d.title}${d.confidence ? ` (${d.confidence} confidence)` : ''}`,
    `  ${d.explanation}`,
  ];
  if (d.evidence.length > 0) out.push('  Evidence:', ...d.evidence.map((e) => `    - ${e}`));
  if (d.steps.length > 0) out.push('  What to do:', ...d.steps.map((s, i) => `    ${i + 1}. ${s}`));
  return out;
}

export function errorLines(e: KilnErrorData, diagnosis?: Diagnosis): string[] {
  const out = [`error ${e.code}: ${e.message}`];
  if (e.hint) out.push(`hint: ${e.hint}`);
  const holders = e.details?.holders;
  if (Array.isArray(holders) && holders.length > 0) out.push(`held by: ${holders.join(', ')}`);
  if (diagnosis) out.push('', ...diagnosisLines(diagnosis));
  return out;
}
