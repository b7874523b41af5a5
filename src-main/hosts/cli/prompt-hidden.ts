/** Reads one line from a terminal without echoing it (for passwords); refuses when stdin is not a terminal. */
import { KilnError } from '../../core/errors';
import type { CliIo } from './io';

export function promptHidden(io: CliIo, question: string): Promise<string> {
  const input = io.stdin;
  if (!input.isTTY || !input.setRawMode)
    return Promise.reject(
      new KilnError('BAD_REQUEST', 'A password is needed and there is no terminal to ask on.', {
        hint: 'Put it in the --wifi-file file (chmod 600) or the environment variable named in kiln provision --help.',
      }),
    );
  io.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (fn: () => void) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      io.stderr.write('\n');
      fn();
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(value));
        if (ch === '\u0003') return done(() => reject(new KilnError('CANCELLED', 'Cancelled (Ctrl-C).')));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}
