/**
 * The frame of the access report the doctor tests (CLI and renderer) show: Linux, failing, user `ana` in no group
 * but her own. Each test spreads it and adds the system and port findings it is about. Types only from the
 * renderer's view of the contract, so jsdom tests can import it without pulling in Node modules.
 */
import type { AccessReport } from '../../src-renderer/api/types';

export const ANA_FAILING_LINUX: Pick<
  AccessReport,
  'platform' | 'ok' | 'worst' | 'user' | 'processGroups' | 'databaseGroups'
> = {
  platform: 'linux',
  ok: false,
  worst: 'error',
  user: 'ana',
  processGroups: ['ana'],
  databaseGroups: ['ana'],
};
