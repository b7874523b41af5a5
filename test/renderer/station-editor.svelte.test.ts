/**
 * The Station's profile editor is made of the Flash screen's parts (FirmwareList, BoardPresetPicker, FlashOptions)
 * and words, and the Flash screen can hand its setup to it ("Save this Flash setup as a profile").
 */
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import StationProfileEditor from '../../src-renderer/components/StationProfileEditor.svelte';
import { FLASH_BAUDS } from '../../src-main/vocabulary';
import type { ProfileDraft } from '../../src-renderer/state/station.svelte';
import { createFakeApi, mockFlashBackend, settle, summary, virtualPort } from './fake-api';

const SHA = 'c'.repeat(64);

function editor(initial?: ProfileDraft, editing = false) {
  const api = createFakeApi();
  api.fn.inspectFirmware.mockImplementation(async ({ name, bytes }) =>
    summary({ name, sha256: SHA, size: bytes.length }),
  );
  api.fn.getFirmware.mockResolvedValue({ sha256: SHA, bytes: new Uint8Array([0xe9, 1, 2, 3]) });
  const onsave = vi.fn<(p: ProfileDraft) => Promise<boolean>>(async () => true);
  render(StationProfileEditor, { props: { api, initial, editing, onsave, oncancel: () => {} } });
  return { api, onsave };
}

describe('StationProfileEditor', () => {
  it('a new profile: the Flash screen’s options and wording, boot check on, every vocabulary baud (2000000 too)', async () => {
    const { api, onsave } = editor();
    await settle();
    const form = screen.getByRole('form', { name: 'New profile' });
    expect(within(form).getByRole('heading', { name: '2. Firmware' })).toBeInTheDocument();
    expect(within(form).getByRole('heading', { name: '3. Options' })).toBeInTheDocument();
    expect(within(form).getByLabelText(/Check that the board boots afterwards/)).toBeChecked();
    const baud = within(form).getByRole('combobox', { name: 'Baud rate' }) as HTMLSelectElement;
    expect([...baud.options].map((o) => Number(o.value))).toEqual([...FLASH_BAUDS]);
    expect(baud.value).toBe('460800');
    expect(within(form).getByRole('combobox', { name: 'Board' })).toBeInTheDocument();

    await fireEvent.input(within(form).getByLabelText('1. Name'), { target: { value: 'Bench A' } });
    await fireEvent.change(form.querySelector('input[type=file]')!, {
      target: { files: [new File([new Uint8Array([0xe9, 0])], 'tasmota.bin')] },
    });
    await waitFor(() => expect(api.fn.inspectFirmware).toHaveBeenCalledTimes(1));
    await fireEvent.change(baud, { target: { value: '2000000' } });
    await settle();
    await fireEvent.submit(form);
    await settle();
    expect(onsave).toHaveBeenCalledWith({
      name: 'Bench A',
      images: [{ sha256: SHA, offset: 0, name: 'tasmota.bin' }],
      baud: 2000000,
      options: { eraseAll: false, backupFirst: false, skipUnchanged: true, flashMode: 'keep', verify: true },
      bootCheck: true,
      policy: { stopAfterConsecutiveFailures: 3, reflashDuplicates: false },
    });
  });

  it('a board preset without auto-reset makes the profile a guided one (before: manual)', async () => {
    const { onsave } = editor({
      name: 'Sonoffs',
      images: [{ sha256: SHA, name: 'tasmota.bin', offset: 0 }],
      baud: 115200,
      bootCheck: true,
    });
    await settle();
    await fireEvent.change(screen.getByRole('combobox', { name: 'Board' }), {
      target: { value: 'sonoff-basic' },
    });
    await fireEvent.submit(screen.getByRole('form'));
    await settle();
    expect(onsave.mock.calls[0]![0]).toMatchObject({ before: 'manual', options: { flashMode: 'dout' } });
  });

  it('editing: the profile’s files come back from the cache at their offsets, with its options', async () => {
    const { api, onsave } = editor(
      {
        name: 'Old',
        images: [{ sha256: SHA, name: 'app.bin', offset: 0x10000 }],
        baud: 921600,
        options: { eraseAll: true, backupFirst: false, flashMode: 'dio', skipUnchanged: false, verify: true },
        bootCheck: false,
        policy: { stopAfterConsecutiveFailures: 5, reflashDuplicates: true },
      },
      true,
    );
    await waitFor(() => expect(screen.getByDisplayValue('0x10000')).toBeInTheDocument());
    expect(api.fn.getFirmware).toHaveBeenCalledWith({ sha256: SHA });
    const form = screen.getByRole('form', { name: 'Edit profile “Old”' });
    expect(within(form).getByLabelText(/Check that the board boots afterwards/)).not.toBeChecked();
    expect(within(form).getByRole('combobox', { name: 'Flash mode' })).toHaveValue('dio');
    await fireEvent.submit(form);
    await settle();
    expect(onsave).toHaveBeenCalledWith({
      name: 'Old',
      images: [{ sha256: SHA, offset: 0x10000, name: 'app.bin' }],
      baud: 921600,
      options: { eraseAll: true, backupFirst: false, skipUnchanged: false, flashMode: 'dio', verify: true },
      bootCheck: false,
      policy: { stopAfterConsecutiveFailures: 5, reflashDuplicates: true },
    });
  });
});

