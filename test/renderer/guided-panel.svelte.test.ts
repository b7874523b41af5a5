/**
 * The guided panel: one instruction at a time from the job's phase message, a live listening line, what was
 * heard, Cancel by keyboard; the virtual board's hands and the adapter self-test through the API.
 */
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import GuidedPanel from '../../src-renderer/components/GuidedPanel.svelte';
import { FlashJobState } from '../../src-renderer/state/flash-job.svelte';
import { createFakeApi, settle } from './fake-api';

const PORT = 'sim:esp8266?board=sonoff&hands=';
const HOLD =
  'Hold the button (GPIO0). Now unplug the board\u2019s power and plug it back in (or press RESET) \u2014 keep holding.';

async function guidedJob() {
  const api = createFakeApi();
  api.fn.startFlash.mockResolvedValue({ jobId: 'job-1' });
  api.fn.cancelJob.mockResolvedValue({ cancelled: true });
  const job = new FlashJobState(api);
  await job.startFlash({
    port: PORT,
    before: 'manual',
    images: [{ sha256: 'a'.repeat(64), offset: 0, name: 'a.bin' }],
  });
  render(GuidedPanel, { props: { job, api, port: PORT, guided: true, listenSeconds: 30 } });
  return { api, job };
}

describe('GuidedPanel', () => {
  it('shows the instruction in force, listening at its baud, then what was heard and the next instruction', async () => {
    const { api } = await guidedJob();
    api.emit('jobPhase', {
      jobId: 'job-1',
      phase: 'connecting',
      message: `${HOLD} (listening at 74880 baud)`,
    });
    flushSync();
    expect(screen.getByTestId('guided-instruction')).toHaveTextContent(HOLD);
    expect(screen.getByRole('status')).toHaveTextContent('Listening at 74880 baud');
    api.emit('jobLog', {
      jobId: 'job-1',
      level: 'info',
      time: 0,
      message: 'Heard at 74880 baud:  ets Jan  8 2013,rst cause:1, boot mode:(3,6)',
    });
    api.emit('jobPhase', {
      jobId: 'job-1',
      phase: 'connecting',
      message: `GPIO0 was high when the board started: the button was released too early, or it is not wired to GPIO0. ${HOLD} (listening at 74880 baud)`,
    });
    flushSync();
    expect(screen.getByTestId('guided-instruction')).toHaveTextContent(
      /^GPIO0 was high when the board started/,
    );
    expect(within(screen.getByTestId('guided-heard')).getByText(/boot mode:\(3,6\)/)).toBeVisible();
  });

  it('Cancel is a button reachable by keyboard and cancels the job', async () => {
    const { api } = await guidedJob();
    api.emit('jobPhase', {
      jobId: 'job-1',
      phase: 'connecting',
      message: `${HOLD} (listening at 74880 baud)`,
    });
    flushSync();
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    cancel.focus();
    expect(document.activeElement).toBe(cancel);
    await fireEvent.click(cancel);
    expect(api.fn.cancelJob).toHaveBeenCalledExactlyOnceWith({ jobId: 'job-1' });
  });

  it('the hands move the virtual board and show its state', async () => {
    const { api } = await guidedJob();
    api.fn.virtualHands.mockResolvedValue({
      buttonHeld: true,
      powered: true,
      swapped: false,
      loopback: false,
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Hold the button' }));
    await settle();
    expect(api.fn.virtualHands).toHaveBeenCalledExactlyOnceWith({ port: PORT, action: 'hold' });
    expect(screen.getByTestId('hands-state')).toHaveTextContent('Button held');
    expect(screen.getByRole('button', { name: 'Release the button' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
  });

  it('the adapter self-test shows its verdict and next steps once no job runs', async () => {
    const api = createFakeApi();
    const job = new FlashJobState(api);
    api.fn.adapterSelfTest.mockResolvedValue({
      verdict: 'good',
      steps: [{ baud: 115200, sent: 256, received: 256, errors: 0, ok: true }],
      summary: 'The adapter echoed every byte at 115200 baud: it works.',
      advice: ['The fault is in the wiring or the board.'],
    });
    render(GuidedPanel, { props: { job, api, port: PORT, guided: true, listenSeconds: 30 } });
    await fireEvent.click(screen.getByRole('button', { name: 'Test the adapter (loopback)' }));
    await settle();
    expect(screen.getByTestId('self-test')).toHaveAttribute('data-verdict', 'good');
    expect(screen.getByTestId('self-test')).toHaveTextContent('it works');
  });
});
