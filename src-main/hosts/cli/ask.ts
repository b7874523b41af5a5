/**
 * A yes/no question on stderr, answered by one line on stdin: "y" or "yes" (any case) is yes; anything else, or
 * stdin closing first, is no — the safe answer, so a question never does the risky thing by default.
 * Shared by `kiln doctor --fix` (run the fix?) and `kiln flash manifest.json` (erase the whole flash first?).
 */
import { createInterface } from 'node:readline';
import type { CliIo } from './io';

export function askYesNo(io: CliIo, question: string): Promise<boolean> {
  io.stderr.write(question);
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.stdin, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(/^\s*y(es)?\s*$/i.test(line));
    });
    rl.once('close', () => {
      if (!answered) resolve(false);
    });
  });
}