describe('Save this Flash setup as a profile', () => {
  it('opens the Station’s editor prefilled from the Flash screen’s firmware and options, and saves it', async () => {
    const api = mockFlashBackend(createFakeApi(), [virtualPort('esp8266')]);
    const idle = { boards: 0, verified: 0, failed: 0, skipped: 0, attempts: 0, elapsedMs: 0, perHour: 0 };
    api.fn.stationListProfiles.mockResolvedValue({ profiles: [] });
    api.fn.stationStatus.mockResolvedValue({
      status: 'idle',
      consecutiveFailures: 0,
      slots: [],
      summary: idle,
    });
    api.fn.stationReport.mockResolvedValue({ records: [], summary: idle, partialLine: false });
    api.fn.getFirmware.mockResolvedValue({ sha256: SHA, bytes: new Uint8Array([0xe9, 0]) });
    api.fn.stationSaveProfile.mockImplementation(async ({ profile }) => ({
      profile: profile as never,
      missing: [],
    }));
    render(App, { props: { api } });
    await settle();
    const save = screen.getByRole('button', { name: 'Save this Flash setup as a profile' });
    expect(save).toBeDisabled(); // nothing to save before a firmware is added
    await fireEvent.change(document.querySelector('input[type=file]')!, {
      target: { files: [new File([new Uint8Array([0xe9, 0])], 'tasmota-4.2.bin')] },
    });
    await waitFor(() => expect(save).toBeEnabled());
    await fireEvent.change(screen.getByRole('combobox', { name: 'Flash mode' }), {
      target: { value: 'dout' },
    });
    await fireEvent.click(save);
    await settle();

    expect(screen.getByRole('tab', { name: 'Station' })).toHaveAttribute('aria-selected', 'true');
    const form = screen.getByRole('form', { name: 'New profile' });
    expect(within(form).getByLabelText('1. Name')).toHaveValue('tasmota-4.2');
    await waitFor(() => expect(within(form).getByText('tasmota-4.2.bin')).toBeInTheDocument());
    expect(within(form).getByRole('combobox', { name: 'Flash mode' })).toHaveValue('dout');
    expect(within(form).getByLabelText(/Check that the board boots afterwards/)).toBeChecked();
    await fireEvent.submit(form);
    await settle();
    expect(api.fn.stationSaveProfile).toHaveBeenCalledWith({
      profile: {
        name: 'tasmota-4.2',
        images: [{ sha256: SHA, offset: 0, name: 'tasmota-4.2.bin' }],
        baud: 115200, // no port chosen: the Flash screen's own default
        options: {
          eraseAll: false,
          backupFirst: false,
          skipUnchanged: true,
          flashMode: 'dout',
          verify: true,
        },
        bootCheck: true,
        policy: { stopAfterConsecutiveFailures: 3, reflashDuplicates: false },
      },
    });
    expect(screen.queryByRole('form', { name: 'New profile' })).toBeNull();
  });
});

describe('Station screen: a faulty virtual board from the GUI', () => {
  it('offers a good board and the faults the simulator models (DOUT-only on the ESP8266 only), and plugs the chosen one', async () => {
    const api = mockFlashBackend(createFakeApi(), []);
    const summary0 = { boards: 0, verified: 0, failed: 0, skipped: 0, attempts: 0, elapsedMs: 0, perHour: 0 };
    api.fn.stationListProfiles.mockResolvedValue({ profiles: [] });
    api.fn.stationStatus.mockResolvedValue({
      status: 'running',
      profile: 'p',
      mode: 'auto',
      consecutiveFailures: 0,
      slots: [],
      summary: summary0,
    });
    api.fn.stationReport.mockResolvedValue({ records: [], summary: summary0, partialLine: false });
    api.fn.stationPlugVirtual.mockResolvedValue({ started: true });
    window.location.hash = '#station';
    try {
      render(App, { props: { api } });
      await settle();
      const kind = screen.getByRole('combobox', { name: 'Kind' }) as HTMLSelectElement;
      expect([...kind.options].map((o) => o.value)).toEqual(['good', 'swap-txrx', 'dout', 'noise']);
      await fireEvent.change(kind, { target: { value: 'dout' } });
      await fireEvent.click(screen.getByRole('button', { name: 'Plug in a virtual board' }));
      await fireEvent.change(screen.getByRole('combobox', { name: 'Virtual board' }), {
        target: { value: 'esp32' },
      });
      await settle();
      expect([...kind.options].map((o) => o.value)).toEqual(['good', 'swap-txrx', 'noise']);
      expect(kind.value).toBe('good'); // DOUT-only is no ESP32 fault: back to a good board
      await fireEvent.change(kind, { target: { value: 'swap-txrx' } });
      await fireEvent.click(screen.getByRole('button', { name: 'Plug in a virtual board' }));
      await settle();
      expect(api.fn.stationPlugVirtual.mock.calls.map((c) => c[0].url)).toEqual([
        'sim:esp8266?seed=1&wiring=dout',
        'sim:esp32?seed=2&fault=swap-txrx',
      ]);
      expect(screen.getByText('Waiting for a board to be plugged in…')).toBeInTheDocument();
    } finally {
      window.location.hash = '';
    }
  });
});
