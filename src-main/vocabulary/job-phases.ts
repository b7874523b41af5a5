/**
 * The phases a job reports, in the order a flash goes through them (engine phases plus 'backup', reading the
 * original before a flash). The contract's schema is built from this list and the renderer's overall progress
 * reads the order from it, so a new phase is added in one place.
 */
export const JOB_PHASES = [
  'connecting',
  'detecting',
  'stub',
  'baud',
  'backup',
  'planning',
  'erasing',
  'writing',
  'verifying',
  'reading',
  'resetting',
  'boot-check',
  'done',
] as const;
