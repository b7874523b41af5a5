/**
 * Turns a thrown failure into what a person needs: the catalogue data, plus the doctor's reading of a failed
 * handshake (flash/diagnosis.ts, from the capture the engine attached to SYNC_FAILED) and, for a busy port, who
 * holds it. The original code is always kept: enrichment adds evidence, never replaces a specific error with a
 * generic one.
 */
import { toErrorData, type KilnErrorData } from '../core/errors';
import { diagnoseFailure } from '../flash';
import type { Diagnosis } from './contract';
import type { DoctorFunctions, Logger } from './deps';

export interface DescribedFailure {
  error: KilnErrorData;
  diagnosis?: Diagnosis;
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
  const diagnosis = diagnoseFailure(
    error,
    where.usbId,
    (capture, context) => doctor.diagnoseSync(capture, context),
    (m) => logger.warn(m),
  );
  if (diagnosis) out.diagnosis = diagnosis;
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
