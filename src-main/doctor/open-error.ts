/**
 * Maps the error of a failed port open (node-serialport's messages, or an errno code) to the error catalogue,
 * so the service can say which access check to lead with. The report itself comes from accessReport().
 */
import type { ErrorCode } from '../core/errors';

export interface OpenErrorClass {
  code: Extract<ErrorCode, 'PORT_PERMISSION_DENIED' | 'PORT_BUSY' | 'PORT_NOT_FOUND' | 'PORT_OPEN_FAILED'>;
  /** The errno name, when one could be read from the error. */
  errno: string | undefined;
}

export function classifyOpenError(err: unknown): OpenErrorClass {
  const e = err as { code?: unknown; errno?: unknown; message?: unknown } | undefined;
  const text = typeof err === 'string' ? err : typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code === 'EACCES' || code === 'EPERM' || /Permission denied|EACCES/i.test(text))
    return { code: 'PORT_PERMISSION_DENIED', errno: code ?? 'EACCES' };
  if (code === 'EBUSY' || /Device or resource busy|EBUSY/i.test(text))
    return { code: 'PORT_BUSY', errno: 'EBUSY' };
  if (code === 'EAGAIN' || /Cannot lock port|Resource temporarily unavailable|EAGAIN/i.test(text))
    return { code: 'PORT_BUSY', errno: 'EAGAIN' };
  if (code === 'ENOENT' || /No such file|ENOENT|doesn't exist|does not exist/i.test(text))
    return { code: 'PORT_NOT_FOUND', errno: 'ENOENT' };
  return { code: 'PORT_OPEN_FAILED', errno: code };
}
