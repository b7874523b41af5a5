/**
 * Where the time of one `kiln flash --json` went, from the arrival times of its phase events: start-up (spawn to
 * the first phase), connect (sync and detect), stub (upload and baud change), pre-check (the MD5s that decide
 * what to skip), write, verify, reset (the rest, to the process's exit).
 */
import type { TimedRun } from './timed-command';

export const PHASES = ['startup', 'connect', 'stub', 'precheck', 'write', 'verify', 'reset'] as const;
export type Phase = (typeof PHASES)[number];

/** Which engine phase starts which of ours. */
const STARTS: Record<string, Phase> = {
  connecting: 'connect',
  stub: 'stub',
  planning: 'precheck',
  writing: 'write',
  verifying: 'verify',
  'boot-check': 'reset',
  resetting: 'reset',
  done: 'reset',
};

export function kilnPhases(run: TimedRun): Record<Phase, number> {
  const marks: { phase: Phase; ms: number }[] = [{ phase: 'startup', ms: 0 }];
  for (const line of run.lines) {
    if (!line.text.startsWith('{')) continue;
    const ev = JSON.parse(line.text) as { event?: string; phase?: string };
    if (ev.event !== 'phase' || !ev.phase) continue;
    const phase = STARTS[ev.phase];
    if (phase && !marks.some((m) => m.phase === phase)) marks.push({ phase, ms: line.ms });
  }
  const out = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  marks.forEach((m, i) => (out[m.phase] = (marks[i + 1]?.ms ?? run.ms) - m.ms));
  return out;
}
