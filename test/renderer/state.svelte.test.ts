import { describe, expect, it } from 'vitest';
import { FlashJobState } from '../../src-renderer/state/flash-job.svelte';
import { PortsState } from '../../src-renderer/state/ports.svelte';
import { DoctorState } from '../../src-renderer/state/doctor.svelte';
import { MonitorState, MAX_MONITOR_CHARS } from '../../src-renderer/state/monitor.svelte';
import { DeviceState } from '../../src-renderer/state/device.svelte';
import { FlashOptionsState } from '../../src-renderer/state/flash-options.svelte';
import type { AccessReport, Diagnosis } from '../../src-renderer/api/types';
import { createFakeApi, deviceInfo, realPort, virtualPort } from './fake-api';
import { ANA_FAILING_LINUX } from '../helpers/access-report';

const IMAGES = [{ sha256: 'a'.repeat(64), offset: 0, name: 'a.bin' }];
const WIRING: Diagnosis = {
  code: 'NO_REPLY_WIRING',
  title: 'No answer at all: TX and RX are probably swapped',
  explanation: 'Kiln sent the handshake 7 times and received nothing.',
  evidence: ['0 bytes received in 7 attempts at 115200 baud'],
  steps: ['Swap the TX and RX wires.', 'Check 3.3 V and GND.'],
};

describe('FlashJobState', () => {
  it('keeps events that arrive before startFlash returns the job id, and ignores other jobs', async () => {
    const api = createFakeApi();
    let release!: (v: { jobId: string }) => void;
    api.fn.startFlash.mockImplementation(() => new Promise((r) => (release = r)));
    const job = new FlashJobState(api);
    const started = job.startFlash({ port: 'sim:esp8266', images: IMAGES });
    expect(job.status).toBe('starting');
    api.emit('jobPhase', { jobId: 'j1', phase: 'connecting' });
    api.emit('jobLog', { jobId: 'j1', level: 'info', message: 'Connecting at 115200', time: 1 });
    api.emit('jobLog', { jobId: 'zz', level: 'info', message: 'someone else', time: 1 });
    release({ jobId: 'j1' });
    await started;
    expect(job.status).toBe('running');
    expect(job.phase).toBe('connecting');
    expect(job.log.map((l) => l.message)).toEqual(['Connecting at 115200']);
  });

  it('a failed job carries the error and the diagnosis; a later success clears them', async () => {
    const api = createFakeApi();
    api.fn.startFlash.mockResolvedValueOnce({ jobId: 'j1' }).mockResolvedValueOnce({ jobId: 'j2' });
    const job = new FlashJobState(api);
    await job.startFlash({ port: 'sim:esp8266?fault=swap-txrx', images: IMAGES });
    api.emit('jobDone', {
      jobId: 'j1',
      kind: 'flash',
      ok: false,
      error: {
        code: 'SYNC_FAILED',
        message: 'The board did not answer the bootloader handshake.',
        hint: 'See the diagnosis.',
      },
      diagnosis: WIRING,
    });
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('SYNC_FAILED');
    expect(job.diagnosis?.title).toBe(WIRING.title);

    await job.startFlash({ port: 'sim:esp8266', images: IMAGES });
    expect(job.error).toBeUndefined();
    expect(job.diagnosis).toBeUndefined();
    api.emit('jobDone', {
      jobId: 'j2',
      kind: 'flash',
      ok: true,
      result: {
        kind: 'flash',
        device: deviceInfo(),
        regions: [],
        bytesSent: 10,
        durationMs: 1000,
        baud: 460800,
      },
    });
    expect(job.status).toBe('succeeded');
    expect(job.flashResult?.baud).toBe(460800);
    expect(job.phase).toBe('done');
  });

  it('a refused start (e.g. JOB_CONFLICT) fails with the error and never becomes active', async () => {
    const api = createFakeApi();
    api.fn.startFlash.mockRejectedValue({
      code: 'JOB_CONFLICT',
      message: 'Another job is already running on this port.',
      hint: 'Wait for it.',
    });
    const job = new FlashJobState(api);
    await job.startFlash({ port: '/dev/ttyUSB0', images: IMAGES });
    expect(job.status).toBe('failed');
    expect(job.active).toBe(false);
    expect(job.error).toEqual({
      code: 'JOB_CONFLICT',
      message: 'Another job is already running on this port.',
      hint: 'Wait for it.',
    });
  });

  it('destroy() releases every subscription', () => {
    const api = createFakeApi();
    const job = new FlashJobState(api);
    expect(api.listenerCount()).toBe(4);
    job.destroy();
    expect(api.listenerCount()).toBe(0);
  });
});

