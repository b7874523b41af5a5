/**
 * A station slot for boards without auto-reset (profile `before: 'manual'`): the slot waits in
 * 'hold-and-power-up' until the operator (the simulator's hands, reacting to the slot) holds the button and
 * powers the board up; then it flashes in DOUT and verifies. A power-up without the button keeps it waiting.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReport, Station } from '../../src-main/station';
import type { SlotState } from '../../src-main/station/schemas';
import { SimulatedDevice } from '../../src-main/sim';
import { VirtualHands } from '../../src-main/sim/hands';
import { smallImage, VirtualBench } from './virtual-bench';

let bench: VirtualBench;
afterEach(() => bench?.cleanup());

describe('station slot in guided download mode', () => {
  it('waits in "hold the button and power up", then flashes once the operator does it', async () => {
    bench = new VirtualBench();
    const fw = bench.addFirmware(smallImage(7));
    const port = 'sim:esp8266?board=sonoff';
    const device = new SimulatedDevice({
      chip: 'esp8266',
      seed: 12,
      clock: bench.clock,
      board: 'no-auto-reset',
      poweredByHand: true,
      flashWiring: 'dout',
    });
    bench.boards.set(port, device);
    const hands = new VirtualHands(device, bench.clock);
    const profile = bench.profile({
      name: 'sonoff',
      images: [{ sha256: fw, name: 'fw.bin', offset: 0 }],
      before: 'manual',
      options: { flashMode: 'dout' },
    });
    const states: SlotState[] = [];
    let asked = 0;
    const st = await Station.open(bench.deps(), {
      profile,
      stationName: 's',
      reportFile: bench.reportFile,
      mode: { kind: 'ports', ports: [{ path: port }] },
      onEvent: (e) => {
        if (e.kind !== 'slot' || !e.transition) return;
        states.push(e.slot.state);
        if (e.slot.state !== 'hold-and-power-up') return;
        asked++;
        // The operator powers it up at once but forgets the button (a flash boot: the slot keeps waiting), then
        // tries again holding it.
        hands.play([
          { atMs: 0, action: 'power' },
          { atMs: 2000, action: 'hold' },
          { atMs: 2500, action: 'power' },
        ]);
      },
    });
    st.start();
    await st.whenIdle();
    await st.stop();
    const { records } = parseReport(readFileSync(bench.reportFile, 'utf8'));
    expect(records).toHaveLength(1);
    expect(records[0]!.result).toBe('verified');
    expect(device.flash[2]).toBe(3); // DOUT
    expect(asked).toBe(1); // one wait: the early release did not end it
    const waitAt = states.indexOf('hold-and-power-up');
    expect(waitAt).toBeGreaterThanOrEqual(0);
    expect(states.lastIndexOf('hold-and-power-up')).toBeLessThan(states.indexOf('writing'));
    expect(states.at(-1)).toBe('verified');
  });
});
