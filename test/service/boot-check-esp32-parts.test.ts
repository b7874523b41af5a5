/**
 * A correct three-part ESP32 flash (the real ESP-IDF bootloader at 0x1000 and partition table at 0x8000 from
 * fixtures/firmware, an app built by our image writer at 0x10000) on a virtual ESP32: the ROM boots the
 * second-stage bootloader from 0x1000 (esptool ESP32ROM.BOOTLOADER_FLASH_OFFSET), so the boot check reads
 * "booted" — no "flash the bootloader and partition table" advice for regions that were just written.
 */
import { describe, expect, it } from 'vitest';
import { buildImage } from '../../src-main/esp/image';
import type { EventPayload } from '../../src-main/service/contract';
import { readFirmware } from '../helpers/shared';
import { pattern } from './fakes';
import { simService } from './helpers/sim-service';

describe('boot check after a three-part ESP32 flash', () => {
  it('bootloader 0x1000 + partition table 0x8000 + app 0x10000 ends "booted"', async () => {
    const s = simService();
    const port = 'sim:esp32';
    const app = buildImage({
      chip: 'esp32',
      entry: 0x400d0018,
      segments: [{ address: 0x3f400020, data: pattern(6000, 7) }],
      mode: 'dio',
      freq: '40m',
      size: '4MB',
    });
    const parts: [number, Buffer][] = [
      [0x1000, readFirmware('bootloader_esp32.bin')],
      [0x8000, readFirmware('partitions_singleapp.bin')],
      [0x10000, app],
    ];
    try {
      const images = [];
      for (const [offset, bytes] of parts) {
        const fw = await s.service.call('inspectFirmware', { name: `p${offset}.bin`, bytes });
        images.push({ sha256: fw.sha256, name: `p${offset}.bin`, offset });
      }
      const { jobId } = await s.service.call('startFlash', { port, images, options: {} });
      const done = (await s.service.waitForJob(jobId)) as EventPayload<'jobDone'>;
      if (!done.ok || done.result?.kind !== 'flash') throw new Error(JSON.stringify(done.error));
      expect(done.result.regions.map((r) => r.verified)).toEqual([true, true, true]);
      const device = s.service.virtualDevice(port);
      expect(Buffer.from(device.readFlash(0x1000, 16))).toEqual(parts[0]![1].subarray(0, 16));
      expect(done.result.boot?.verdict).toBe('booted');
      expect(done.result.boot?.advice ?? []).toEqual([]);
      expect(done.result.boot!.evidence.some((e) => e.includes('SPI_FAST_FLASH_BOOT'))).toBe(true);
    } finally {
      await s.service.shutdown();
    }
  });
});
