/**
 * The shape of what the access doctor reports. A finding is data for a person: a plain title and explanation,
 * the evidence exactly as read from the system (so the claim can be checked), and the fixes that apply.
 */
import type { Fix } from './fixes';
import type { NodeStat } from './system-view';

export type Severity = 'ok' | 'info' | 'warn' | 'error';

export interface Finding {
  /** Stable id, e.g. 'port-permission', 'group-not-active', 'brltty-claims-device'. */
  id: string;
  severity: Severity;
  title: string;
  explanation: string;
  /** What was read, one line each, e.g. "crw-rw---- root:dialout /dev/ttyUSB0". */
  evidence: string[];
  fixes: Fix[];
}

const ORDER: Record<Severity, number> = { ok: 0, info: 1, warn: 2, error: 3 };

export function worstSeverity(findings: readonly Finding[]): Severity {
  let worst: Severity = 'ok';
  for (const f of findings) if (ORDER[f.severity] > ORDER[worst]) worst = f.severity;
  return worst;
}

export function bySeverity(a: Finding, b: Finding): number {
  return ORDER[b.severity] - ORDER[a.severity];
}

/** `ls -l` style mode string: 'crw-rw----'. */
export function modeString(st: Pick<NodeStat, 'type' | 'mode'>): string {
  const typeChar: Record<NodeStat['type'], string> = {
    char: 'c',
    block: 'b',
    dir: 'd',
    symlink: 'l',
    fifo: 'p',
    socket: 's',
    file: '-',
    other: '?',
  };
  const rwx = (bits: number, special: boolean, specialChar: string): string =>
    (bits & 4 ? 'r' : '-') +
    (bits & 2 ? 'w' : '-') +
    (special ? (bits & 1 ? specialChar : specialChar.toUpperCase()) : bits & 1 ? 'x' : '-');
  const m = st.mode;
  return (
    typeChar[st.type] +
    rwx((m >> 6) & 7, (m & 0o4000) !== 0, 's') +
    rwx((m >> 3) & 7, (m & 0o2000) !== 0, 's') +
    rwx(m & 7, (m & 0o1000) !== 0, 't')
  );
}
