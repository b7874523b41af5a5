/**
 * Browser mode's "yes" for a doctor fix (or a new socket:// target): asked in the terminal that runs `npm run web`, never by the page. The
 * page can be any tab that got hold of the token; the terminal is the person who started Kiln. The exact argv
 * arrays (and any file the fix writes) are printed, and only the word `yes` typed there runs them. Without an
 * interactive terminal (started by a service manager, stdin from /dev/null) nothing is asked and the fix is
 * refused: the page then shows the commands to copy. Questions are asked one at a time; one left unanswered
 * for `timeoutMs` counts as no.
 */
import { createInterface } from 'node:readline';
import type { FixConfirmation, FixConfirmationRequest } from '../../service/deps';
import { argvLines, filePreviewLines } from '../shared/fix-text';

export interface TerminalConfirmOptions {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
  /** Unanswered for this long = no (default 5 minutes). */
  timeoutMs?: number;
}

export function fixConfirmationText(request: FixConfirmationRequest): string {
  const lines = ['', `Kiln: the page asks: ${request.title}`, `  ${request.why}`];
  if (request.commands.length > 0)
    lines.push('  Exact commands (run without a shell):', ...argvLines(request.commands));
  if (request.preview) lines.push(...filePreviewLines(request.preview));
  if (request.warning) lines.push(`  Note: ${request.warning}`);
  return lines.join('\n') + '\n';
}

export function terminalFixConfirmation(opts: TerminalConfirmOptions): FixConfirmation {
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  let queue: Promise<unknown> = Promise.resolve();
  const askOnce = (request: FixConfirmationRequest): Promise<boolean> => {
    opts.output.write(fixConfirmationText(request));
    if (!opts.input.isTTY) {
      opts.output.write('  Not run: no terminal to confirm in. The page shows the commands to type.\n');
      return Promise.resolve(false);
    }
    opts.output.write('  Type yes and Enter to run it (anything else refuses): ');
    return new Promise((resolve) => {
      const rl = createInterface({ input: opts.input, terminal: false });
      let settled = false;
      const finish = (yes: boolean, note: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        rl.close();
        opts.output.write(`  ${note}\n`);
        resolve(yes);
      };
      const timer = setTimeout(() => finish(false, 'No answer: not run.'), timeoutMs);
      rl.once('line', (line) => {
        const yes = line.trim().toLowerCase() === 'yes';
        finish(yes, yes ? 'Running it.' : 'Refused: not run.');
      });
      rl.once('close', () => finish(false, 'Terminal closed: not run.'));
    });
  };
  return (request) => {
    const answer = queue.then(() => askOnce(request));
    queue = answer.catch(() => undefined);
    return answer;
  };
}
