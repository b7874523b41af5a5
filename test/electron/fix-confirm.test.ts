/**
 * Electron's "yes" for a doctor fix is a native message box from the main process showing the exact argv
 * (issue 15, finding 1); Cancel is the default and the Escape answer.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserWindow, MessageBoxOptions } from 'electron';
import { nativeFixConfirmation } from '../../src-main/hosts/electron/fix-confirm';
import type { FixConfirmationRequest } from '../../src-main/service/deps';
import { socketTargetRequest } from '../../src-main/service/socket-targets';

const request: FixConfirmationRequest = {
  title: 'Close screen (PID 4242)',
  why: 'screen has the port open.',
  commands: [['kill', '-TERM', '4242']],
  warning: 'Unsaved work may be lost.',
};

function dialogAnswering(response: number) {
  const shown: { window: unknown; options: MessageBoxOptions }[] = [];
  return {
    shown,
    dialog: {
      showMessageBox: (async (a: unknown, b?: MessageBoxOptions) => {
        shown.push(b ? { window: a, options: b } : { window: null, options: a as MessageBoxOptions });
        return { response, checkboxChecked: false };
      }) as never,
    },
  };
}

describe('the native fix dialog', () => {
  it('shows the exact argv, owned by the window, Cancel by default', async () => {
    const window = { id: 1 } as unknown as BrowserWindow;
    const d = dialogAnswering(0);
    expect(await nativeFixConfirmation(d.dialog, () => window)(request)).toBe(false);
    const { options } = d.shown[0]!;
    expect(d.shown[0]!.window).toBe(window);
    expect(options.detail).toContain('["kill","-TERM","4242"]');
    expect(options.detail).toContain('Unsaved work may be lost.');
    expect(options.buttons).toEqual(['Cancel', 'Run']);
    expect(options.defaultId).toBe(0);
    expect(options.cancelId).toBe(0);
  });

  it('runs only when the person pressed Run', async () => {
    expect(await nativeFixConfirmation(dialogAnswering(1).dialog, () => null)(request)).toBe(true);
  });
});

describe('the native question for a new socket:// target', () => {
  it('names the target, runs nothing, and answers Allow or Cancel', async () => {
    const d = dialogAnswering(1);
    expect(await nativeFixConfirmation(d.dialog, () => null)(socketTargetRequest('192.168.4.1:2217'))).toBe(
      true,
    );
    const { options } = d.shown[0]!;
    expect(options.message).toContain('192.168.4.1:2217');
    expect(options.detail).not.toContain('Kiln will run');
    expect(options.buttons).toEqual(['Cancel', 'Allow']);
  });
});
