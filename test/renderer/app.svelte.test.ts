import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent, waitFor, within } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import { SCREENS } from '../../src-renderer/screens/registry';
import { readFileBytes } from '../../src-renderer/state/firmware-list.svelte';
import { createFakeApi, flashResult, mockFlashBackend, settle, virtualPort } from './fake-api';

function fakeBackend() {
  const api = mockFlashBackend(createFakeApi(), [virtualPort('esp8266'), virtualPort('esp32')]);
  api.fn.doctorReport.mockResolvedValue({
    platform: 'linux',
    ok: true,
    worst: 'ok',
    processGroups: [],
    databaseGroups: [],
    system: [],
    ports: [],
  });
  return api;
}

/** Renders the app, picks the virtual device, adds a one-byte a.bin and presses Flash. */
async function flashOneFile(api: ReturnType<typeof fakeBackend>): Promise<void> {
  render(App, { props: { api } });
  await settle();
  await fireEvent.click(screen.getByRole('button', { name: 'Try a virtual device' }));
  await fireEvent.change(document.querySelector('input[type=file]')!, {
    target: { files: [new File([new Uint8Array([1])], 'a.bin')] },
  });
  await waitFor(() => expect(screen.getByRole('button', { name: 'Flash' })).toBeEnabled());
  await fireEvent.click(screen.getByRole('button', { name: 'Flash' }));
  await settle();
}

describe('App (Flash screen end to end against a fake backend)', () => {
  it('picks a virtual device, adds a file, flashes with the chosen options, and shows the diagnosis on failure', async () => {
    const api = fakeBackend();
    render(App, { props: { api } });
    await settle();
    const flash = screen.getByRole('button', { name: 'Flash' });
    expect(flash).toBeDisabled();
    await fireEvent.click(screen.getByRole('button', { name: 'Try a virtual device' }));
    await fireEvent.change(document.querySelector('input[type=file]')!, {
      target: { files: [new File([new Uint8Array([0xe9, 0])], 'blink.bin')] },
    });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Flash' })).toBeEnabled());
    await fireEvent.click(screen.getByLabelText(/Save the bytes this flash overwrites/));
    await fireEvent.change(screen.getByRole('combobox', { name: 'Flash mode' }), {
      target: { value: 'dout' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Flash' }));

    expect(api.fn.startFlash).toHaveBeenCalledWith({
      port: 'sim:esp8266',
      baud: 921600, // the port's default
      images: [{ sha256: 'c'.repeat(64), offset: 0, name: 'blink.bin' }],
      options: {
        eraseAll: false,
        flashMode: 'dout',
        flashFreq: 'keep',
        flashSize: 'keep',
        skipUnchanged: true,
        backupFirst: true,
      },
    });
    await settle();
    expect(screen.getByTestId('job-progress')).toBeInTheDocument();

    api.emit('jobDone', {
      jobId: 'j1',
      kind: 'flash',
      ok: false,
      error: {
        code: 'SYNC_FAILED',
        message: 'The board did not answer the bootloader handshake.',
        hint: 'Read the diagnosis below.',
      },
      diagnosis: {
        code: 'NO_REPLY_WIRING',
        title: 'TX and RX look swapped',
        explanation: 'Not one byte came back.',
        evidence: ['0 bytes in 7 attempts'],
        steps: ['Swap TX and RX.', 'Try again.'],
      },
    });
    await settle();
    const failure = screen.getByTestId('failure');
    expect(failure).toHaveTextContent('The board did not answer the bootloader handshake.');
    expect(within(failure).getByTestId('diagnosis')).toHaveTextContent('TX and RX look swapped');
    // Action first: the steps come before the message; the code and the evidence sit behind the disclosure.
    const text = failure.textContent ?? '';
    expect(text.indexOf('Swap TX and RX.')).toBeLessThan(text.indexOf('The board did not answer'));
    expect(within(failure).getByTestId('error-code').closest('details')).not.toHaveAttribute('open');
    expect(within(failure).getByText('0 bytes in 7 attempts').closest('details')).not.toBeNull();
    expect(text.indexOf('SYNC_FAILED')).toBeGreaterThan(text.indexOf('What Kiln saw'));
    expect(within(failure).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    expect(within(failure).getByText('0 bytes in 7 attempts').tagName).toBe('BLOCKQUOTE');
    expect(
      within(failure)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Swap TX and RX.', 'Try again.']);
    expect(screen.queryByTestId('job-progress')).toBeNull();
  });

  it('shows the verified result card', async () => {
    const api = fakeBackend();
    await flashOneFile(api);
    api.emit('jobDone', {
      jobId: 'j1',
      kind: 'flash',
      ok: true,
      result: flashResult(),
    });
    await settle();
    const result = screen.getByTestId('result');
    expect(result).toHaveTextContent('Written and verified');
    expect(result).toHaveTextContent('0123456789abcdef0123456789abcdef');
    expect(result).toHaveTextContent('verified');
    expect(result).toHaveTextContent('4.2 s at 921600 baud');
    expect(result).toHaveTextContent('5c:cf:7f:01:02:03');
  });

  it('a backup made before flashing can be saved from the result card (bytes fetched by SHA-256)', async () => {
    const api = fakeBackend();
    const sha = 'd'.repeat(64);
    api.fn.getFirmware.mockResolvedValue({ sha256: sha, bytes: new Uint8Array([1, 2, 3]) });
    const created: Blob[] = [];
    const createObjectURL = vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      created.push(b as Blob);
      return 'blob:kiln-test';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const clicks: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicks.push(this.download);
    });
    try {
      await flashOneFile(api);
      api.emit('jobDone', {
        jobId: 'j1',
        kind: 'flash',
        ok: true,
        result: flashResult({
          regions: [
            {
              offset: 0,
              size: 1024,
              md5: 'e'.repeat(32),
              bytesSent: 600,
              blocksSkipped: 0,
              blocksTotal: 1,
              verified: true,
            },
          ],
          durationMs: 1000,
          baud: 460800,
          backup: [{ offset: 0, size: 1024, sha256: sha, file: '/data/backups/backup-5ccf7f010203-0x0.bin' }],
        }),
      });
      await settle();
      await fireEvent.click(
        screen.getByRole('button', { name: 'Save a copy of backup-5ccf7f010203-0x0.bin' }),
      );
      await settle();
      expect(api.fn.getFirmware).toHaveBeenCalledWith({ sha256: sha });
      expect(clicks).toEqual(['backup-5ccf7f010203-0x0.bin']);
      expect(createObjectURL).toHaveBeenCalledTimes(1);
      expect([...(await readFileBytes(created[0]!))]).toEqual([1, 2, 3]);
    } finally {
      vi.restoreAllMocks();
      click.mockRestore();
    }
  });

  it('tabs are real tabs: arrow keys move between screens and the Doctor report loads', async () => {
    const api = fakeBackend();
    render(App, { props: { api } });
    await settle();
    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((t) => t.textContent?.trim())).toEqual(SCREENS.map((s) => s.label));
    expect(tabs.slice(0, 3).map((t) => t.textContent?.trim())).toEqual(['Flash', 'Doctor', 'Monitor']);
    expect(tabs[0]).toHaveAttribute('aria-selected', 'true');
    tabs[0]!.focus();
    await fireEvent.keyDown(tabs[0]!, { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: 'Doctor' })).toHaveAttribute('aria-selected', 'true');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Doctor' }));
    await settle();
    expect(api.fn.doctorReport).toHaveBeenCalled();
    expect(screen.getByRole('tabpanel')).toHaveTextContent('This computer lets you use its serial ports.');
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: 'Monitor' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('combobox', { name: /Baud/ })).toHaveTextContent('74880 (ESP8266 boot messages)');
    // Home / End wrap to the first and last tab.
    await fireEvent.keyDown(document.activeElement!, { key: 'End' });
    // (The last screen may have tabs of its own, e.g. the Station screen's "This station" / "Fleet".)
    const screenTabs = within(screen.getByRole('tablist', { name: 'Screens' })).getAllByRole('tab');
    expect(screenTabs.at(-1)).toHaveAttribute('aria-selected', 'true');
    await fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    expect(screen.getByRole('tab', { name: 'Flash' })).toHaveAttribute('aria-selected', 'true');
  });
});

