/**
 * Job lifecycle through the service with fake dependencies: the events a client sees, one job per port,
 * cancellation, error data with hints, the doctor's diagnosis on SYNC_FAILED, port holders on PORT_BUSY, the
 * single baud fallback, monitors yielding to jobs, and shutdown.
 */
import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KilnError } from '../../src-main/core/errors';
import { CAPTURE, cp2102, harness, md5, pattern, WIRING_DIAGNOSIS } from './fakes';
import { kilnRejection } from '../helpers/errors';

async function addFirmware(h: ReturnType<typeof harness>, bytes: Uint8Array, name = 'app.bin') {
  return h.service.call('inspectFirmware', { name, bytes });
}

describe('flash job lifecycle', () => {
  it('runs a flash: events in order, progress mapped, verified regions with the firmware hash', async () => {
    const h = harness();
    await h.service.call('listPorts', {});
    const data = pattern(8192);
    const fw = await addFirmware(h, data);
    const { jobId } = await h.service.call('startFlash', {
      port: '/dev/ttyUSB0',
      images: [{ sha256: fw.sha256, offset: 0x10000, name: 'app.bin' }],
    });
    const done = await h.next('jobDone', (d) => d.jobId === jobId);

    expect(done.ok).toBe(true);
    expect(done.error).toBeUndefined();
    if (done.result?.kind !== 'flash') throw new Error('expected a flash result');
    expect(done.result.regions).toHaveLength(1);
    expect(done.result.regions[0]).toMatchObject({
      offset: 0x10000,
      size: 8192,
      verified: true,
      md5: md5(data),
      sha256: fw.sha256,
    });
    expect(done.result.device.chip).toBe('esp8266');
    // The CP2102's bridge-aware default baud was used, no fallback happened.
    expect(h.engine.connects[0]!.baud).toBe(cp2102().defaultBaud);
    expect(done.result.retriedAtBaud).toBeUndefined();
    // The device really holds the bytes.
    const flash = h.engine.flashes.get('/dev/ttyUSB0')!;
    expect(Buffer.from(flash.subarray(0x10000, 0x10000 + 8192)).equals(Buffer.from(data))).toBe(true);

    const mine = h.events
      .filter((e) => (e.payload as { jobId?: string }).jobId === jobId)
      .map((e) => e.event);
    expect(mine[0]).toBe('jobStarted');
    expect(mine.at(-1)).toBe('jobDone');
    const phases = h
      .of('jobPhase')
      .filter((p) => p.jobId === jobId)
      .map((p) => p.phase);
    // A UART port after a hard reset gets the boot check by default; the fake board prints nothing after it.
    expect(phases).toEqual(['connecting', 'planning', 'writing', 'verifying', 'boot-check', 'done']);
    expect(done.result.boot).toMatchObject({ verdict: 'silent', baud: 74880 });
    const progress = h.of('jobProgress').filter((p) => p.jobId === jobId && p.phase === 'writing');
    // The last writing event reports every byte acknowledged; throttling never drops the phase's end.
    expect(progress.at(-1)).toMatchObject({
      bytesDone: 8192,
      bytesTotal: 8192,
      bytesPerSecond: 1000,
      region: 0,
    });
    // The port is closed after the job.
    expect(h.opened.every((t) => !t.isOpen)).toBe(true);
  });

  it('refuses a second job on the same device, also under its by-id name (JOB_CONFLICT)', async () => {
    const h = harness();
    let release!: () => void;
    h.engine.script.holdFlash = new Promise<void>((r) => (release = r));
    const fw = await addFirmware(h, pattern(4096));
    const img = [{ sha256: fw.sha256, offset: 0x10000, name: 'app.bin' }];
    const first = await h.service.call('startFlash', { port: '/dev/ttyUSB0', images: img });
    await h.next('jobProgress', (p) => p.jobId === first.jobId);

    const byId = cp2102().byId!;
    for (const port of ['/dev/ttyUSB0', byId]) {
      const e = await kilnRejection(h.service.call('startFlash', { port, images: img }));
      expect(e.code).toBe('JOB_CONFLICT');
      expect(e.hint).toBeTruthy();
    }
    expect((await kilnRejection(h.service.call('identify', { port: '/dev/ttyUSB0' }))).code).toBe(
      'JOB_CONFLICT',
    );
    expect(
      (await kilnRejection(h.service.call('monitorOpen', { port: '/dev/ttyUSB0', baud: 115200 }))).code,
    ).toBe('JOB_CONFLICT');

    release();
    const done = await h.next('jobDone', (d) => d.jobId === first.jobId);
    expect(done.ok).toBe(true);
    // Once finished, the port is free again.
    const second = await h.service.call('startFlash', { port: byId, images: img });
    expect((await h.next('jobDone', (d) => d.jobId === second.jobId)).ok).toBe(true);
  });

  it('cancels a running job: CANCELLED, port closed, flash left partially written', async () => {
    const h = harness();
    h.engine.script.holdFlash = new Promise<void>(() => {});
    const fw = await addFirmware(h, pattern(4096));
    const { jobId } = await h.service.call('startFlash', {
      port: 'sim:esp8266',
      images: [{ sha256: fw.sha256, offset: 0x10000, name: 'app.bin' }],
    });
    await h.next('jobProgress', (p) => p.jobId === jobId && p.phase === 'writing');
    expect(await h.service.call('cancelJob', { jobId })).toEqual({ cancelled: true });
    const done = await h.next('jobDone', (d) => d.jobId === jobId);
    expect(done.ok).toBe(false);
    expect(done.error?.code).toBe('CANCELLED');
    expect(done.error?.hint).toBeTruthy();
    expect(h.opened.every((t) => !t.isOpen)).toBe(true);
    // Cancelling again reports that nothing was running.
    expect(await h.service.call('cancelJob', { jobId })).toEqual({ cancelled: false });
    expect((await kilnRejection(h.service.call('cancelJob', { jobId: 'job-nope' }))).code).toBe('NOT_FOUND');
    const listed = (await h.service.call('listJobs', {})).jobs.find((j) => j.jobId === jobId);
    expect(listed).toMatchObject({ running: false, kind: 'flash', port: 'sim:esp8266' });
  });

  it('attaches the doctor diagnosis (with the bridge USB id) to a SYNC_FAILED jobDone', async () => {
    const h = harness();
    await h.service.call('listPorts', {});
    h.engine.script.failConnect = () =>
      new KilnError('SYNC_FAILED', 'No bootloader handshake.', {
        hint: 'Check wiring.',
        details: { capture: CAPTURE as never },
      });
    const fw = await addFirmware(h, pattern(1024));
    const { jobId } = await h.service.call('startFlash', {
      port: '/dev/ttyUSB0',
      images: [{ sha256: fw.sha256, offset: 0, name: 'a.bin' }],
    });
    const done = await h.next('jobDone', (d) => d.jobId === jobId);
    expect(done.ok).toBe(false);
    expect(done.error).toMatchObject({
      code: 'SYNC_FAILED',
      message: 'No bootloader handshake.',
      hint: 'Check wiring.',
    });
    expect(done.diagnosis).toEqual(WIRING_DIAGNOSIS);
    expect(h.doctor.diagnosed).toHaveLength(1);
    expect(h.doctor.diagnosed[0]!.capture).toEqual(CAPTURE);
    expect(h.doctor.diagnosed[0]!.context).toEqual({ usbId: '10c4:ea60' });
    // A sync failure is never retried at another baud (it happens at 115200 regardless).
    expect(h.engine.connects).toHaveLength(1);
  });

  it('identify rejects with SYNC_FAILED carrying the diagnosis in details', async () => {
    const h = harness();
    h.engine.script.failConnect = () =>
      new KilnError('SYNC_FAILED', 'No bootloader handshake.', {
        hint: 'Check wiring.',
        details: { capture: CAPTURE as never },
      });
    const e = await kilnRejection(h.service.call('identify', { port: '/dev/ttyUSB0' }));
    expect(e.code).toBe('SYNC_FAILED');
    expect(e.hint).toBe('Check wiring.');
    expect(e.details?.diagnosis).toEqual(WIRING_DIAGNOSIS);
    // The port is free again afterwards.
    h.engine.script.failConnect = undefined;
    expect((await h.service.call('identify', { port: '/dev/ttyUSB0' })).chip).toBe('esp8266');
  });

  it('names the programs holding a busy port, keeping the PORT_BUSY code', async () => {
    const h = harness();
    h.engine.script.failConnect = () =>
      new KilnError('PORT_BUSY', '/dev/ttyUSB0 is busy.', { hint: 'Close other serial programs.' });
    const fw = await addFirmware(h, pattern(1024));
    const { jobId } = await h.service.call('startFlash', {
      port: '/dev/ttyUSB0',
      images: [{ sha256: fw.sha256, offset: 0, name: 'a.bin' }],
    });
    const done = await h.next('jobDone', (d) => d.jobId === jobId);
    expect(done.error?.code).toBe('PORT_BUSY');
    expect(done.error?.hint).toBe('Close minicom (pid 4242) and try again. Close other serial programs.');
    expect(done.error?.details).toMatchObject({ holders: ['minicom (pid 4242)'] });
  });

  it('retries once at the next lower baud after a data error, and says so', async () => {
    const h = harness();
    const start = cp2102().defaultBaud;
    h.engine.script.failFlash = (baud) =>
      baud === start ? new KilnError('PROTOCOL_ERROR', 'Bad reply checksum.') : undefined;
    const fw = await addFirmware(h, pattern(2048));
    const { jobId } = await h.service.call('startFlash', {
      port: '/dev/ttyUSB0',
      images: [{ sha256: fw.sha256, offset: 0x1000, name: 'a.bin' }],
    });
    const done = await h.next('jobDone', (d) => d.jobId === jobId);
    expect(done.ok).toBe(true);
    if (done.result?.kind !== 'flash') throw new Error('expected flash');
    expect(h.engine.connects.map((c) => c.baud)).toHaveLength(2);
    const retryBaud = h.engine.connects[1]!.baud!;
    expect(retryBaud).toBeLessThan(start);
    expect(done.result.retriedAtBaud).toBe(retryBaud);
    expect(done.result.baud).toBe(retryBaud);
    const logs = h.of('jobLog').filter((l) => l.jobId === jobId && l.level === 'warn');
    expect(
      logs.some((l) => l.message.includes(String(retryBaud)) && l.message.includes('PROTOCOL_ERROR')),
    ).toBe(true);
  });

  it('reports the second failure when the fallback fails too, with the first attempt in details', async () => {
    const h = harness();
    h.engine.script.failFlash = (baud) =>
      new KilnError('TIMEOUT', `No reply at ${baud}.`, { hint: 'Check the cable.' });
    const fw = await addFirmware(h, pattern(2048));
    const { jobId } = await h.service.call('startFlash', {
      port: '/dev/ttyUSB0',
      images: [{ sha256: fw.sha256, offset: 0x1000, name: 'a.bin' }],
    });
    const done = await h.next('jobDone', (d) => d.jobId === jobId);
    expect(done.error?.code).toBe('TIMEOUT');
    expect(done.error?.hint).toBe('Check the cable.');
    expect(done.error?.details?.firstAttempt).toMatchObject({ code: 'TIMEOUT', baud: cp2102().defaultBaud });
    expect(h.engine.connects).toHaveLength(2);
  });

  it('a named port is looked up alone, without a whole listing; an unknown one still gets PORT_NOT_FOUND', async () => {
    const h = harness({ findPort: true });
    const fw = await addFirmware(h, pattern(64));
    const { jobId } = await h.service.call('startFlash', {
      port: '/dev/ttyUSB0',
      images: [{ sha256: fw.sha256, offset: 0x10000, name: 'a.bin' }],
    });
    expect((await h.next('jobDone', (d) => d.jobId === jobId)).ok).toBe(true);
    expect(h.listings).toBe(0);
    expect(h.engine.connects[0]?.baud).toBe(cp2102().defaultBaud); // the bridge's baud, from the look-up
    const img = [{ sha256: fw.sha256, offset: 0, name: 'a.bin' }];
    expect(
      (await kilnRejection(h.service.call('startFlash', { port: '/dev/ttyUSB7', images: img }))).code,
    ).toBe('PORT_NOT_FOUND');
    expect(h.listings).toBe(1); // not found alone: one listing, in case a link names it
  });

  it('rejects unknown ports, unknown firmware and bad sim URLs before any job exists', async () => {
    const h = harness();
    const fw = await addFirmware(h, pattern(64));
    const img = [{ sha256: fw.sha256, offset: 0, name: 'a.bin' }];
    expect(
      (await kilnRejection(h.service.call('startFlash', { port: '/dev/ttyUSB7', images: img }))).code,
    ).toBe('PORT_NOT_FOUND');
    expect((await kilnRejection(h.service.call('startFlash', { port: 'sim:esp99', images: img }))).code).toBe(
      'BAD_REQUEST',
    );
    const missing = [{ sha256: 'f'.repeat(64), offset: 0, name: 'gone.bin' }];
    expect(
      (await kilnRejection(h.service.call('startFlash', { port: '/dev/ttyUSB0', images: missing }))).code,
    ).toBe('NOT_FOUND');
    expect(h.of('jobStarted')).toHaveLength(0);
  });

  it('reports a plan error (raw data where the ROM expects a boot image) as the job result', async () => {
    const h = harness();
    const fw = await addFirmware(h, new Uint8Array(256).fill(7), 'raw.bin');
    const { jobId } = await h.service.call('startFlash', {
      port: 'sim:esp8266',
      images: [{ sha256: fw.sha256, offset: 0, name: 'raw.bin' }],
    });
    const done = await h.next('jobDone', (d) => d.jobId === jobId);
    expect(done.error?.code).toBe('IMAGE_INVALID');
    expect(done.error?.message).toContain('raw.bin');
    expect(done.error?.hint).toBeTruthy();
    // Nothing was written.
    expect(
      h.engine.flashes
        .get('sim:esp8266')!
        .subarray(0, 256)
        .every((b) => b === 0xff),
    ).toBe(true);
  });

  it('never reports success for a region the engine wrote but could not verify: VERIFY_FAILED naming it', async () => {
    const h = harness();
    h.engine.script.cannotVerify = true;
    const fw = await addFirmware(h, pattern(4096));
    const { jobId } = await h.service.call('startFlash', {
      port: '/dev/ttyUSB0',
      images: [{ sha256: fw.sha256, offset: 0x10000, name: 'app.bin' }],
    });
    const done = await h.next('jobDone', (d) => d.jobId === jobId);
    expect(done.ok).toBe(false);
    expect(done.result).toBeUndefined();
    expect(done.error?.code).toBe('VERIFY_FAILED');
    expect(done.error?.details).toMatchObject({ offsets: [0x10000] });
    expect(done.error?.hint).toBeTruthy();
    expect(
      h
        .of('jobPhase')
        .filter((p) => p.jobId === jobId)
        .map((p) => p.phase),
    ).not.toContain('done');
  });

  it('takes a backup of the regions it is about to overwrite', async () => {
    const h = harness();
    const original = pattern(4096, 7);
    const fw0 = await addFirmware(h, original, 'orig.bin');
    const first = await h.service.call('startFlash', {
      port: 'sim:esp8266',
      images: [{ sha256: fw0.sha256, offset: 0x2000, name: 'orig.bin' }],
    });
    await h.next('jobDone', (d) => d.jobId === first.jobId);

    const fw1 = await addFirmware(h, pattern(4096, 8), 'new.bin');
    const { jobId } = await h.service.call('startFlash', {
      port: 'sim:esp8266',
      images: [{ sha256: fw1.sha256, offset: 0x2000, name: 'new.bin' }],
      options: { backupFirst: true },
    });
    const done = await h.next('jobDone', (d) => d.jobId === jobId);
    if (done.result?.kind !== 'flash') throw new Error(JSON.stringify(done.error));
    expect(done.result.backup).toHaveLength(1);
    expect(done.result.backup![0]).toMatchObject({ offset: 0x2000, size: 4096, sha256: fw0.sha256 });
    expect(done.result.backup![0]!.file.startsWith(h.dataDir)).toBe(true);
    // The backup is also in the cache: the original bytes come back by hash.
    const back = await h.service.call('getFirmware', { sha256: fw0.sha256 });
    expect(Buffer.from(back.bytes).equals(Buffer.from(original))).toBe(true);
    expect(
      h
        .of('jobPhase')
        .filter((p) => p.jobId === jobId)
        .map((p) => p.phase),
    ).toContain('backup');
  });
});

