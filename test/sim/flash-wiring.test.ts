/** The flash-wiring model (flash-wiring.ts): which header modes a board's flash answers, and the `wiring=` URL option. */
import { describe, expect, it } from 'vitest';
import { flashServesMode, parseSimUrl } from '../../src-main/sim';

describe('flash wiring', () => {
  it('qio answers every mode; dio answers DIO and DOUT; dout only DOUT; an unknown mode byte never', () => {
    const table = (['qio', 'dio', 'dout'] as const).map((w) =>
      [0, 1, 2, 3, 9].map((m) => flashServesMode(w, m)),
    );
    expect(table).toEqual([
      [true, true, true, true, false],
      [false, false, true, true, false],
      [false, false, false, true, false],
    ]);
  });

  it('sim URLs take wiring=qio|dio|dout and refuse anything else', () => {
    expect(parseSimUrl('sim:esp8266?wiring=dout').flashWiring).toBe('dout');
    expect(parseSimUrl('sim:esp8266').flashWiring).toBeUndefined();
    expect(() => parseSimUrl('sim:esp8266?wiring=quad')).toThrow(/no flash wiring "quad"/);
  });
});
