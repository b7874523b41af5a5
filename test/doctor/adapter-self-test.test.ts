/**
 * The loopback self-test against the simulator's adapter: a jumper on TX–RX (the short-txrx fault, or the hands'
 * `loop`), a CH340 that loses bytes above its limit (adapter-limit), and no jumper at all.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src-main/core/clock';
import { loopbackPattern, runAdapterSelfTest, selfTestBauds } from '../../src-main/doctor/adapter-self-test';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { SimulatedDevice } from '../../src-main/sim/device';
import { VirtualHands } from '../../src-main/sim/hands';
import type { SimFaults } from '../../src-main/sim/types';

const CH340 = '1a86:7523';

function bench(faults: SimFaults) {
  const clock = new VirtualClock();
  const pair = createMemoryPair({ baudRate: 115200 });
  const device = new SimulatedDevice({
    chip: 'esp8266',
    clock,
    board: 'no-auto-reset',
    poweredByHand: true,
    faults,
  });
  device.attach(pair.device);
  return { clock, transport: pair.host, device };
}

describe('adapter self-test (loopback)', () => {
  it('the pattern carries every byte value once', () => {
    expect(new Set(loopbackPattern()).size).toBe(256);
  });

  it('a CH340 is tried from 115200 up to its highest trusted rate', () => {
    expect(selfTestBauds(CH340)).toEqual([115200, 230400, 460800, 921600]);
  });

  it('a good adapter with the jumper echoes every byte at every rate: "good", the fault is the wiring', async () => {
    const b = bench({ shortTxRx: true });
    const r = await runAdapterSelfTest({ ...b, bauds: selfTestBauds(CH340) });
    expect(r.verdict).toBe('good');
    expect(r.steps.map((s) => [s.baud, s.received, s.errors])).toEqual([
      [115200, 256, 0],
      [230400, 256, 0],
      [460800, 256, 0],
      [921600, 256, 0],
    ]);
    expect(r.advice[0]).toMatch(/wiring or the board/);
  });

  it('a CH340 that loses bytes above 460800: "faulty" from 921600, advice to stay at 460800', async () => {
    const b = bench({ shortTxRx: true, adapterMaxBaud: 460800 });
    const r = await runAdapterSelfTest({ ...b, bauds: selfTestBauds(CH340) });
    expect(r.verdict).toBe('faulty');
    expect(r.failsFrom).toBe(921600);
    const last = r.steps.at(-1)!;
    expect(last.received).toBeLessThan(256);
    expect(last.errors).toBe(256 - last.received);
    expect(r.steps.slice(0, 3).every((s) => s.ok)).toBe(true);
    expect(r.advice[0]).toBe('Flash at 460800 baud or lower with this adapter.');
  });

  it('no jumper (the board still wired, TX/RX crossed wrongly): "no-echo"', async () => {
    const b = bench({ swapTxRx: true });
    const r = await runAdapterSelfTest({ ...b, bauds: [115200, 230400] });
    expect(r.verdict).toBe('no-echo');
    expect(r.steps.every((s) => s.received === 0)).toBe(true);
  });

  it('the hands put the jumper on, the test passes; take it off, nothing echoes', async () => {
    const b = bench({});
    const hands = new VirtualHands(b.device, b.clock);
    hands.do('loop');
    expect((await runAdapterSelfTest({ ...b, bauds: [115200] })).verdict).toBe('good');
    hands.do('unloop');
    hands.do('off'); // board unplugged from the adapter
    expect((await runAdapterSelfTest({ ...b, bauds: [115200] })).verdict).toBe('no-echo');
  });
});