describe('Flash screen: the boot-check switch', () => {
  const bootSwitch = () =>
    screen.getByLabelText(
      /Check that the board boots afterwards \(listens to its boot log\)/,
    ) as HTMLInputElement;

  it('is on by default and leaves bootCheck to the service; turned off, it is remembered and sends bootCheck: false', async () => {
    const api = fakeBackend();
    await flashOneFile(api);
    expect(bootSwitch().checked).toBe(true);
    const first = api.fn.startFlash.mock.calls[0]![0].options!;
    expect(first).not.toHaveProperty('bootCheck');
    expect(first).toEqual({
      eraseAll: false,
      flashMode: 'keep',
      flashFreq: 'keep',
      flashSize: 'keep',
      skipUnchanged: true,
      backupFirst: false,
    });

    api.emit('jobDone', {
      jobId: 'j1',
      kind: 'flash',
      ok: false,
      error: { code: 'CANCELLED', message: 'The operation was cancelled.' },
    });
    await settle();
    await fireEvent.click(bootSwitch());
    expect(bootSwitch().checked).toBe(false);
    expect(api.fn.setSettings).toHaveBeenCalledWith({ flash: { bootCheck: false } });
    api.fn.startFlash.mockResolvedValue({ jobId: 'j2' });
    await fireEvent.click(screen.getByRole('button', { name: 'Flash' }));
    await settle();
    expect(api.fn.startFlash).toHaveBeenCalledTimes(2);
    expect(api.fn.startFlash.mock.calls[1]![0].options).toEqual({
      eraseAll: false,
      flashMode: 'keep',
      flashFreq: 'keep',
      flashSize: 'keep',
      skipUnchanged: true,
      backupFirst: false,
      bootCheck: false,
    });
  });

  it('starts off when the settings say so, and turning it on again stops sending bootCheck: false', async () => {
    const api = fakeBackend();
    const saved = await api.fn.getSettings({});
    api.fn.getSettings.mockResolvedValue({ ...saved, flash: { ...saved.flash, bootCheck: false } });
    await flashOneFile(api);
    expect(bootSwitch().checked).toBe(false);
    expect(api.fn.startFlash.mock.calls[0]![0].options).toMatchObject({ bootCheck: false });

    api.emit('jobDone', {
      jobId: 'j1',
      kind: 'flash',
      ok: false,
      error: { code: 'CANCELLED', message: 'The operation was cancelled.' },
    });
    await settle();
    await fireEvent.click(bootSwitch());
    expect(api.fn.setSettings).toHaveBeenCalledWith({ flash: { bootCheck: true } });
    api.fn.startFlash.mockResolvedValue({ jobId: 'j2' });
    await fireEvent.click(screen.getByRole('button', { name: 'Flash' }));
    await settle();
    expect(api.fn.startFlash.mock.calls[1]![0].options).not.toHaveProperty('bootCheck');
  });

  it('is disabled while a flash runs', async () => {
    const api = fakeBackend();
    await flashOneFile(api);
    expect(bootSwitch()).toBeDisabled();
  });
});

