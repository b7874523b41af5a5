/**
 * Above 921600 against the simulator's USB path (sim/usb-path.ts) on a VirtualClock: at 2 Mbaud a bridge that makes
 * the rate (FT232R, CH343) carries a whole flash to verified bytes; a CP2102 (1 Mbaud maximum) cannot, and the
 * engine fails with a code the board run's baud fallback acts on (serial/baud-fallback.ts).
 */
import { describe, expect, it } from 'vitest';
import { withSession } from '../../src-main/esp';
import { KilnError } from '../../src-main/core/errors';
import { BAUD_SUSPECT_CODES } from '../../src-main/serial/baud-fallback';
import type { SimChip } from '../../src-main/sim';
import type { UsbPathOptions } from '../../src-main/sim/usb-path';
import { noiseBytes, simBench } from '../helpers/sim-bench';

const image = noiseBytes(0x20000, 0x51ab);

async function flashAt(chip: SimChip, usbPath: UsbPathOptions, baud: number) {
  const { clock, sim, pair } = simBench({ chip, usbPath });
  const result = await withSession(pair.host, { clock, baud }, (s) =>
    s.flash({ images: [{ offset: 0x10000, data: image }] }),
  );
  return { result, flash: sim.flash };
}

describe('bridges above 921600', () => {
  it.each([
    ['esp8266', { bridge: 'ft232r', latencyMs: 1 }],
    ['esp32', { bridge: 'ch343' }],
    ['esp32', { bridge: 'ft2232h' }],
  ] as const)('%s over %o at 2 Mbaud: written and verified', async (chip, usbPath) => {
    const { result, flash } = await flashAt(chip, usbPath, 2_000_000);
    expect(result.regions.map((r) => r.verified)).toEqual([true]);
    expect(flash.subarray(0x10000, 0x10000 + image.length).equals(image)).toBe(true);
  });

  it('a CP2102 cannot make 2 Mbaud: the engine fails with a code the baud fallback acts on', async () => {
    const failure = await flashAt('esp32', { bridge: 'cp2102' }, 2_000_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(KilnError);
    expect(BAUD_SUSPECT_CODES.has((failure as KilnError).code)).toBe(true);
  });
});
