/**
 * The service with the real engine, simulator, image planner and doctor: what the GUI does when a person picks
 * `sim:esp8266`, adds firmware and presses Flash. A VirtualClock (injected, as any host injects its clock)
 * keeps the modelled 460800-baud transfer fast in wall time.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildImage } from '../../src-main/esp/image';
import type { EventPayload } from '../../src-main/service/contract';
import { pattern } from './fakes';
import { simService } from './helpers/sim-service';

function esp8266Image(): Buffer {
  return buildImage({
    chip: 'esp8266',
    entry: 0x40100004,
    segments: [
      { address: 0x40100000, data: pattern(6000, 11) },
      { address: 0x3ffe8000, data: pattern(1500, 12) },
    ],
    mode: 'dout',
    freq: '40m',
    size: '4MB',
  });
}

function padded(data: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.ceil(data.length / 4) * 4, 0xff);
  out.set(data);
  return out;
}

describe('service ↔ simulator', () => {
  it('flashes sim:esp8266, verified, and a second flash of the same image skips every block', async () => {
    const { service, events } = simService();
    try {
      const image = esp8266Image();
      const fw = await service.call('inspectFirmware', { name: 'app.bin', bytes: image });
      expect(fw.info).toMatchObject({
        format: 'esp8266',
        chip: 'esp8266',
        flashMode: 'dout',
        suggestedOffset: 0,
      });

      const { jobId } = await service.call('startFlash', {
        port: 'sim:esp8266',
        images: [{ sha256: fw.sha256, name: 'app.bin' }],
      });
      const done = (await service.waitForJob(jobId)) as EventPayload<'jobDone'>;
      if (!done.ok || done.result?.kind !== 'flash') throw new Error(JSON.stringify(done.error));
      const region = done.result.regions[0]!;
      expect(region).toMatchObject({ offset: 0, verified: true, sha256: fw.sha256 });
      expect(region.md5).toBe(createHash('md5').update(padded(image)).digest('hex'));
      expect(done.result.device.chip).toBe('esp8266');
      expect(done.result.device.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);

      // The simulated board now holds exactly the image.
      const flash = service.virtualDevice('sim:esp8266').readFlash(0, image.length);
      expect(Buffer.from(flash).equals(image)).toBe(true);

      const progress = events
        .filter((e) => e.event === 'jobProgress')
        .map((e) => e.payload as EventPayload<'jobProgress'>);
      const writing = progress.filter((p) => p.jobId === jobId && p.phase === 'writing');
      expect(writing.length).toBeGreaterThan(0);
      expect(writing.at(-1)!.bytesDone).toBe(writing.at(-1)!.bytesTotal);

      // Same board (kept per URL for the app's lifetime): everything already matches.
      const again = await service.call('startFlash', {
        port: 'sim:esp8266',
        images: [{ sha256: fw.sha256, name: 'app.bin' }],
      });
      const second = (await service.waitForJob(again.jobId)) as EventPayload<'jobDone'>;
      if (!second.ok || second.result?.kind !== 'flash') throw new Error(JSON.stringify(second.error));
      const r2 = second.result.regions[0]!;
      expect(r2.verified).toBe(true);
      expect(r2.blocksSkipped).toBe(r2.blocksTotal);
      expect(r2.bytesSent).toBe(0);
    } finally {
      await service.shutdown();
    }
  });

  it('identifies a virtual board', async () => {
    const { service } = simService();
    try {
      const info = await service.call('identify', { port: 'sim:esp32' });
      expect(info.chip).toBe('esp32');
      expect(info.flashSize).toBe(4 * 1024 * 1024);
    } finally {
      await service.shutdown();
    }
  });

  it('sim:esp8266?fault=swap-txrx ends in SYNC_FAILED with the wiring diagnosis', async () => {
    const { service } = simService();
    try {
      const fw = await service.call('inspectFirmware', { name: 'app.bin', bytes: esp8266Image() });
      const { jobId } = await service.call('startFlash', {
        port: 'sim:esp8266?fault=swap-txrx',
        images: [{ sha256: fw.sha256, name: 'app.bin' }],
      });
      const done = (await service.waitForJob(jobId)) as EventPayload<'jobDone'>;
      expect(done.ok).toBe(false);
      expect(done.error?.code).toBe('SYNC_FAILED');
      expect(done.error?.hint).toBeTruthy();
      expect(done.diagnosis?.code).toBe('NO_RESPONSE_WIRING');
      expect(done.diagnosis?.steps.length).toBeGreaterThan(0);
      // The faulty board stays in the picker under its URL, so the user can try again after "fixing" it.
      const { ports } = await service.call('listPorts', {});
      expect(ports.map((p) => p.path)).toContain('sim:esp8266?fault=swap-txrx');
      // Nothing was written to the faulty board.
      const flash = service.virtualDevice('sim:esp8266?fault=swap-txrx').readFlash(0, 16);
      expect([...flash].every((b) => b === 0xff)).toBe(true);
    } finally {
      await service.shutdown();
    }
  });
});
