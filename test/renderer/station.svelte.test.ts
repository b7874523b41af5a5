import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import StationSlot from '../../src-renderer/components/StationSlot.svelte';
import {
  StationState,
  type SlotSnapshot,
  type StationSnapshot,
} from '../../src-renderer/state/station.svelte';
import { createFakeApi, settle } from './fake-api';

const summary = { total: 0, verified: 0, failed: 0, skipped: 0, perHour: 0 };
const running = (slots: SlotSnapshot[]): StationSnapshot => ({
  status: 'running',
  profile: 'p',
  mode: 'auto',
  consecutiveFailures: 0,
  slots,
  summary,
});

describe('StationState', () => {
  it('loads profiles and status, follows stationUpdate/stationRecord, and plugs virtual boards with distinct seeds', async () => {
    const api = createFakeApi();
    const profile = {
      version: 1 as const,
      name: 'p',
      images: [{ sha256: 'a'.repeat(64), name: 'fw.bin', offset: 0 }],
      baud: 921600 as const,
      options: {
        eraseAll: false,
        backupFirst: false,
        flashMode: 'keep' as const,
        skipUnchanged: true,
        verify: true as const,
      },
      bootCheck: false,
      policy: { stopAfterConsecutiveFailures: 3, reflashDuplicates: false },
    };
    api.fn.stationListProfiles.mockResolvedValue({ profiles: [{ profile, missing: [] }] });
    api.fn.stationStatus.mockResolvedValue({ status: 'idle', consecutiveFailures: 0, slots: [], summary });
    api.fn.stationReport.mockResolvedValue({ records: [], summary, partialLine: false });
    api.fn.stationPlugVirtual.mockResolvedValue({ started: true });
    const st = new StationState(api);
    await st.load();
    expect(st.selectedProfile).toBe('p');
    expect(st.running).toBe(false);

    api.emit(
      'stationUpdate',
      running([{ port: 'sim:esp8266?seed=1', state: 'writing', percent: 40, attempt: 1, present: true }]),
    );
    expect(st.running).toBe(true);
    expect(st.snapshot.slots[0]!.percent).toBe(40);
    await st.plugVirtual('esp8266');
    await st.plugVirtual('esp8266');
    expect(api.fn.stationPlugVirtual.mock.calls.map((c) => c[0].url)).toEqual([
      'sim:esp8266?seed=1',
      'sim:esp8266?seed=2',
    ]);

    api.fn.stationPlugVirtual.mockRejectedValue({
      code: 'NOT_FOUND',
      message: 'No station is running.',
      hint: 'Start it.',
    });
    await st.plugVirtual('esp32');
    expect(st.error).toEqual({ code: 'NOT_FOUND', message: 'No station is running.', hint: 'Start it.' });
    st.destroy();
    expect(api.listenerCount()).toBe(0);
  });
});