describe('PortsState', () => {
  it('groups, keeps the selection across unplug/replug, and unsubscribes on destroy', async () => {
    const api = createFakeApi();
    api.fn.listPorts.mockResolvedValue({ ports: [realPort(), virtualPort('esp8266'), virtualPort('esp32')] });
    const ports = new PortsState(api);
    await ports.refresh();
    expect(ports.real.map((p) => p.path)).toEqual(['/dev/ttyUSB0']);
    expect(ports.virtual.map((p) => p.path)).toEqual(['sim:esp8266', 'sim:esp32']);
    expect(ports.selectedPath).toBe('/dev/ttyUSB0');
    api.emit('portsChanged', { ports: [virtualPort('esp8266')] });
    expect(ports.selectionMissing).toBe(true);
    ports.selectVirtual('esp32'); // not offered any more: falls back to the first virtual device
    expect(ports.selectedPath).toBe('sim:esp8266');
    ports.destroy();
    expect(api.listenerCount('portsChanged')).toBe(0);
  });

  it('never guesses a built-in port without a USB id (ttyS0)', async () => {
    const api = createFakeApi();
    api.fn.listPorts.mockResolvedValue({
      ports: [
        realPort({
          path: '/dev/ttyS0',
          label: 'Serial port',
          bridge: undefined,
          usbId: undefined,
          byId: undefined,
        }),
        virtualPort(),
      ],
    });
    const ports = new PortsState(api);
    await ports.refresh();
    expect(ports.real).toHaveLength(1);
    expect(ports.selectedPath).toBeUndefined();
  });
});

describe('DeviceState', () => {
  it('identify stores the info for that port only; a SYNC_FAILED error brings its diagnosis', async () => {
    const api = createFakeApi();
    api.fn.identify.mockResolvedValueOnce(deviceInfo()).mockRejectedValueOnce({
      code: 'SYNC_FAILED',
      message: 'The board did not answer the bootloader handshake.',
      details: { diagnosis: WIRING },
    });
    const device = new DeviceState(api);
    await device.identify('sim:esp8266', 460800);
    expect(api.fn.identify).toHaveBeenCalledWith({ port: 'sim:esp8266', baud: 460800 });
    expect(device.infoFor('sim:esp8266')?.mac).toBe('5c:cf:7f:01:02:03');
    expect(device.infoFor('/dev/ttyUSB0')).toBeUndefined();
    await device.identify('sim:esp8266?fault=swap-txrx');
    expect(device.error?.code).toBe('SYNC_FAILED');
    expect(device.diagnosis?.code).toBe('NO_REPLY_WIRING');
  });
});

describe('DoctorState', () => {
  const fix = {
    id: 'add-dialout',
    title: 'Add you to the dialout group',
    explanation: 'Members of dialout may open serial ports.',
    commands: [['pkexec', 'usermod', '-aG', 'dialout', 'ana']],
    needsRoot: true,
    manual: ['sudo usermod -aG dialout ana'],
  };
  const report: AccessReport = {
    ...ANA_FAILING_LINUX,
    system: [],
    ports: [
      {
        path: '/dev/ttyUSB0',
        present: true,
        findings: [
          {
            id: 'port-permission',
            severity: 'error',
            title: 'Permission denied',
            explanation: 'x',
            evidence: ['crw-rw---- root dialout /dev/ttyUSB0'],
            fixes: [fix],
          },
        ],
      },
    ],
  };

  it('runFix happens only after ask() and confirm(), with confirmed: true, then the report is re-read', async () => {
    const api = createFakeApi();
    api.fn.doctorReport.mockResolvedValue(report);
    api.fn.runFix.mockResolvedValue({ ok: true, status: 'done', output: '' });
    const doctor = new DoctorState(api);
    await doctor.load('/dev/ttyUSB0');
    expect(doctor.findings.map((f) => f.id)).toEqual(['port-permission']);
    await doctor.confirm(); // nothing pending: no call
    expect(api.fn.runFix).not.toHaveBeenCalled();
    doctor.ask('add-dialout');
    expect(doctor.pendingFix?.commands).toEqual([['pkexec', 'usermod', '-aG', 'dialout', 'ana']]);
    doctor.dismiss();
    expect(api.fn.runFix).not.toHaveBeenCalled();
    doctor.ask('add-dialout');
    await doctor.confirm();
    expect(api.fn.runFix).toHaveBeenCalledWith({ fixId: 'add-dialout', confirmed: true });
    expect(doctor.lastRun?.outcome.status).toBe('done');
    expect(api.fn.doctorReport).toHaveBeenCalledTimes(2);
    expect(api.fn.doctorReport).toHaveBeenLastCalledWith({ port: '/dev/ttyUSB0' });
  });
});

