/**
 * A failure's next steps as the GUI says them, and the steps Kiln can take itself as buttons.
 *
 * The diagnosis is written once for every host (doctor/sync-rules.ts) and names the CLI's way beside the GUI's
 * (`--before manual`) or a control only the CLI has (a reset strategy). Those words are replaced here by what the
 * Flash screen shows (the "Guide me: I hold the button" switch). And where a step
 * is something Kiln does (listen at 74880 baud, the adapter loopback test, the serial-access check), the card
 * offers a button for it.
 */
import type { Diagnosis, UiError } from '../api/types';

export type FailureActionId = 'listen-74880' | 'adapter-self-test' | 'guided' | 'open-doctor';

export const FAILURE_ACTION_LABELS: Record<FailureActionId, string> = {
  'listen-74880': 'Listen at 74880 baud',
  'adapter-self-test': 'Run the adapter self-test',
  guided: 'Guide me through holding the button',
  'open-doctor': 'Open the Doctor',
};

/** CLI words → GUI words. Each pattern is a phrase the diagnosis catalogue (doctor/sync-rules.ts) uses. */
const GUI_WORDS: [RegExp, string][] = [
  // "use Kiln's guided mode ("Guide me" on the Flash screen, --before manual on the command line)"
  [
    / \(\u201cGuide me\u201d on the Flash screen, --before manual on the command line\)/g,
    ' (\u201cGuide me: I hold the button\u201d, below)',
  ],
  // The GUI has no reset-strategy control.
  [/try another reset strategy or a shorter cable/gi, 'try a shorter cable, without a hub'],
];

/** Errors about this computer's access to the port, which the Doctor checks and can often fix. */
const ACCESS_ERRORS = new Set(['PORT_PERMISSION_DENIED', 'PORT_BUSY', 'PORT_OPEN_FAILED', 'PORT_NOT_FOUND']);

export interface FailureContext {
  /** The port the failure happened on, when known ('serial', 'network', 'virtual'). */
  portGroup?: string | undefined;
}

export interface FailureAdvice {
  /** What to do, first to try first, in the GUI's words. */
  steps: string[];
  /** Buttons for the steps Kiln can take itself, most useful first. */
  actions: FailureActionId[];
}

export function failureAdvice(
  error: UiError | undefined,
  diagnosis: Diagnosis | undefined,
  ctx: FailureContext = {},
): FailureAdvice {
  const raw = diagnosis && diagnosis.steps.length > 0 ? diagnosis.steps : error?.hint ? [error.hint] : [];
  const steps = raw.map(inGuiWords);
  const actions: FailureActionId[] = [];
  const said = [diagnosis?.code ?? '', ...raw].join('\n');
  // A socket bridge has no local adapter to loop back and the Monitor cannot reset through it the same way.
  const local = ctx.portGroup !== 'network';
  if (local && (diagnosis?.code === 'GARBLED_LIKELY_ESP8266_BOOT_74880' || /\b74880\b/.test(said)))
    actions.push('listen-74880');
  if (/guided mode|hold (the button|FLASH|BOOT)/i.test(said)) actions.push('guided');
  if (local && /loopback|Test the adapter alone|TX to its RX/i.test(said)) actions.push('adapter-self-test');
  if (error && ACCESS_ERRORS.has(error.code)) actions.push('open-doctor');
  return { steps, actions };
}

/** One step in the GUI's words. */
function inGuiWords(step: string): string {
  return GUI_WORDS.reduce((s, [re, to]) => s.replace(re, to), step);
}
