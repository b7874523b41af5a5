import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
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
});