describe('MonitorState', () => {
  it('decodes UTF-8 split across chunks, keeps a bounded scrollback, and names the log file', async () => {
    const api = createFakeApi();
    api.fn.monitorOpen.mockResolvedValue({ monitorId: 'm1' });
    api.fn.monitorClose.mockResolvedValue({});
    api.fn.monitorWrite.mockResolvedValue({});
    const monitor = new MonitorState(api);
    await monitor.open('/dev/ttyUSB0', 74880);
    expect(api.fn.monitorOpen).toHaveBeenCalledWith({ port: '/dev/ttyUSB0', baud: 74880 });
    const bytes = new TextEncoder().encode(' ets Jan  8 2013,rst cause:2, boot mode:(3,6) — µ\n');
    const cut = bytes.indexOf(0xc2) + 1; // inside the two-byte 'µ'
    api.emit('monitorData', { monitorId: 'm1', data: bytes.slice(0, cut) });
    api.emit('monitorData', { monitorId: 'other', data: new TextEncoder().encode('NOT MINE') });
    api.emit('monitorData', { monitorId: 'm1', data: bytes.slice(cut) });
    expect(monitor.text).toBe(' ets Jan  8 2013,rst cause:2, boot mode:(3,6) — µ\n');

    await monitor.write('help');
    expect([...(api.fn.monitorWrite.mock.calls[0]![0].data as Uint8Array)]).toEqual([
      ...new TextEncoder().encode('help'),
    ]);

    api.emit('monitorData', { monitorId: 'm1', data: new Uint8Array(MAX_MONITOR_CHARS).fill(0x41) });
    expect(monitor.text.length).toBe(MAX_MONITOR_CHARS);
    expect(monitor.text.endsWith('AAAA')).toBe(true);

    const file = monitor.logFile(new Date('2026-11-24T12:00:00Z'));
    expect(file.name).toBe('kiln-monitor-dev_ttyUSB0-2026-11-24T12-00-00.log');
    expect(file.blob.size).toBe(MAX_MONITOR_CHARS);

    api.emit('monitorClosed', { monitorId: 'm1', reason: 'lost' });
    expect(monitor.isOpen).toBe(false);
    expect(monitor.closedReason).toBe('lost');
    monitor.destroy();
    expect(api.listenerCount()).toBe(0);
  });
});

describe('FlashJobState.attach (reload / reconnect)', () => {
  it('follows a job already running on the service', () => {
    const api = createFakeApi();
    const job = new FlashJobState(api);
    job.attach({
      jobId: 'j9',
      kind: 'flash',
      port: 'sim:esp8266',
      phase: 'writing',
      startedAt: 1,
      running: true,
    });
    expect(job.status).toBe('running');
    api.emit('jobProgress', {
      jobId: 'j9',
      phase: 'writing',
      bytesDone: 50,
      bytesTotal: 100,
      bytesPerSecond: 10,
    });
    // Without the page's plan the overall progress still counts what the events say: 50 bytes left at 10 B/s.
    expect(job.overall!.etaMs).toBeGreaterThanOrEqual(5000);
    expect(job.overall!.fraction).toBeGreaterThanOrEqual(0);
    api.emit('jobDone', {
      jobId: 'j9',
      kind: 'flash',
      ok: false,
      error: { code: 'CANCELLED', message: 'The operation was cancelled.' },
    });
    expect(job.status).toBe('cancelled');
  });
});

describe('FlashOptionsState: boot check', () => {
  it('on (the default) leaves bootCheck out of the startFlash options; off sends false; saved settings seed it', () => {
    const o = new FlashOptionsState();
    expect(o.bootCheck).toBe(true);
    expect(o.toOptions()).not.toHaveProperty('bootCheck');
    o.bootCheck = false;
    expect(o.toOptions()).toMatchObject({ bootCheck: false, skipUnchanged: true });
    o.applyDefaults({ bootCheck: true });
    expect(o.toOptions()).not.toHaveProperty('bootCheck');
    o.applyDefaults({ bootCheck: false, eraseAll: true });
    expect(o.toOptions()).toMatchObject({ bootCheck: false, eraseAll: true });
    o.applyDefaults({ eraseAll: false }); // a settings file from before the switch existed keeps the current value
    expect(o.bootCheck).toBe(false);
  });
});
