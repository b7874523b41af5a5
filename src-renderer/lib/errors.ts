import type { UiError } from '../api/types';

/** Normalises whatever a rejected call carried into `{code, message, hint, details}` for display. */
export function toUiError(e: unknown): UiError {
  if (e !== null && typeof e === 'object' && 'code' in e && 'message' in e) {
    const r = e as { code: unknown; message: unknown; hint?: unknown; details?: unknown };
    const out: UiError = { code: String(r.code), message: String(r.message) };
    if (typeof r.hint === 'string') out.hint = r.hint;
    if (r.details && typeof r.details === 'object') out.details = r.details as Record<string, unknown>;
    return out;
  }
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}
