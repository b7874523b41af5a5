/**
 * The serial console: garbage detection (pure), the console reopening after the job that took its port, the baud
 * kept across tab switches, and the "switch to 74880?" hint doing what it offers.
 */
import { describe, expect, it } from 'vitest';
import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import MonitorScreen from '../../src-renderer/screens/MonitorScreen.svelte';
import { AppState, appStateContext } from '../../src-renderer/state/app-state.svelte';
import { MonitorState } from '../../src-renderer/state/monitor.svelte';
import {
  GARBAGE_MIN_SAMPLE,
  GARBAGE_WINDOW,
  looksLikeWrongBaud,
} from '../../src-renderer/lib/serial-garbage';
import { createFakeApi, mockFlashBackend, settle, virtualPort } from './fake-api';

const BOOT = ' ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\r\nload 0x4010f000, len 1384, room 16 \r\n';

/** Bytes as a UART at the wrong rate delivers them: uniformly spread values (xorshift32, fixed seed), decoded as the console does. */
function wrongBaudText(n: number, seed = 0x2545f491): string {
  const bytes = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return new TextDecoder().decode(bytes);
}

describe('looksLikeWrongBaud', () => {
  it('flags bytes read at the wrong baud, not boot text or app logs', () => {
    expect(looksLikeWrongBaud(wrongBaudText(90))).toBe(true);
    expect(looksLikeWrongBaud(BOOT)).toBe(false);
    expect(
      looksLikeWrongBaud(
        '00:00:00 WIF: Connecting to AP1 kiln-lab in mode 11N as sonoff-1234...\r\n'.repeat(4),
      ),
    ).toBe(false);
    // A UTF-8 log (°C, µs) is text too.
    expect(looksLikeWrongBaud('Temperatur 21,5 °C · Zyklus 120 µs · Zustand: grün\n'.repeat(3))).toBe(false);
  });

  it('judges only the latest output, and not too little of it', () => {
    expect(looksLikeWrongBaud(wrongBaudText(GARBAGE_MIN_SAMPLE - 1))).toBe(false);
    // Garbage at boot, then readable app output filling the window: no longer garbage.
    const app = 'x'.repeat(GARBAGE_WINDOW);
    expect(looksLikeWrongBaud(wrongBaudText(200) + app)).toBe(false);
    expect(looksLikeWrongBaud(app + wrongBaudText(200))).toBe(true);
  });
});

describe('MonitorState', () => {
  function openMonitor() {
    const api = createFakeApi();
    api.fn.monitorOpen.mockResolvedValueOnce({ monitorId: 'm1' }).mockResolvedValueOnce({ monitorId: 'm2' });
    api.fn.monitorClose.mockResolvedValue({});
    return { api, monitor: new MonitorState(api) };
  }

  it('a console a job took opens again, same port and baud, when that job ends', async () => {
    const { api, monitor } = openMonitor();
    await monitor.open('sim:esp8266', 74880);
    api.emit('monitorClosed', { monitorId: 'm1', reason: 'job' });
    expect(monitor.isOpen).toBe(false);
    expect(monitor.reopenAfterJob).toBe(true);

    api.emit('jobStarted', { jobId: 'other', kind: 'flash', port: 'sim:esp32' });
    api.emit('jobStarted', { jobId: 'j7', kind: 'flash', port: 'sim:esp8266' });
    api.emit('jobDone', { jobId: 'other', kind: 'flash', ok: true });
    await settle();
    expect(api.fn.monitorOpen).toHaveBeenCalledTimes(1); // another port's job: still waiting

    api.emit('jobDone', { jobId: 'j7', kind: 'flash', ok: false });
    await settle();
    expect(api.fn.monitorOpen).toHaveBeenLastCalledWith({ port: 'sim:esp8266', baud: 74880 });
    expect(monitor.monitorId).toBe('m2');
    expect(monitor.reopenAfterJob).toBe(false);
    expect(monitor.closedReason).toBeUndefined();
    monitor.destroy();
  });

  it('closed by the device going away, or Closed by the user meanwhile: not reopened', async () => {
    const { api, monitor } = openMonitor();
    await monitor.open('sim:esp8266', 115200);
    api.emit('monitorClosed', { monitorId: 'm1', reason: 'lost' });
    api.emit('jobStarted', { jobId: 'j1', kind: 'flash', port: 'sim:esp8266' });
    api.emit('jobDone', { jobId: 'j1', kind: 'flash', ok: true });
    await settle();
    expect(api.fn.monitorOpen).toHaveBeenCalledTimes(1);
    expect(monitor.reopenAfterJob).toBe(false);
    monitor.destroy();
  });
});

