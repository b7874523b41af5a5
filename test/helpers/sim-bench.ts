/**
 * The simulated bench the engine tests and the benchmarks share: a simulated board on a VirtualClock, attached to
 * the device end of a memory pair whose host end the engine opens; and reproducible incompressible bytes to flash.
 */
import { VirtualClock } from '../../src-main/core/clock';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { SimulatedDevice, type SimOptions } from '../../src-main/sim';

export function simBench(opts: Omit<SimOptions, 'clock'>, pairPath = `sim:${opts.chip}`) {
  const clock = new VirtualClock();
  const sim = new SimulatedDevice({ ...opts, clock });
  const pair = createMemoryPair({
    path: pairPath,
    lines: opts.board === 'usb-jtag-serial' ? 'usb-jtag-serial' : 'uart',
  });
  sim.attach(pair.device);
  return { clock, sim, pair };
}

/** Incompressible but reproducible bytes (xorshift32), so every run exercises the same path. */
export function noiseBytes(len: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(len);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