describe('StationSlot', () => {
  it('shows a failed slot with its error, the diagnosis title and first step', async () => {
    render(StationSlot, {
      props: {
        slot: {
          port: 'sim:esp8266?seed=2',
          state: 'failed',
          percent: 0,
          attempt: 1,
          present: true,
          error: { code: 'SYNC_FAILED', message: 'The board did not answer.' },
          diagnosis: {
            code: 'NO_RESPONSE_WIRING',
            title: 'No response: check TX/RX wiring',
            steps: ['Swap TX and RX.'],
          },
        },
      },
    });
    flushSync();
    await settle();
    expect(screen.getByTestId('slot-state')).toHaveTextContent('Failed');
    expect(screen.getByText(/SYNC_FAILED/)).toBeInTheDocument();
    expect(screen.getByText(/No response: check TX\/RX wiring/).closest('p')).toHaveTextContent(
      'No response: check TX/RX wiring — Swap TX and RX.',
    );
  });

  it('shows the percent of the phase while flashing', () => {
    render(StationSlot, {
      props: {
        slot: {
          port: '/dev/ttyUSB0',
          state: 'writing',
          percent: 42.6,
          attempt: 1,
          present: true,
          mac: '18:fe:34:00:00:01',
          chip: 'esp8266',
        },
      },
    });
    flushSync();
    expect(screen.getByTestId('slot-state')).toHaveTextContent('Flashing 42%');
    expect(screen.getByRole('progressbar')).toHaveAttribute('value', '42.6');
  });

  const LOOP = {
    verdict: 'boot-loop' as const,
    baud: 74880,
    listenedMs: 3000,
    resets: 3,
    heard: ['ets Jan  8 2013,rst cause:4, boot mode:(3,6)', 'csum err'],
    bytes: 410,
    unreadableBytes: 0,
    summary: 'The ROM cannot read the firmware it was given and the chip keeps resetting (3 resets).',
    evidence: ['"ets Jan  8 2013,rst cause:4, boot mode:(3,6)" at 74880 baud', '"csum err" at 74880 baud'],
    advice: [
      'Set the flash mode to DOUT and flash again.',
      'If DOUT does not boot either, try DIO.',
      'Check the 3.3 V supply.',
    ],
    retryFlashModes: ['dout' as const, 'dio' as const],
  };
  const failedSlot = (port: string, bootCheck: SlotSnapshot['bootCheck']): SlotSnapshot => ({
    port,
    state: 'failed',
    percent: 100,
    attempt: 1,
    present: true,
    error: {
      code: 'BOOT_CHECK_FAILED',
      message: `Flashed and verified, but after the reset: ${LOOP.summary}`,
      hint: 'Try the profile with flash mode DOUT, then DIO; then check the supply.',
    },
    ...(bootCheck ? { bootCheck } : {}),
  });

  it('a slot failed by the boot check shows the numbered advice and the evidence (collapsible), without a retry button', () => {
    render(StationSlot, { props: { slot: failedSlot('sim:esp8266?seed=4', LOOP) } });
    flushSync();
    const card = screen.getByRole('article', { name: 'Slot sim:esp8266?seed=4' });
    expect(within(card).getByText(/BOOT_CHECK_FAILED/)).toBeInTheDocument();
    const panel = within(card).getByTestId('boot-check');
    expect(panel).toHaveAttribute('data-verdict', 'boot-loop');
    expect(within(panel).getByRole('heading')).toHaveTextContent('The board keeps resetting (boot loop)');
    const advice = within(panel).getByRole('list', { name: 'What to try' });
    expect(advice.tagName).toBe('OL');
    expect(
      within(advice)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(LOOP.advice);
    const evidence = within(panel).getByText('"csum err" at 74880 baud');
    const details = evidence.closest('details')!;
    expect(details).toHaveAttribute('open');
    expect(
      within(details)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(LOOP.evidence);
    expect(within(panel).queryByRole('button')).toBeNull();
  });

  it('two failed slots label their boot panels by their own headings; a verified slot keeps the one-line summary', () => {
    render(StationSlot, { props: { slot: failedSlot('/dev/ttyUSB0', LOOP) } });
    // A record from before the evidence was quoted: the raw lines stand in for it.
    const older: NonNullable<SlotSnapshot['bootCheck']> = { ...LOOP };
    delete older.evidence;
    render(StationSlot, { props: { slot: failedSlot('/dev/ttyUSB1', older) } });
    const booted: NonNullable<SlotSnapshot['bootCheck']> = {
      ...LOOP,
      verdict: 'booted',
      summary: 'Booted: the firmware is printing.',
    };
    delete booted.advice;
    delete booted.retryFlashModes;
    render(StationSlot, {
      props: {
        slot: {
          port: '/dev/ttyUSB2',
          state: 'verified',
          percent: 100,
          attempt: 1,
          present: true,
          bootCheck: booted,
        },
      },
    });
    flushSync();
    const panels = screen.getAllByTestId('boot-check');
    expect(panels).toHaveLength(2);
    const ids = panels.map((p) => p.getAttribute('aria-labelledby'));
    expect(new Set(ids).size).toBe(2);
    panels.forEach((p, i) => expect(document.getElementById(ids[i]!)).toBe(within(p).getByRole('heading')));
    expect(
      within(panels[1]!)
        .getAllByRole('listitem')
        .slice(0, 2)
        .map((li) => li.textContent),
    ).toEqual(LOOP.heard);
    const verified = screen.getByRole('article', { name: 'Slot /dev/ttyUSB2' });
    expect(within(verified).queryByTestId('boot-check')).toBeNull();
    expect(verified).toHaveTextContent('Boot check: booted — Booted: the firmware is printing.');
  });
});
