/**
 * Write throughput against the simulated ESP8266 (stub, compressed writes), at three baud rates, on a virtual
 * clock: the simulator paces every byte at 10 bits per byte and models flash timing, so the virtual time is the
 * modelled time of a real flash, while wall time shows the engine's own cost.
 *
 * Effective throughput is reported as a fraction of the line rate: image bytes per second divided by
 * (baud/10 × zlib compression ratio), i.e. how much of the wire's capacity carried useful (compressed) payload;
 * SLIP escaping, command headers and ack round trips are what keeps it below 1.
 * Last line: one JSON object with all figures.
 *
 *   npm run bench:write
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { noiseBytes, simBench } from '../test/helpers/sim-bench';
import { withSession } from '../src-main/esp';

const here = path.dirname(fileURLToPath(import.meta.url));
const firmware = (name: string) =>
  readFileSync(path.resolve(here, '..', '..', 'shared', 'fixtures', 'firmware', name));

interface Case {
  image: string;
  baud: number;
  imageBytes: number;
  wireBytes: number;
  compressionRatio: number;
  writeVirtualMs: number;
  flashVirtualMs: number;
  wallMs: number;
  fractionOfLineRate: number;
}

async function run(imageName: string, data: Buffer, baud: number): Promise<Case> {
  const { clock, sim, pair } = simBench({ chip: 'esp8266' });
  const wall0 = performance.now();
  let writeStart = -1;
  let writeEnd = -1;
  const result = await withSession(pair.host, { clock, baud }, (s) =>
    s.flash({
      images: [{ offset: 0x10000, data }],
      skipUnchanged: false,
      onProgress(e) {
        if (e.phase !== 'writing') return;
        if (writeStart < 0) writeStart = clock.now();
        writeEnd = clock.now();
      },
    }),
  );
  const wallMs = performance.now() - wall0;
  if (!result.regions.every((r) => r.verified)) throw new Error('not verified');
  if (!sim.flash.subarray(0x10000, 0x10000 + data.length).equals(data))
    throw new Error('flash contents differ');
  const writeVirtualMs = writeEnd - writeStart;
  // The engine compresses only when that is smaller; SLIP escaping and headers count as overhead, not as ratio.
  const ratio = Math.max(1, data.length / deflateSync(data, { level: 9 }).length);
  const effective = data.length / (writeVirtualMs / 1000);
  const lineRate = (baud / 10) * Math.max(1, ratio);
  return {
    image: imageName,
    baud,
    imageBytes: data.length,
    wireBytes: result.bytesSent,
    compressionRatio: Number(Math.max(1, ratio).toFixed(3)),
    writeVirtualMs: Math.round(writeVirtualMs),
    flashVirtualMs: Math.round(result.durationMs),
    wallMs: Math.round(wallMs),
    fractionOfLineRate: Number((effective / lineRate).toFixed(4)),
  };
}

const images: [string, Buffer][] = [
  ['1MB-incompressible', noiseBytes(1024 * 1024, 0x9e3779b9)],
  ['esp8266_deepsleep.bin', firmware('esp8266_deepsleep.bin')],
];
const cases: Case[] = [];
for (const [name, data] of images) {
  for (const baud of [115200, 460800, 921600]) {
    const c = await run(name, data, baud);
    cases.push(c);
    console.log(
      `${name.padEnd(22)} ${String(baud).padStart(7)} baud  wire ${String(c.wireBytes).padStart(8)} B  ratio ${c.compressionRatio.toFixed(2)}  ` +
        `write ${(c.writeVirtualMs / 1000).toFixed(2)} s virtual (whole flash incl. verify ${(c.flashVirtualMs / 1000).toFixed(2)} s), ` +
        `wall ${c.wallMs} ms  → ${(c.fractionOfLineRate * 100).toFixed(1)} % of line rate`,
    );
  }
}
console.log(JSON.stringify({ bench: 'write-throughput', chip: 'esp8266', clock: 'virtual', cases }));
