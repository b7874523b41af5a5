/**
 * Browser mode asks the terminal that runs Kiln, not the page, before a doctor fix runs (issue 15, finding 1):
 * the exact argv is printed there, only `yes` typed there runs it, and without a terminal the answer is no.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { terminalFixConfirmation } from '../../src-main/hosts/web/terminal-confirm';
import type { FixConfirmationRequest } from '../../src-main/service/deps';

const request: FixConfirmationRequest = {
  title: 'Add stephane to the dialout group',
  why: 'The port belongs to dialout.',
  commands: [['pkexec', 'usermod', '-aG', 'dialout', 'stephane']],
};

function terminal(isTTY: boolean) {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d: Buffer) => (shown += d.toString()));
  return { input, output, shown: () => shown };
}

describe('the browser-mode fix question, asked in the terminal', () => {
  it('prints the exact argv and runs only on a typed "yes"', async () => {
    const t = terminal(true);
    const confirm = terminalFixConfirmation(t);
    const first = confirm(request);
    const second = confirm({ ...request, title: 'second' });
    t.input.write('y\n');
    expect(await first).toBe(false);
    t.input.write('yes\n');
    expect(await second).toBe(true);
    expect(t.shown()).toContain('["pkexec","usermod","-aG","dialout","stephane"]');
    // One question at a time: the second was printed after the first was answered.
    expect(t.shown().indexOf('second')).toBeGreaterThan(t.shown().indexOf('Refused'));
  });

  it('without a terminal the fix is refused, never assumed', async () => {
    const t = terminal(false);
    expect(await terminalFixConfirmation(t)(request)).toBe(false);
    expect(t.shown()).toContain('no terminal to confirm in');
  });

  it('a closed terminal or no answer in time is a no', async () => {
    const closed = terminal(true);
    const asked = terminalFixConfirmation(closed)(request);
    closed.input.end();
    expect(await asked).toBe(false);
    expect(await terminalFixConfirmation({ ...terminal(true), timeoutMs: 1 })(request)).toBe(false);
  });
});