describe('Flash screen: one failure card, Try again, what the board holds, focus and announcements', () => {
  const SYNC = {
    code: 'SYNC_FAILED',
    message: 'The board did not answer the bootloader handshake.',
  } as const;

  it('Identify then Flash both fail: one failure card (the flash’s), with Try again that flashes again', async () => {
    const api = fakeBackend();
    api.fn.identify.mockRejectedValue({ ...SYNC, hint: 'Hold BOOT and press Identify again.' });
    render(App, { props: { api } });
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Try a virtual device' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Identify' }));
    await settle();
    expect(screen.getAllByTestId('failure')).toHaveLength(1);
    expect(screen.getByRole('heading', { name: 'Could not identify the board' })).toBeInTheDocument();
    expect(within(screen.getByTestId('failure')).getByRole('button', { name: 'Try again' })).toBeEnabled();

    await fireEvent.change(document.querySelector('input[type=file]')!, {
      target: { files: [new File([new Uint8Array([1])], 'a.bin')] },
    });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Flash' })).toBeEnabled());
    await fireEvent.click(screen.getByRole('button', { name: 'Flash' }));
    await settle();
    // Focus goes to Cancel once the job runs.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
    api.emit('jobPhase', { jobId: 'j1', phase: 'connecting' });
    api.emit('jobDone', { jobId: 'j1', kind: 'flash', ok: false, error: SYNC });
    await settle();
    const cards = screen.getAllByTestId('failure');
    expect(cards).toHaveLength(1);
    const heading = within(cards[0]!).getByRole('heading', { level: 3 });
    expect(heading).toHaveTextContent('Flashing failed');
    expect(document.activeElement).toBe(heading);
    expect(cards[0]).toHaveTextContent('Nothing was written: the board still holds the firmware it had.');
    api.fn.startFlash.mockResolvedValue({ jobId: 'j2' });
    await fireEvent.click(within(cards[0]!).getByRole('button', { name: 'Try again' }));
    await settle();
    expect(api.fn.startFlash).toHaveBeenCalledTimes(2);
  });

  it('cancelled mid-write: the card says the board holds a partial firmware, Try again flashes; announced', async () => {
    const api = fakeBackend();
    await flashOneFile(api);
    api.emit('jobPhase', { jobId: 'j1', phase: 'writing' });
    api.emit('jobDone', {
      jobId: 'j1',
      kind: 'flash',
      ok: false,
      error: { code: 'CANCELLED', message: 'Cancelled.' },
    });
    await settle();
    const card = screen.getByTestId('cancelled');
    expect(card).toHaveTextContent(
      'The board now holds a partial firmware and will not start until it is flashed again.',
    );
    expect(document.activeElement).toBe(within(card).getByRole('heading', { name: 'Cancelled' }));
    expect(screen.getByTestId('outcome-status')).toHaveAttribute('role', 'status');
    expect(screen.getByTestId('outcome-status')).toHaveTextContent(
      'Cancelled. The board now holds a partial firmware',
    );
    api.fn.startFlash.mockResolvedValue({ jobId: 'j2' });
    await fireEvent.click(within(card).getByRole('button', { name: 'Try again' }));
    await settle();
    expect(api.fn.startFlash).toHaveBeenCalledTimes(2);
  });

  it('success: focus on the result title, and the same title announced by role=status', async () => {
    const api = fakeBackend();
    await flashOneFile(api);
    api.emit('jobDone', { jobId: 'j1', kind: 'flash', ok: true, result: flashResult() });
    await settle();
    const title = within(screen.getByTestId('result')).getByRole('heading', { level: 3 });
    expect(document.activeElement).toBe(title);
    expect(screen.getByRole('status')).toHaveTextContent(title.textContent!);
  });
});
