/**
 * Turns a thrown failure into what a person needs: the catalogue data, plus the doctor's reading of a failed
 * handshake (from the capture the engine attached to SYNC_FAILED) and, for a busy port, who holds it. The
 * original code is always kept: enrichment adds evidence, never replaces a specific error with a generic one.
 */
import type { ConnectCapture } from '../core/capture';
import { toErrorData, type KilnErrorData } from '../core/errors';
import type { Diagnosis } from './contract';
import type { DoctorFunctions, Logger } from './deps';

export interface DescribedFailure {
  error: KilnErrorData;
  diagnosis?: Diagnosis;
}

function captureOf(error: KilnErrorData): ConnectCapture | undefined {
  const c = error.details?.capture as unknown as ConnectCapture | undefined;
  return c && typeof c === 'object' && Array.isArray(c.attempts) && typeof c.syncFrameHex === 'string'
    ? c
    : undefined;
}

export async function describeFailure(
  e: unknown,
  where: { port: string; usbId?: string | undefined },
  doctor: DoctorFunctions,
  logger: Logger,
): Promise<DescribedFailure> {
  const port = where.port;
  const error = toErrorData(e);
  const out: DescribedFailure = { error };
  if (error.code === 'SYNC_FAILED') {
    const capture = captureOf(error);
    if (capture) {
      try {
        out.diagnosis = doctor.diagnoseSync(capture, where.usbId ? { usbId: where.usbId } : {});
      } catch (inner) {
        logger.warn(`diagnoseSync failed: ${inner instanceof Error ? inner.message : String(inner)}`);
      }
    }
  }
  if (error.code === 'PORT_BUSY' && port && !port.startsWith('sim:') && !port.startsWith('socket://')) {
    try {
      const holders = await doctor.findPortHolders(port);
      if (holders.length > 0) {
        error.details = { ...error.details, holders };
        error.hint = `Close ${holders.join(', ')} and try again.${error.hint ? ` ${error.hint}` : ''}`;
      }
    } catch (inner) {
      logger.warn(`findPortHolders failed: ${inner instanceof Error ? inner.message : String(inner)}`);
    }
  }
  if (error.code === 'INTERNAL') logger.error(`internal error on ${port}`, e);
  return out;
}
