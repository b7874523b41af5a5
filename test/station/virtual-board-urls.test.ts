/**
 * The Station screen's "plug in a virtual board" choices (src-renderer/lib/virtual-boards.ts) must be URLs the
 * simulator accepts and models as the fault they are named after: sim/url.ts refuses unknown options, so a renamed
 * option would fail here rather than plug in a healthy board under a faulty name.
 */
import { describe, expect, it } from 'vitest';
import { parseSimUrl } from '../../src-main/sim/url';
import { VIRTUAL_BOARD_KINDS, virtualBoardUrl } from '../../src-renderer/lib/virtual-boards';

describe('virtual board kinds', () => {
  it('each kind is a sim: URL with its fault, on every chip it exists on', () => {
    const parsed = Object.fromEntries(
      VIRTUAL_BOARD_KINDS.map((k) => [k.id, parseSimUrl(virtualBoardUrl('esp8266', k.id, 7))]),
    );
    expect(parsed.good).toEqual({ chip: 'esp8266', faults: {}, seed: 7 });
    expect(parsed['swap-txrx']!.faults).toEqual({ swapTxRx: true });
    expect(parsed.dout!.flashWiring).toBe('dout');
    expect(parsed.noise!.faults).toEqual({ noiseRate: 0.01 });
    for (const chip of ['esp32', 'esp32c3'] as const)
      for (const k of VIRTUAL_BOARD_KINDS)
        expect(() => parseSimUrl(virtualBoardUrl(chip, k.id, 1))).not.toThrow();
    // DOUT-only wiring is modelled on the ESP8266 only: elsewhere the board comes healthy.
    expect(virtualBoardUrl('esp32', 'dout', 3)).toBe('sim:esp32?seed=3');
  });
});