describe('monitors and jobs share ports', () => {
  it('pushes received bytes, writes, and yields the port to a job', async () => {
    const h = harness();
    const { monitorId } = await h.service.call('monitorOpen', { port: 'sim:esp8266', baud: 74880 });
    const transport = h.opened.at(-1)!;
    expect(transport.baudRate).toBe(74880);
    await h.service.call('monitorWrite', { monitorId, data: new TextEncoder().encode('help\r\n') });
    await h.service.call('monitorSetBaud', { monitorId, baud: 115200 });
    expect(transport.baudRate).toBe(115200);

    const fw = await addFirmware(h, pattern(256));
    const { jobId } = await h.service.call('startFlash', {
      port: 'sim:esp8266',
      images: [{ sha256: fw.sha256, offset: 0x10000, name: 'a.bin' }],
    });
    const closed = await h.next('monitorClosed', (m) => m.monitorId === monitorId);
    expect(closed.reason).toBe('job');
    expect(transport.isOpen).toBe(false);
    expect((await h.next('jobDone', (d) => d.jobId === jobId)).ok).toBe(true);
    expect(
      (await kilnRejection(h.service.call('monitorWrite', { monitorId, data: new Uint8Array([1]) }))).code,
    ).toBe('NOT_FOUND');
  });

  it('delivers device output as monitorData and resets with DTR/RTS', async () => {
    const h = harness();
    const { monitorId } = await h.service.call('monitorOpen', { port: '/dev/ttyUSB0', baud: 115200 });
    const device = h.devices.at(-1)!;
    const written: number[] = [];
    device.onHostData((chunk) => written.push(...chunk));
    const signals: { dtr: boolean; rts: boolean }[] = [];
    device.onSignals((s) => signals.push(s));

    const got = h.next('monitorData', (m) => m.monitorId === monitorId);
    device.send(Buffer.from('ets Jan  8 2013,'));
    device.send(Buffer.from('rst cause:2'));
    const data = await got;
    // Chunks of one event-loop turn arrive together.
    expect(Buffer.from(data.data).toString()).toBe('ets Jan  8 2013,rst cause:2');

    await h.service.call('monitorWrite', { monitorId, data: new Uint8Array([0x41, 0x0d]) });
    expect(written).toEqual([0x41, 0x0d]);
    await h.service.call('monitorReset', { monitorId });
    // Hard reset: EN (RTS) pulsed with IO0 (DTR) released.
    expect(signals).toEqual([
      { dtr: false, rts: true },
      { dtr: false, rts: false },
    ]);

    device.unplug();
    const closed = await h.next('monitorClosed', (m) => m.monitorId === monitorId);
    expect(closed.reason).toBe('lost');
    expect(closed.error?.code).toBe('DEVICE_LOST');
  });
});

