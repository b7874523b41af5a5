/**
 * The one place a failed connection becomes a diagnosis: SYNC_FAILED carries the bytes heard while connecting
 * (`details.capture`, core/capture.ts), and the doctor's rule table reads them (doctor/sync-diagnosis.ts). Single
 * flashes, identify and the station all come through here; the caller supplies the doctor (the service's adds
 * the kernel release) and a way to report a diagnosis that itself failed.
 */
import type { ConnectCapture } from '../core/capture';
import type { KilnErrorData } from '../core/errors';

/** The doctor's diagnoseSync, or the service's adapter of it (`D`: the diagnosis shape the caller records). */
export type DiagnoseSync<D> = (capture: ConnectCapture, context: { usbId?: string }) => D;

function captureOf(error: KilnErrorData): ConnectCapture | undefined {
  const c = error.details?.capture as unknown as ConnectCapture | undefined;
  return c && typeof c === 'object' && Array.isArray(c.attempts) && typeof c.syncFrameHex === 'string'
    ? c
    : undefined;
}

/** The doctor's reading of a failed handshake; undefined for any other failure or when no capture came with it. */
export function diagnoseFailure<D extends object>(
  error: KilnErrorData,
  usbId: string | undefined,
  diagnoseSync: DiagnoseSync<D>,
  onDoctorError: (message: string) => void,
): D | undefined {
  if (error.code !== 'SYNC_FAILED') return undefined;
  const capture = captureOf(error);
  if (!capture) return undefined;
  try {
    return { ...diagnoseSync(capture, usbId ? { usbId } : {}) };
  } catch (e) {
    onDoctorError(`diagnoseSync failed: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}
