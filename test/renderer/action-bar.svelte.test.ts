import { describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import ActionBar from '../../src-renderer/components/ActionBar.svelte';
import { FlashJobState } from '../../src-renderer/state/flash-job.svelte';
import { createFakeApi } from './fake-api';

function setup(props: {
  blocker?: string;
  target?: string;
  outcome?: { title: string; tone: 'ok' | 'warn' | 'bad' };
}) {
  const api = createFakeApi();
  const job = new FlashJobState(api);
  const onFlash = vi.fn();
  render(ActionBar, {
    props: { job, baud: 460800, target: undefined, blocker: undefined, onFlash, ...props },
  });
  return { api, job, onFlash };
}

describe('ActionBar', () => {
  it('says why Flash cannot be pressed yet', () => {
    setup({ blocker: 'Add a firmware file.' });
    expect(screen.getByRole('button', { name: 'Flash' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Flash' })).toHaveAccessibleDescription('Add a firmware file.');
  });

  it('names the target and baud, flashes on click, and shows the last outcome', async () => {
    const { onFlash } = setup({
      target: 'Virtual ESP8266',
      outcome: { title: 'Written, verified and booted', tone: 'ok' },
    });
    expect(screen.getByRole('button', { name: 'Flash' })).toHaveAccessibleDescription(
      'to Virtual ESP8266 at 460800 baud',
    );
    expect(screen.getByTestId('bar-outcome')).toHaveTextContent('Written, verified and booted');
    expect(screen.getByTestId('bar-outcome')).toHaveAttribute('href', '#job-outcome');
    await fireEvent.click(screen.getByRole('button', { name: 'Flash' }));
    expect(onFlash).toHaveBeenCalledTimes(1);
  });

  it('while a job runs: the overall progress and Cancel in place of Flash', async () => {
    const { api, job } = setup({ target: 'Virtual ESP8266' });
    api.fn.startFlash.mockResolvedValue({ jobId: 'j1' });
    await job.startFlash({
      port: 'sim:esp8266',
      images: [{ sha256: 'a'.repeat(64), offset: 0, name: 'a.bin' }],
    });
    flushSync();
    expect(screen.queryByRole('button', { name: 'Flash' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeInTheDocument();
    expect(screen.getByTestId('overall-progress')).toHaveAttribute('value', '0');
  });
});
