/**
 * The SYNC_FAILED capture of a connect to a simulated chip through a noisy line (in process, virtual clock), or
 * undefined when the noise let the connect through further: a handshake damaged after it succeeded is a link error
 * with its own hint, not the doctor's case.
 */
import { expect } from 'vitest';
import { VirtualClock } from '../../../src-main/core/clock';
import type { ConnectCapture } from '../../../src-main/core/capture';
import { KilnError } from '../../../src-main/core/errors';
import { connectEsp } from '../../../src-main/esp';
import { createMemoryPair } from '../../../src-main/serial/memory-pair';
import { SimulatedDevice } from '../../../src-main/sim';
import { kilnRejection } from '../../helpers/errors';
import { simService } from '../../service/helpers/sim-service';

export async function noisyCapture(
  chip: 'esp8266' | 'esp32',
  noiseRate: number,
  seed: number,
  attempts?: number,
): Promise<ConnectCapture | undefined> {
  const clock = new VirtualClock();
  const sim = new SimulatedDevice({ chip, faults: { noiseRate }, seed, clock });
  const pair = createMemoryPair({ path: `sim:${chip}`, lines: 'uart' });
  sim.attach(pair.device);
  try {
    await connectEsp(pair.host, { clock, ...(attempts === undefined ? {} : { attempts }) });
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(KilnError);
    if ((e as KilnError).code !== 'SYNC_FAILED') return undefined;
    return (e as KilnError).details!.capture as unknown as ConnectCapture;
  } finally {
    await pair.host.close().catch(() => undefined);
  }
}

/** The SYNC_FAILED captures of the service's identify (`kiln info`) on `sim:CHIP?fault=noise:R&seed=S` boards. */
export async function identifyNoiseCaptures(
  chip: 'esp8266' | 'esp32',
  rates: number[],
  seeds: number[],
): Promise<{ port: string; capture: ConnectCapture }[]> {
  const { service } = simService();
  const out: { port: string; capture: ConnectCapture }[] = [];
  try {
    for (const rate of rates) {
      for (const seed of seeds) {
        const port = `sim:${chip}?fault=noise:${rate}&seed=${seed}`;
        const e = await kilnRejection(service.call('identify', { port }));
        if (e.code === 'SYNC_FAILED')
          out.push({ port, capture: e.details!.capture as unknown as ConnectCapture });
      }
    }
  } finally {
    await service.shutdown();
  }
  return out;
}
