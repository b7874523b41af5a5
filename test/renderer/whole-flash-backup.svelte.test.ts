/**
 * The "Back up or restore the whole flash" panel against a fake backend: what it sends (startBackup with the
 * screen's port and baud; startRestore with the file the user chose, only after they confirm), what it shows when
 * the backup is done, and a refusal read in words first (title, what to do), the code behind the disclosure.
 */
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import WholeFlashBackup from '../../src-renderer/components/WholeFlashBackup.svelte';
import { AppState, appStateContext } from '../../src-renderer/state/app-state.svelte';
import { createFakeApi, settle } from './fake-api';

const PORT = { path: 'sim:esp8266?flash=256K', label: 'Virtual ESP8266 (simulated)' };
const MD5 = 'ab'.repeat(16);

async function openPanel(props: Record<string, unknown>) {
  const api = createFakeApi();
  const app = new AppState(api);
  render(WholeFlashBackup, { props, context: appStateContext(app) });
  const details = screen.getByTestId('whole-flash') as HTMLDetailsElement;
  details.open = true;
  await fireEvent(details, new Event('toggle'));
  await settle();
  return api;
}

describe('WholeFlashBackup', () => {
  it('without a port: both actions wait, and it says why', async () => {
    await openPanel({});
    expect(screen.getByRole('button', { name: 'Back up the whole flash' })).toBeDisabled();
    expect(screen.getByLabelText('Restore a backup…')).toBeDisabled();
    expect(screen.getByText('Choose a port first.')).toBeInTheDocument();
  });

  it('backs up with the screen\u2019s port and baud, then shows the file, the board and the chip\u2019s MD5', async () => {
    const api = await openPanel({ port: PORT, baud: 460800 });
    api.fn.startBackup.mockResolvedValue({ jobId: 'b1' });
    await fireEvent.click(screen.getByRole('button', { name: 'Back up the whole flash' }));
    await settle();
    expect(api.fn.startBackup).toHaveBeenCalledWith({ port: PORT.path, baud: 460800 });
    expect(screen.getByTestId('job-progress')).toBeInTheDocument();

    api.emit('jobDone', {
      jobId: 'b1',
      kind: 'backup',
      ok: true,
      result: {
        kind: 'backup',
        device: {
          chip: 'esp8266',
          description: 'ESP8266EX',
          revision: '',
          features: [],
          mac: '18:fe:34:00:00:0a',
          crystalMHz: 26,
          flashId: 0x1240ef,
          flashSize: 262144,
          stub: true,
          baud: 460800,
        },
        backup: {
          offset: 0,
          size: 262144,
          sha256: 'c'.repeat(64),
          md5: MD5,
          file: '/data/backups/18fe3400000a-20261206-211209-full.bin',
        },
        durationMs: 8000,
      },
    });
    await settle();
    const done = screen.getByTestId('backup-done');
    expect(within(done).getByRole('heading').textContent).toBe('The whole flash is backed up');
    expect(done.textContent).toContain('18fe3400000a-20261206-211209-full.bin');
    expect(within(done).getByTestId('backup-md5').textContent).toBe(MD5);
    expect(screen.getByRole('status').textContent).toBe('The whole flash is backed up.');
    expect(screen.queryByTestId('job-progress')).toBeNull();
  });

  it('restores only after the user confirms; a refusal reads as words first, the code behind the disclosure', async () => {
    const api = await openPanel({ port: PORT, baud: 460800 });
    api.fn.inspectFirmware.mockResolvedValue({
      sha256: 'd'.repeat(64),
      name: 'app.bin',
      size: 3024,
      info: { format: 'esp8266' },
      warnings: [],
    });
    api.fn.startRestore.mockRejectedValue({
      code: 'NOT_A_FULL_BACKUP',
      message:
        'app.bin is 3024 bytes: a whole-flash backup is exactly the size of a flash chip (256 KB, 512 KB, 1 MB, 2 MB, 4 MB…).',
      hint: 'Choose a file made by "Back up the whole flash". To write a firmware, use Flash instead.',
    });
    const input = screen.getByLabelText('Restore a backup…') as HTMLInputElement;
    await fireEvent.change(input, { target: { files: [new File([new Uint8Array(3024)], 'app.bin')] } });
    await settle();
    expect(api.fn.startRestore).not.toHaveBeenCalled();
    const confirm = screen.getByTestId('restore-confirm');
    expect(within(confirm).getByRole('heading').textContent).toBe('Restore app.bin?');

    await fireEvent.click(within(confirm).getByRole('button', { name: 'Restore the whole flash' }));
    await settle();
    expect(api.fn.startRestore).toHaveBeenCalledWith({
      port: PORT.path,
      baud: 460800,
      backup: { sha256: 'd'.repeat(64), name: 'app.bin' },
    });
    const failure = screen.getByTestId('failure');
    expect(within(failure).getByRole('heading').textContent).toBe('The backup was not restored');
    expect(within(failure).getByTestId('failure-steps').textContent).toContain('Back up the whole flash');
    // The first words are the title and what to do; the code is inside "What Kiln saw".
    expect(failure.textContent!.indexOf('NOT_A_FULL_BACKUP')).toBeGreaterThan(
      failure.textContent!.indexOf('What Kiln saw'),
    );
  });

  it('is disabled while the screen\u2019s own job runs', async () => {
    await openPanel({ port: PORT, disabled: true });
    expect(screen.getByRole('button', { name: 'Back up the whole flash' })).toBeDisabled();
    expect(screen.getByLabelText('Restore a backup…')).toBeDisabled();
  });
});
