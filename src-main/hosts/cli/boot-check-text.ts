/** The post-flash boot check as `kiln flash` prints it: one line when the board booted, a warning block otherwise. */
import type { BootCheckResult } from '../../service/contract';

const VERDICT_WORDS: Record<BootCheckResult['verdict'], string> = {
  booted: 'booted',
  'boot-loop': 'boot loop',
  'no-app': 'did not start the firmware',
  'download-mode': 'still in download mode',
  garbage: 'unreadable output',
  silent: 'nothing heard',
};

export function bootCheckText(b: BootCheckResult): string {
  if (b.verdict === 'booted') return `Boot check: booted. ${b.summary}`;
  const lines = [
    `Warning: boot check: ${VERDICT_WORDS[b.verdict]}. ${b.summary}`,
    '  (The flash itself is verified; this is what the board did after the reset.)',
  ];
  for (const e of b.evidence.slice(0, 4)) lines.push(`  heard: ${e}`);
  (b.advice ?? []).forEach((a, i) => lines.push(`  ${i === 0 ? 'next' : 'then'}: ${a}`));
  const mode = b.retryFlashModes?.[0];
  if (mode) lines.push(`  To try it: run the same command with --flash-mode ${mode}.`);
  return lines.join('\n');
}
