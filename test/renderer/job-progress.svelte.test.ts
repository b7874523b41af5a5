import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import JobProgress from '../../src-renderer/components/JobProgress.svelte';
import { FlashJobState } from '../../src-renderer/state/flash-job.svelte';
import { createFakeApi, settle } from './fake-api';

const KIB = 1024;
let clock = 1_000_000;

async function running() {
  const api = createFakeApi();
  api.fn.startFlash.mockResolvedValue({ jobId: 'job-1' });
  api.fn.cancelJob.mockResolvedValue({ cancelled: true });
  const job = new FlashJobState(api);
  await job.startFlash(
    { port: 'sim:esp8266', images: [{ sha256: 'a'.repeat(64), offset: 0, name: 'a.bin' }] },
    {
      regionSizes: [256 * KIB],
      baud: 460800,
      skipUnchanged: true,
      backup: false,
      bootCheck: true,
      chip: 'esp8266',
    },
  );
  render(JobProgress, { props: { job } });
  /** An event `ms` after the previous one (the state stamps events with Date.now()). */
  const emitAfter = <E extends Parameters<typeof api.emit>[0]>(
    ms: number,
    event: E,
    payload: Parameters<typeof api.emit<E>>[1],
  ) => {
    clock += ms;
    api.emit(event, payload);
    flushSync();
  };
  return { api, job, emitAfter };
}

const percentShown = () => Number.parseInt(screen.getByTestId('percent').textContent ?? '', 10);

describe('JobProgress', () => {
  beforeEach(() => {
    vi.spyOn(Date, 'now').mockImplementation(() => clock);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('one overall percent that does not fall back when comparing ends and writing starts; time left for the whole flash', async () => {
    const { emitAfter } = await running();
    emitAfter(0, 'jobPhase', { jobId: 'job-1', phase: 'connecting' });
    emitAfter(1500, 'jobPhase', { jobId: 'job-1', phase: 'stub' });
    emitAfter(800, 'jobProgress', {
      jobId: 'job-1',
      phase: 'planning',
      bytesDone: 56 * KIB,
      bytesTotal: 256 * KIB,
      bytesPerSecond: 300_000,
    });
    expect(screen.getByRole('heading')).toHaveTextContent('Checking what is already on the board');
    const comparing = percentShown();
    emitAfter(600, 'jobProgress', {
      jobId: 'job-1',
      phase: 'writing',
      bytesDone: 0,
      bytesTotal: 256 * KIB,
      bytesPerSecond: 0,
    });
    expect(screen.getByRole('heading')).toHaveTextContent('Writing the firmware');
    expect(percentShown()).toBeGreaterThanOrEqual(comparing);
    expect(screen.getByTestId('bytes')).toHaveTextContent('0 B of 256 KiB');
    emitAfter(2000, 'jobProgress', {
      jobId: 'job-1',
      phase: 'writing',
      bytesDone: 128 * KIB,
      bytesTotal: 256 * KIB,
      bytesPerSecond: 64 * KIB,
    });
    expect(percentShown()).toBeGreaterThan(comparing);
    expect(screen.getByRole('progressbar')).toHaveAttribute('value', String(percentShown()));
    expect(screen.getByTestId('speed')).toHaveTextContent('64.0 KiB/s');
    // 128 KiB at 64 KiB/s = 2 s of writing, then verify (256 KiB at the estimated 1 MB/s ≈ 0.26 s), restart
    // (0.6 s) and the ESP8266 boot check (5 s): the time left is for all of it, 7.9 s.
    expect(screen.getByTestId('eta')).toHaveTextContent('about 7.9 s left');
    // No jargon in what is read first.
    expect(document.body.textContent).not.toMatch(/acknowledged|stub|MD5/);
  });

  it('a resumed flash says "Resuming" and how much is already there, not "0 B of" the whole image', async () => {
    const { emitAfter } = await running();
    emitAfter(0, 'jobProgress', {
      jobId: 'job-1',
      phase: 'planning',
      bytesDone: 256 * KIB,
      bytesTotal: 256 * KIB,
      bytesPerSecond: 300_000,
    });
    emitAfter(100, 'jobProgress', {
      jobId: 'job-1',
      phase: 'writing',
      bytesDone: 0,
      bytesTotal: 64 * KIB,
      bytesPerSecond: 0,
    });
    expect(screen.getByTestId('resuming')).toHaveTextContent(
      'Resuming: 192 KiB of the firmware is already on the board',
    );
    expect(screen.getByTestId('bytes')).toHaveTextContent('0 B of 64.0 KiB left to write');
  });

  it('the boot check moves the bar with time; progress of another job is ignored', async () => {
    const { job, emitAfter } = await running();
    emitAfter(0, 'jobProgress', {
      jobId: 'other',
      phase: 'writing',
      bytesDone: 10,
      bytesTotal: 20,
      bytesPerSecond: 5,
    });
    expect(screen.queryByTestId('bytes')).toBeNull();
    emitAfter(0, 'jobProgress', {
      jobId: 'job-1',
      phase: 'verifying',
      bytesDone: 256 * KIB,
      bytesTotal: 256 * KIB,
      bytesPerSecond: 1_000_000,
    });
    emitAfter(500, 'jobPhase', { jobId: 'job-1', phase: 'boot-check' });
    expect(screen.getByRole('heading')).toHaveTextContent('Checking that the firmware starts');
    expect(screen.queryByTestId('bytes')).toBeNull();
    const before = percentShown();
    clock += 3000;
    job.tick();
    flushSync();
    expect(percentShown()).toBeGreaterThan(before);
    expect(percentShown()).toBeLessThan(100);
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

  it('while the guided mode waits for the user’s hands, it says so instead of a time left', async () => {
    const { emitAfter } = await running();
    emitAfter(0, 'jobPhase', {
      jobId: 'job-1',
      phase: 'boot-check',
      message:
        'Let go of the button (GPIO0), then unplug the board’s power and plug it back in (or press RESET) so Kiln can watch it start. (listening at 74880 baud)',
    });
    emitAfter(2000, 'jobPhase', {
      jobId: 'job-1',
      phase: 'boot-check',
      message: 'x (listening at 74880 baud)',
    });
    expect(screen.getByTestId('eta').textContent).toBe('waiting for you');
    emitAfter(500, 'jobPhase', {
      jobId: 'job-1',
      phase: 'boot-check',
      message: 'Resetting and listening at 115200 baud',
    });
    expect(screen.queryByTestId('eta')?.textContent ?? '').not.toBe('waiting for you');
  });
});
