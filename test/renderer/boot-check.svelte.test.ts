/**
 * The boot check on the result card: a booted board in the ok style, a boot loop as a warning with what was heard
 * and the next steps, a title that follows the boot verdict, and "Use DOUT and flash again" setting the flash-mode
 * option and starting the flash.
 */
import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent, waitFor, within } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import ResultCard from '../../src-renderer/components/ResultCard.svelte';
import type { BootCheckResult } from '../../src-renderer/api/types';
import { createFakeApi, flashResult, mockFlashBackend, settle, virtualPort } from './fake-api';

const LOOP: BootCheckResult = {
  verdict: 'boot-loop',
  summary:
    'The ROM cannot read the firmware it was given and the chip keeps resetting (3 resets, rst cause 2, 4).',
  evidence: ['"ets Jan  8 2013,rst cause:4, boot mode:(3,6)" at 74880 baud', '"csum err" at 74880 baud'],
  advice: [
    'Flash again with flash mode DOUT: every ESP8285 can only read its flash that way.',
    'If DOUT does not boot either, try DIO.',
  ],
  retryFlashModes: ['dout', 'dio'],
  baud: 74880,
  listenedMs: 5000,
  heard: [],
};
const BOOTED: BootCheckResult = {
  verdict: 'booted',
  summary: 'Booted: the ROM loaded the firmware and it is printing.',
  evidence: ['"00:00:00 Project sonoff Sonoff" at 115200 baud'],
  baud: 74880,
  listenedMs: 4000,
  heard: [],
};

describe('ResultCard: boot check', () => {
  it('a boot loop is a warning with the evidence, the advice in order, and a one-click DOUT', async () => {
    const onRetryFlashMode = vi.fn();
    render(ResultCard, { props: { result: flashResult({ boot: LOOP }), onRetryFlashMode } });
    const card = screen.getByTestId('result');
    expect(card).toHaveClass('warn');
    expect(within(card).getByRole('heading', { level: 3 })).toHaveTextContent(
      'Written and verified — but the board does not start (it keeps resetting)',
    );
    const panel = screen.getByTestId('boot-check');
    expect(panel).toHaveAttribute('data-verdict', 'boot-loop');
    expect(within(panel).getByRole('heading')).toHaveTextContent('The board keeps resetting (boot loop)');
    expect(panel).toHaveTextContent('The flash itself is verified');
    expect(within(panel).getByText('"csum err" at 74880 baud')).toBeVisible();
    const steps = within(within(panel).getByRole('list', { name: 'What to try' })).getAllByRole('listitem');
    expect(steps.map((s) => s.textContent)).toEqual(LOOP.advice);

    await fireEvent.click(within(panel).getByRole('button', { name: 'Use DOUT and flash again' }));
    expect(onRetryFlashMode).toHaveBeenCalledExactlyOnceWith('dout');
    await fireEvent.click(within(panel).getByRole('button', { name: 'or use DIO' }));
    expect(onRetryFlashMode).toHaveBeenLastCalledWith('dio');
  });

  it('a booted board stays in the ok style, without advice or a retry button', () => {
    render(ResultCard, { props: { result: flashResult({ boot: BOOTED }), onRetryFlashMode: vi.fn() } });
    expect(screen.getByTestId('result')).toHaveClass('ok');
    expect(screen.getByRole('heading', { level: 3 })).toHaveTextContent('Written, verified and booted');
    const panel = screen.getByTestId('boot-check');
    expect(within(panel).getByRole('heading')).toHaveTextContent('The board booted');
    expect(within(panel).queryByRole('button')).toBeNull();
    expect(within(panel).queryByRole('list', { name: 'What to try' })).toBeNull();
  });

  it('no boot check (e.g. --after no-reset): no panel', () => {
    render(ResultCard, { props: { result: flashResult() } });
    expect(screen.queryByTestId('boot-check')).toBeNull();
  });

  it('a boot check skipped over a socket bridge says why, in one sentence', () => {
    render(ResultCard, {
      props: {
        result: flashResult(),
        bootContext: { turnedOff: false, manual: false, portGroup: 'network' },
      },
    });
    expect(screen.getByRole('heading', { level: 3 })).toHaveTextContent(/^Written and verified$/);
    expect(screen.getByTestId('boot-skipped')).toHaveTextContent(
      'Boot check skipped: a network (socket) port has no reset lines',
    );
  });
});

describe('Flash screen: "Use DOUT and flash again"', () => {
  it('sets the flash-mode option to DOUT and starts the flash again with DOUT', async () => {
    const api = mockFlashBackend(createFakeApi(), [virtualPort('esp8266')]);
    render(App, { props: { api } });
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Try a virtual device' }));
    await fireEvent.change(document.querySelector('input[type=file]')!, {
      target: { files: [new File([new Uint8Array([0xe9, 0])], 'sonoff.bin')] },
    });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Flash' })).toBeEnabled());
    await fireEvent.click(screen.getByRole('button', { name: 'Flash' }));
    await settle();
    api.emit('jobDone', { jobId: 'j1', kind: 'flash', ok: true, result: flashResult({ boot: LOOP }) });
    await settle();

    expect(screen.getByRole('combobox', { name: 'Flash mode' })).toHaveValue('keep');
    expect(api.fn.startFlash.mock.calls[0]![0].options).toMatchObject({ flashMode: 'keep' });
    api.fn.startFlash.mockResolvedValue({ jobId: 'j2' });
    await fireEvent.click(screen.getByRole('button', { name: 'Use DOUT and flash again' }));
    await settle();
    expect(screen.getByRole('combobox', { name: 'Flash mode' })).toHaveValue('dout');
    expect(api.fn.startFlash).toHaveBeenCalledTimes(2);
    expect(api.fn.startFlash.mock.calls[1]![0].options).toMatchObject({ flashMode: 'dout' });
  });
});