describe('service lifecycle', () => {
  it('shutdown cancels running jobs and closes every transport', async () => {
    const h = harness();
    h.engine.script.holdFlash = new Promise<void>(() => {});
    const fw = await addFirmware(h, pattern(1024));
    const { jobId } = await h.service.call('startFlash', {
      port: 'sim:esp8266',
      images: [{ sha256: fw.sha256, offset: 0x10000, name: 'a.bin' }],
    });
    await h.next('jobProgress', (p) => p.jobId === jobId && p.phase === 'writing');
    await h.service.call('monitorOpen', { port: '/dev/ttyUSB0', baud: 115200 });
    await h.service.shutdown();
    const done = h.of('jobDone').find((d) => d.jobId === jobId);
    expect(done?.error?.code).toBe('CANCELLED');
    expect(h.opened.every((t) => !t.isOpen)).toBe(true);
    expect(
      (
        await kilnRejection(
          h.service.call('startFlash', {
            port: 'sim:esp8266',
            images: [{ sha256: fw.sha256, offset: 0, name: 'a.bin' }],
          }),
        )
      ).code,
    ).toBe('CANCELLED');
  });

  it('persists settings as JSON in the data folder, merging patches', async () => {
    const h = harness();
    const defaults = await h.service.call('getSettings', {});
    expect(defaults.flash.skipUnchanged).toBe(true);
    await h.service.call('setSettings', { theme: 'dark', flash: { eraseAll: true } });
    const again = harness({ dataDir: h.dataDir });
    const s = await again.service.call('getSettings', {});
    expect(s.theme).toBe('dark');
    expect(s.flash).toMatchObject({ eraseAll: true, skipUnchanged: true, flashMode: 'keep' });
    expect(s.monitorBaud).toBe(115200);
  });

  it('keeps the GUI boot-check switch in the flash settings: on by default, off persisted, old files read as on', async () => {
    const h = harness();
    expect((await h.service.call('getSettings', {})).flash.bootCheck).toBe(true);
    await h.service.call('setSettings', { flash: { bootCheck: false } });
    const again = harness({ dataDir: h.dataDir });
    expect((await again.service.call('getSettings', {})).flash).toMatchObject({
      bootCheck: false,
      skipUnchanged: true,
    });
    await again.service.call('setSettings', { flash: { eraseAll: true } });
    expect((await again.service.call('getSettings', {})).flash).toMatchObject({
      bootCheck: false,
      eraseAll: true,
    });
    // A settings file written before the switch existed.
    const old = harness();
    await writeFile(path.join(old.dataDir, 'settings.json'), JSON.stringify({ flash: { eraseAll: true } }));
    expect((await old.service.call('getSettings', {})).flash).toMatchObject({
      bootCheck: true,
      eraseAll: true,
    });
    await expect(
      h.service.call('setSettings', { flash: { bootCheck: 'yes' as never } }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('lists real ports first with bridge details, then the virtual devices; hot-plug pushes portsChanged', async () => {
    const h = harness({ watch: true });
    const { ports } = await h.service.call('listPorts', {});
    expect(ports.map((p) => p.group)).toEqual(['serial', 'virtual', 'virtual', 'virtual']);
    expect(ports[0]).toMatchObject({
      path: '/dev/ttyUSB0',
      bridge: 'CP210x',
      usbId: '10c4:ea60',
      serialNumber: '0001',
      byId: cp2102().byId,
    });
    expect(ports.slice(1).map((p) => p.path)).toEqual(['sim:esp8266', 'sim:esp32', 'sim:esp32c3']);
    expect(ports[1]!.label).toContain('Virtual ESP8266');

    h.watch!.onAdded(cp2102('/dev/ttyUSB1'));
    const changed = await h.next('portsChanged', (p) => p.ports.some((x) => x.path === '/dev/ttyUSB1'));
    expect(changed.ports.filter((p) => p.group === 'serial').map((p) => p.path)).toEqual([
      '/dev/ttyUSB0',
      '/dev/ttyUSB1',
    ]);
    // The new port is usable without another listPorts call.
    const { monitorId } = await h.service.call('monitorOpen', { port: '/dev/ttyUSB1', baud: 115200 });
    await h.service.call('monitorClose', { monitorId });

    await h.service.call('setSettings', { showVirtualDevices: false });
    expect((await h.service.call('listPorts', {})).ports.every((p) => p.group === 'serial')).toBe(true);
  });
});
