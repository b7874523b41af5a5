import { describe, expect, it } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import JobProgress from '../../src-renderer/components/JobProgress.svelte';
import { FlashJobState } from '../../src-renderer/state/flash-job.svelte';
import { createFakeApi, settle } from './fake-api';

async function running() {
  const api = createFakeApi();
  api.fn.startFlash.mockResolvedValue({ jobId: 'job-1' });
  api.fn.cancelJob.mockResolvedValue({ cancelled: true });
  const job = new FlashJobState(api);
  await job.startFlash({
    port: 'sim:esp8266',
    images: [{ sha256: 'a'.repeat(64), offset: 0, name: 'a.bin' }],
  });
  render(JobProgress, { props: { job } });
  return { api, job };
}

describe('JobProgress', () => {
  it('shows percent, speed and ETA from the bytes the device acknowledged', async () => {
    const { api } = await running();
    api.emit('jobPhase', { jobId: 'job-1', phase: 'writing' });
    api.emit('jobProgress', {
      jobId: 'job-1',
      phase: 'writing',
      bytesDone: 64 * 1024,
      bytesTotal: 256 * 1024,
      bytesPerSecond: 16 * 1024,
    });
    flushSync();
    expect(screen.getByRole('heading')).toHaveTextContent('Writing');
    expect(screen.getByTestId('percent')).toHaveTextContent('25 %');
    expect(screen.getByRole('progressbar')).toHaveAttribute('value', '25');
    expect(screen.getByTestId('bytes')).toHaveTextContent('64.0 KiB of 256 KiB acknowledged');
    expect(screen.getByTestId('speed')).toHaveTextContent('16.0 KiB/s');
    // (256 − 64) KiB at 16 KiB/s = 12 s
    expect(screen.getByTestId('eta')).toHaveTextContent('about 12 s left');

    api.emit('jobProgress', {
      jobId: 'job-1',
      phase: 'writing',
      bytesDone: 192 * 1024,
      bytesTotal: 256 * 1024,
      bytesPerSecond: 32 * 1024,
    });
    flushSync();
    expect(screen.getByTestId('percent')).toHaveTextContent('75 %');
    expect(screen.getByTestId('eta')).toHaveTextContent('about 2.0 s left');
  });

  it('ignores progress of another job and drops stale figures when the phase changes', async () => {
    const { api } = await running();
    api.emit('jobProgress', {
      jobId: 'other',
      phase: 'writing',
      bytesDone: 10,
      bytesTotal: 20,
      bytesPerSecond: 5,
    });
    flushSync();
    expect(screen.queryByTestId('percent')).toBeNull();
    api.emit('jobProgress', {
      jobId: 'job-1',
      phase: 'writing',
      bytesDone: 100,
      bytesTotal: 100,
      bytesPerSecond: 50,
    });
    api.emit('jobPhase', { jobId: 'job-1', phase: 'verifying' });
    flushSync();
    expect(screen.getByRole('heading')).toHaveTextContent('Verifying (MD5)');
    expect(screen.queryByTestId('percent')).toBeNull();
    expect(screen.queryByTestId('eta')).toBeNull();
  });

  it('Cancel calls cancelJob with the job id once, then shows it is cancelling', async () => {
    const { api, job } = await running();
    const button = screen.getByRole('button', { name: 'Cancel' });
    await fireEvent.click(button);
    expect(api.fn.cancelJob).toHaveBeenCalledTimes(1);
    expect(api.fn.cancelJob).toHaveBeenCalledWith({ jobId: 'job-1' });
    expect(screen.getByRole('button', { name: 'Cancelling…' })).toBeDisabled();

    api.emit('jobDone', {
      jobId: 'job-1',
      kind: 'flash',
      ok: false,
      error: { code: 'CANCELLED', message: 'The operation was cancelled.' },
    });
    await settle();
    expect(job.status).toBe('cancelled');
    expect(job.active).toBe(false);
  });
});