describe('MonitorScreen', () => {
  async function app(monitorBaud = 115200) {
    const api = mockFlashBackend(createFakeApi(), [virtualPort('esp8266'), virtualPort('esp32')]);
    const settings = await api.fn.getSettings({});
    api.fn.getSettings.mockResolvedValue({ ...settings, monitorBaud: monitorBaud as never });
    api.fn.monitorOpen.mockResolvedValue({ monitorId: 'm1' });
    api.fn.monitorSetBaud.mockResolvedValue({});
    api.fn.monitorReset.mockResolvedValue({});
    api.fn.monitorClose.mockResolvedValue({});
    const state = new AppState(api);
    await state.start();
    state.ports.select('sim:esp8266');
    return { api, state };
  }

  it('starts at the saved baud and keeps the chosen one when the tab is left and shown again', async () => {
    const { api, state } = await app(230400);
    const first = render(MonitorScreen, { context: appStateContext(state) });
    const baud = () => screen.getByRole('combobox', { name: 'Baud' });
    expect(baud()).toHaveValue('230400');
    await fireEvent.change(baud(), { target: { value: '74880' } });
    expect(api.fn.setSettings).toHaveBeenLastCalledWith({ monitorBaud: 74880 });
    first.unmount();

    render(MonitorScreen, { context: appStateContext(state) });
    expect(baud()).toHaveValue('74880');
    await fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    expect(api.fn.monitorOpen).toHaveBeenCalledWith({ port: 'sim:esp8266', baud: 74880 });
  });

  it('garbage on an ESP8266 console offers 74880; the button switches, restarts the board, and the hint goes', async () => {
    const { api, state } = await app();
    render(MonitorScreen, { context: appStateContext(state) });
    await fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await settle();
    api.emit('monitorData', { monitorId: 'm1', data: new TextEncoder().encode('ready\r\n') });
    await settle();
    expect(screen.queryByTestId('baud-hint')).toBeNull();

    const garbage = new TextEncoder().encode(wrongBaudText(90));
    api.emit('monitorData', { monitorId: 'm1', data: garbage });
    const hint = await screen.findByTestId('baud-hint');
    expect(hint).toHaveTextContent('This looks like the ESP8266 boot text at 74880 baud — switch to 74880?');

    await fireEvent.click(screen.getByRole('button', { name: 'Switch to 74880' }));
    await settle();
    expect(api.fn.monitorSetBaud).toHaveBeenCalledWith({ monitorId: 'm1', baud: 74880 });
    expect(api.fn.monitorReset).toHaveBeenCalledWith({ monitorId: 'm1', mode: 'run' });
    expect(screen.getByRole('combobox', { name: 'Baud' })).toHaveValue('74880');
    expect(screen.queryByTestId('baud-hint')).toBeNull();

    api.emit('monitorData', { monitorId: 'm1', data: new TextEncoder().encode(BOOT) });
    await waitFor(() =>
      expect(screen.getByTestId('monitor-output')).toHaveTextContent('rst cause:2, boot mode:(3,6)'),
    );
    expect(screen.queryByTestId('baud-hint')).toBeNull();
  });

  it('no 74880 hint for an ESP32 (its ROM talks at 115200)', async () => {
    const { api, state } = await app();
    state.ports.select('sim:esp32');
    render(MonitorScreen, { context: appStateContext(state) });
    await fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await settle();
    api.emit('monitorData', { monitorId: 'm1', data: new TextEncoder().encode(wrongBaudText(90)) });
    await settle();
    expect(screen.queryByTestId('baud-hint')).toBeNull();
  });
});
