/**
 * Electron's "yes" for a doctor fix: a native message box owned by the main process, showing the exact argv
 * of every command. The renderer cannot draw it, answer it or skip it — in Electron the page is the trusted
 * main frame, so a sender check says nothing about whether a person agreed. Cancel is the default button.
 */
import type { BrowserWindow, Dialog, MessageBoxOptions } from 'electron';
import type { FixConfirmation, FixConfirmationRequest } from '../../service/deps';

const RUN = 1;

export function fixMessageBoxOptions(request: FixConfirmationRequest): MessageBoxOptions {
  const detail = [request.why];
  if (request.commands.length > 0)
    detail.push(
      '',
      'Kiln will run exactly (no shell):',
      ...request.commands.map((argv) => JSON.stringify(argv)),
    );
  if (request.preview) detail.push('', `It writes ${request.preview.path}:`, request.preview.content);
  if (request.warning) detail.push('', request.warning);
  return {
    type: 'warning',
    title: request.commands.length > 0 ? 'Kiln: run a fix?' : 'Kiln: allow this?',
    message: request.title,
    detail: detail.join('\n'),
    buttons: ['Cancel', request.commands.length > 0 ? 'Run' : 'Allow'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  };
}

export function nativeFixConfirmation(
  dialog: Pick<Dialog, 'showMessageBox'>,
  getWindow: () => BrowserWindow | null,
): FixConfirmation {
  return async (request) => {
    const options = fixMessageBoxOptions(request);
    const window = getWindow();
    const { response } = window
      ? await dialog.showMessageBox(window, options)
      : await dialog.showMessageBox(options);
    return response === RUN;
  };
}
