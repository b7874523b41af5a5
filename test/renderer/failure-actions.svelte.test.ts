import { describe, expect, it } from 'vitest';
import { render, screen, fireEvent, waitFor, within } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import { failureAdvice } from '../../src-renderer/lib/failure-actions';
import type { Diagnosis } from '../../src-renderer/api/types';
import { createFakeApi, mockFlashBackend, settle, virtualPort } from './fake-api';

/** Steps as doctor/sync-rules.ts writes them (the catalogue speaks for every host, the CLI included). */
const GARBLED: Diagnosis = {
  code: 'GARBLED_LIKELY_ESP8266_BOOT_74880',
  title: 'Garbled bytes: likely the ESP8266 ROM banner at 74880 baud',
  explanation: 'The ESP8266 ROM prints its boot message at 74880 baud.',
  evidence: ['f0 0f 55'],
  steps: [
    'Connect again and let Kiln listen at 74880 baud to read the boot message.',
    'On a Sonoff Basic there is no auto-reset: unplug it, hold the button (it is GPIO0), connect 3.3 V while holding it, keep holding for 2 s; the LED stays off. Easier: use Kiln\u2019s guided mode (\u201cGuide me\u201d on the Flash screen, --before manual on the command line): it waits while you do this and listens.',
    'On boards with auto-reset (NodeMCU, Wemos D1), try another reset strategy or a shorter cable; on boards without (ESP-01, Sonoff), wire GPIO0 to GND by hand.',
  ],
  confidence: 'medium',
};
const SILENT: Diagnosis = {
  code: 'NO_RESPONSE_WIRING',
  title: 'No answer',
  explanation: 'Not one byte came back.',
  evidence: ['0 bytes'],
  steps: [
    'Check that adapter TX goes to the board RX.',
    'Test the adapter alone: unplug it from the board, connect its TX to its RX with a jumper, open a serial monitor and type — the text must echo back. No echo: the adapter, cable or port is at fault.',
  ],
  confidence: 'medium',
};
/** Room for the screen's async steps on a loaded build machine (not a speed bound). */
const WAIT = { timeout: 10_000 };
const SYNC = { code: 'SYNC_FAILED', message: 'The board did not answer the bootloader handshake.' } as const;

describe('failure advice in the GUI’s words', () => {
  it('a Sonoff hint names the guided mode as the screen shows it, never a CLI option or a "reset strategy"; 74880 and guided become buttons', () => {
    const advice = failureAdvice(SYNC, GARBLED, { portGroup: 'serial' });
    const text = advice.steps.join(' ');
    expect(text).not.toMatch(/reset strategy|--before|command line/);
    expect(advice.steps[1]).toMatch(
      /Easier: use Kiln’s guided mode \(“Guide me: I hold the button”, below\): it waits/,
    );
    expect(advice.steps[2]).toMatch(/try a shorter cable, without a hub;/);
    expect(advice.actions).toEqual(['listen-74880', 'guided']);
  });

  it('the loopback step becomes "Run the adapter self-test"; an access error offers the Doctor; a socket bridge neither', () => {
    expect(failureAdvice(SYNC, SILENT, { portGroup: 'serial' }).actions).toEqual(['adapter-self-test']);
    expect(failureAdvice(SYNC, SILENT, { portGroup: 'network' }).actions).toEqual([]);
    expect(
      failureAdvice(
        { code: 'PORT_PERMISSION_DENIED', message: 'No access.', hint: 'Join dialout.' },
        undefined,
      ).actions,
    ).toEqual(['open-doctor']);
    expect(
      failureAdvice({ code: 'PORT_BUSY', message: 'Busy.', hint: 'Close it.' }, undefined).steps,
    ).toEqual(['Close it.']);
  });
});

describe('failure card buttons on the Flash screen', () => {
  function backend() {
    const api = mockFlashBackend(createFakeApi(), [virtualPort('esp8266')]);
    api.fn.doctorReport.mockResolvedValue({
      platform: 'linux',
      ok: true,
      worst: 'ok',
      processGroups: [],
      databaseGroups: [],
      system: [],
      ports: [],
    });
    api.fn.monitorOpen.mockResolvedValue({ monitorId: 'm1' });
    api.fn.monitorReset.mockResolvedValue({});
    return api;
  }

  async function failFlash(api: ReturnType<typeof backend>, diagnosis: Diagnosis) {
    location.hash = '';
    render(App, { props: { api } });
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Try a virtual device' }));
    await fireEvent.change(document.querySelector('input[type=file]')!, {
      target: { files: [new File([new Uint8Array([1])], 'a.bin')] },
    });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Flash' })).toBeEnabled(), WAIT);
    await fireEvent.click(screen.getByRole('button', { name: 'Flash' }));
    await settle();
    api.emit('jobDone', { jobId: 'j1', kind: 'flash', ok: false, error: SYNC, diagnosis });
    await settle();
    return screen.getByTestId('failure');
  }

  it('"Listen at 74880 baud" opens the Monitor on that port at 74880 and resets the board', async () => {
    const api = backend();
    const card = await failFlash(api, GARBLED);
    expect(card).not.toHaveTextContent(/reset strategy|--before/);
    expect(card.textContent!.indexOf('Listen at 74880 baud')).toBeLessThan(
      card.textContent!.indexOf('What Kiln saw'),
    );
    await fireEvent.click(within(card).getByRole('button', { name: 'Listen at 74880 baud' }));
    await waitFor(
      () => expect(screen.getByRole('tab', { name: 'Monitor' })).toHaveAttribute('aria-selected', 'true'),
      WAIT,
    );
    expect(api.fn.monitorOpen).toHaveBeenCalledWith({ port: 'sim:esp8266', baud: 74880 });
    await waitFor(
      () => expect(api.fn.monitorReset).toHaveBeenCalledWith({ monitorId: 'm1', mode: 'run' }),
      WAIT,
    );
    expect(screen.getByLabelText('Baud')).toHaveValue('74880');
  });

  it('"Guide me through holding the button" switches the guided mode on', async () => {
    const api = backend();
    const card = await failFlash(api, GARBLED);
    await fireEvent.click(within(card).getByRole('button', { name: 'Guide me through holding the button' }));
    expect(screen.getByRole('checkbox', { name: /Guide me: I hold the button/ })).toBeChecked();
  });

  it('"Run the adapter self-test" opens the Doctor at the self-test', async () => {
    const api = backend();
    const card = await failFlash(api, SILENT);
    await fireEvent.click(within(card).getByRole('button', { name: 'Run the adapter self-test' }));
    await waitFor(
      () => expect(screen.getByRole('tab', { name: 'Doctor' })).toHaveAttribute('aria-selected', 'true'),
      WAIT,
    );
    const section = document.getElementById('adapter-self-test')!;
    await waitFor(
      () =>
        expect(document.activeElement).toBe(
          within(section).getByRole('button', { name: /Test the adapter/ }),
        ),
      WAIT,
    );
  });
});
