/**
 * The post-flash boot check of a single flash, service ↔ simulator: a QIO image on a board whose flash only
 * answers DOUT reads (an ESP8285/Sonoff, `sim:…?wiring=dout`) is written and MD5-verified, then fails to boot;
 * the job still succeeds, with the verdict and a DOUT suggestion. Re-flashed with flash mode DOUT, it boots.
 */
import { describe, expect, it } from 'vitest';
import { buildImage } from '../../src-main/esp/image';
import type { EventPayload } from '../../src-main/service/contract';
import { pattern } from './fakes';
import { simService } from './helpers/sim-service';

function esp8266Image(mode: 'qio' | 'dout'): Buffer {
  return buildImage({
    chip: 'esp8266',
    entry: 0x40100004,
    segments: [{ address: 0x40100000, data: pattern(5000, 21) }],
    mode,
    freq: '40m',
    size: '4MB',
  });
}

async function flash(
  s: ReturnType<typeof simService>,
  port: string,
  bytes: Buffer,
  options: Record<string, unknown> = {},
  offset?: number,
) {
  const fw = await s.service.call('inspectFirmware', { name: 'fw.bin', bytes });
  const image =
    offset === undefined
      ? { sha256: fw.sha256, name: 'fw.bin' }
      : { sha256: fw.sha256, name: 'fw.bin', offset };
  const { jobId } = await s.service.call('startFlash', { port, images: [image], options });
  const done = (await s.service.waitForJob(jobId)) as EventPayload<'jobDone'>;
  if (!done.ok || done.result?.kind !== 'flash') throw new Error(JSON.stringify(done.error));
  const phases = s.events
    .filter((e) => e.event === 'jobPhase' && (e.payload as { jobId: string }).jobId === jobId)
    .map((e) => (e.payload as EventPayload<'jobPhase'>).phase);
  return { result: done.result, phases };
}

describe('boot check after a single flash', () => {
  it('QIO image on a DOUT-only board: verified, then a boot loop with "flash again with DOUT"; re-flashed DOUT it boots', async () => {
    const s = simService();
    const port = 'sim:esp8266?wiring=dout';
    try {
      const first = await flash(s, port, esp8266Image('qio'));
      expect(first.result.regions.every((r) => r.verified)).toBe(true);
      expect(first.phases).toContain('boot-check');
      expect(first.phases).not.toContain('resetting');
      const boot = first.result.boot!;
      expect(boot.verdict).toBe('boot-loop');
      expect(boot.baud).toBe(74880);
      expect(boot.retryFlashModes).toEqual(['dout', 'dio']);
      expect(boot.advice![0]).toMatch(/^Flash again with flash mode DOUT.*asks for QIO/);
      expect(boot.evidence).toContain('"csum err" at 74880 baud');
      expect(boot.evidence.some((e) => e.includes('rst cause:4, boot mode:(3,6)'))).toBe(true);
      expect(s.service.virtualDevice(port).readFlash(2, 1)[0]).toBe(0); // QIO in the header, as written

      const second = await flash(s, port, esp8266Image('qio'), { flashMode: 'dout' });
      expect(s.service.virtualDevice(port).readFlash(2, 1)[0]).toBe(3); // DOUT patched into the header
      expect(second.result.boot).toMatchObject({ verdict: 'booted', baud: 74880 });
      expect(second.result.boot!.advice).toBeUndefined();
      expect(
        second.result.boot!.evidence.some(
          (e) => e.includes('Project sonoff') && e.endsWith('at 115200 baud'),
        ),
      ).toBe(true);
    } finally {
      await s.service.shutdown();
    }
  });

  it('the same QIO image boots on a board whose flash answers quad reads (the default wiring)', async () => {
    const s = simService();
    try {
      const { result } = await flash(s, 'sim:esp8266', esp8266Image('qio'));
      expect(result.boot?.verdict).toBe('booted');
    } finally {
      await s.service.shutdown();
    }
  });

  it('bootCheck: false resets without listening; after: no-reset means no check by default', async () => {
    const s = simService();
    try {
      const off = await flash(s, 'sim:esp32', Buffer.from(pattern(4096, 3)), { bootCheck: false }, 0x200000);
      expect(off.result.boot).toBeUndefined();
      expect(off.phases).toContain('resetting');
      expect(off.phases).not.toContain('boot-check');

      const fw = await s.service.call('inspectFirmware', {
        name: 'd.bin',
        bytes: Buffer.from(pattern(4096, 4)),
      });
      const { jobId } = await s.service.call('startFlash', {
        port: 'sim:esp32',
        after: 'no-reset',
        images: [{ sha256: fw.sha256, name: 'd.bin', offset: 0x200000 }],
      });
      const done = (await s.service.waitForJob(jobId)) as EventPayload<'jobDone'>;
      expect(done.ok).toBe(true);
      expect(done.result?.kind === 'flash' && done.result.boot).toBeFalsy();
    } finally {
      await s.service.shutdown();
    }
  });
});
