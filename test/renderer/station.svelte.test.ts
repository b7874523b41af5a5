import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import StationSlot from '../../src-renderer/components/StationSlot.svelte';
import StationCounters from '../../src-renderer/components/StationCounters.svelte';
import {
  StationState,
  type SlotSnapshot,
  type StationSnapshot,
} from '../../src-renderer/state/station.svelte';
import { RESEAT_STEP } from '../../src-renderer/lib/station-advice';
import { createFakeApi, settle } from './fake-api';

const summary = { boards: 0, verified: 0, failed: 0, skipped: 0, attempts: 0, elapsedMs: 0, perHour: 0 };
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
    await st.plugVirtual('esp8266', 'swap-txrx');
    await st.plugVirtual('esp8266', 'dout');
    await st.plugVirtual('esp32', 'noise');
    // DOUT-only wiring is an ESP8266 (ESP8285, Sonoff) trait: on another chip the board is plugged in healthy.
    await st.plugVirtual('esp32', 'dout');
    expect(api.fn.stationPlugVirtual.mock.calls.map((c) => c[0].url)).toEqual([
      'sim:esp8266?seed=1',
      'sim:esp8266?seed=2&fault=swap-txrx',
      'sim:esp8266?seed=3&wiring=dout',
      'sim:esp32?seed=4&fault=noise:0.01',
      'sim:esp32?seed=5',
    ]);
    // test/station/virtual-board-urls.test.ts checks that the simulator accepts each of these.

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
  it('a failed slot leads with the diagnosis in plain words, "reseat" first on a jig, the code behind a disclosure', async () => {
    render(StationSlot, {
      props: {
        number: 2,
        slot: {
          port: 'sim:esp8266?seed=2',
          state: 'failed',
          percent: 0,
          attempt: 1,
          present: true,
          error: { code: 'SYNC_FAILED', message: 'The board did not answer.' },
          diagnosis: {
            code: 'NO_RESPONSE_WIRING',
            title: 'Nothing came back from the board',
            steps: ['Test the adapter alone.', 'Swap TX and RX.'],
          },
        },
      },
    });
    flushSync();
    await settle();
    const card = screen.getByRole('article', { name: 'Slot 2, Failed, port sim:esp8266?seed=2' });
    expect(card).toHaveAttribute('data-state', 'failed');
    expect(within(card).getByRole('heading', { level: 3 })).toHaveTextContent(/^2\s*Failed$/);
    expect(within(card).getByText('Nothing came back from the board').tagName).toBe('STRONG');
    expect(within(card).getByTestId('first-step')).toHaveTextContent(`Try first: ${RESEAT_STEP}`);
    const then = within(card).getByRole('list', { name: 'Then try' });
    expect(
      within(then)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Test the adapter alone.', 'Swap TX and RX.']);
    // The code is there for support, but not the first thing read: inside a closed disclosure.
    const code = within(card).getByText('SYNC_FAILED');
    expect(code.closest('details')).not.toHaveAttribute('open');
  });

  it('while flashing: the phase as the big word, a thick bar with the percent, the port on one line with its full path', () => {
    const port = '/dev/serial/by-id/usb-Silicon_Labs_CP2102N_USB_to_UART_Bridge_Controller_0001-if00-port0';
    render(StationSlot, {
      props: {
        number: 1,
        slot: {
          port,
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
    expect(screen.getByTestId('slot-state')).toHaveTextContent('Flashing');
    expect(screen.getByRole('progressbar', { name: 'Flashing, slot 1' })).toHaveAttribute('value', '42.6');
    expect(screen.getByText('42 %')).toBeInTheDocument();
    const path = screen.getByText(port);
    expect(path).toHaveAttribute('title', port);
    expect(screen.getByRole('article')).toHaveAccessibleName(`Slot 1, Flashing, port ${port}`);
  });

  it('each state has its own word and icon, not only a colour', () => {
    const states: SlotSnapshot['state'][] = [
      'waiting',
      'writing',
      'verified',
      'failed',
      'hold-and-power-up',
      'skipped',
    ];
    for (const [i, state] of states.entries())
      render(StationSlot, {
        props: { number: i + 1, slot: { port: `p${i}`, state, percent: 0, attempt: 1, present: true } },
      });
    flushSync();
    const words = screen.getAllByTestId('slot-state').map((el) => el.textContent!.trim());
    expect(words).toEqual(['Waiting', 'Flashing', 'Verified', 'Failed', 'Your turn', 'Skipped']);
    const icons = screen.getAllByTestId('slot-state').map((el) => el.querySelector('svg')!.innerHTML);
    expect(new Set(icons).size).toBe(states.length);
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
    render(StationSlot, { props: { number: 4, slot: failedSlot('sim:esp8266?seed=4', LOOP) } });
    flushSync();
    const card = screen.getByRole('article', { name: /port sim:esp8266\?seed=4$/ });
    expect(within(card).getByText('BOOT_CHECK_FAILED')).toBeInTheDocument();
    // Reseating cannot fix a board that was written and verified: no jig step, the boot advice instead.
    expect(within(card).queryByTestId('first-step')).toBeNull();
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
    render(StationSlot, { props: { number: 1, slot: failedSlot('/dev/ttyUSB0', LOOP) } });
    // A record from before the evidence was quoted: the raw lines stand in for it.
    const older: NonNullable<SlotSnapshot['bootCheck']> = { ...LOOP };
    delete older.evidence;
    render(StationSlot, { props: { number: 2, slot: failedSlot('/dev/ttyUSB1', older) } });
    const booted: NonNullable<SlotSnapshot['bootCheck']> = {
      ...LOOP,
      verdict: 'booted',
      summary: 'Booted: the firmware is printing.',
    };
    delete booted.advice;
    delete booted.retryFlashModes;
    render(StationSlot, {
      props: {
        number: 3,
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
    const verified = screen.getByRole('article', { name: /port \/dev\/ttyUSB2$/ });
    expect(within(verified).queryByTestId('boot-check')).toBeNull();
    expect(verified).toHaveTextContent('Boot check: booted — Booted: the firmware is printing.');
  });
});

describe('StationCounters', () => {
  it('counts boards, not attempts: four boards, one failed then verified → 4 verified · 0 failed (5 attempts)', () => {
    const rec = (port: string, mac: string, result: 'verified' | 'failed', s: number) => ({
      port,
      mac,
      result,
      time: new Date(Date.UTC(2026, 11, 6, 10, 0, s)).toISOString(),
      durationMs: 10_000,
    });
    render(StationCounters, {
      props: {
        records: [
          rec('a', '18:fe:34:00:00:01', 'verified', 0),
          rec('b', '18:fe:34:00:00:02', 'failed', 0),
          rec('c', '18:fe:34:00:00:03', 'verified', 0),
          rec('d', '18:fe:34:00:00:04', 'verified', 0),
          rec('b', '18:fe:34:00:00:02', 'verified', 20),
        ],
        flashing: 0,
        running: false,
      },
    });
    flushSync();
    expect(screen.getByTestId('count-verified')).toHaveTextContent('4 verified');
    expect(screen.getByTestId('count-failed')).toHaveTextContent('0 failed');
    expect(screen.getByTestId('rate')).toHaveTextContent(
      '4 boards (5 attempts) · 480 verified per hour over 30 s',
    );
  });
});
