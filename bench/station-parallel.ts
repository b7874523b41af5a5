/**
 * Batch station scaling: 1, 2, 4 and 8 simulated ESP8266 boards flashing at once at 921600 baud, on the REAL clock
 * (the simulators, the engine, zlib and the report all share this one process, as in the app's main process).
 * Figures per run: wall time from start to the last record, aggregate throughput (image bytes of all boards per
 * second) and that throughput as a multiple of the one-board figure; during the 8-board run, the event loop's
 * delay (p50/p99/max, `perf_hooks.monitorEventLoopDelay` sampling every 1 ms, so an idle loop reads about 1 ms), i.e.
 * how long a UI event could wait. A first one-board run warms the JIT and is not counted.
 * Every board must end verified, or the bench fails. Last line: one JSON object with all figures.
 *
 *   npm run bench:station
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { realClock } from '../src-main/core/clock';
import { connectEsp } from '../src-main/esp';
import { buildImage } from '../src-main/esp/image';
import { createMemoryPair } from '../src-main/serial/memory-pair';
import { SimulatedDevice } from '../src-main/sim';
import { parseProfile, Station, type StationDeps } from '../src-main/station';
import { noiseBytes } from '../test/helpers/sim-bench';

const BAUD = 921600;
const SEGMENT_BYTES = 192 * 1024;

/** Half incompressible, half repetitive: a firmware-like compression ratio (~0.5), so zlib does real work. */
function firmwareLike(len: number): Buffer {
  const out = noiseBytes(len, 0x9e3779b9);
  for (let i = 0; i < len; i++) if ((i >> 10) % 2 !== 0) out[i] = (i * 7) & 0x3f;
  return out;
}

const image = buildImage({
  chip: 'esp8266',
  entry: 0x40100000,
  segments: [{ address: 0x40100000, data: firmwareLike(SEGMENT_BYTES) }],
  mode: 'dio',
  freq: '40m',
  size: '4MB',
});
const sha = createHash('sha256').update(image).digest('hex');
const profile = parseProfile({
  name: 'bench',
  baud: BAUD,
  images: [{ sha256: sha, offset: 0, name: 'bench.bin' }],
});

interface RunResult {
  boards: number;
  wallMs: number;
  bytesPerSecond: number;
  scaling?: number;
  eventLoopDelayMs?: { p50: number; p99: number; max: number };
}

async function run(boards: number, dir: string, measureLoop: boolean): Promise<RunResult> {
  const devices = new Map<string, SimulatedDevice>();
  for (let i = 0; i < boards; i++)
    devices.set(
      `sim:esp8266?seed=${100 + i}`,
      new SimulatedDevice({ chip: 'esp8266', seed: 100 + i, clock: realClock }),
    );
  const deps: StationDeps = {
    clock: realClock,
    connect: connectEsp,
    async openPort(port) {
      const pair = createMemoryPair({ path: port.path, baudRate: 115200 });
      devices.get(port.path)!.attach(pair.device);
      return pair.host;
    },
    firmware: { get: async () => image, has: async () => true },
    backupsRoot: path.join(dir, 'backups'),
  };
  const station = await Station.open(deps, {
    profile,
    stationName: 'bench',
    // A fresh report per run: the same seeds (same MACs) in one report would be skipped as already flashed.
    reportFile: path.join(dir, `report-${boards}-${measureLoop}-${Date.now()}.jsonl`),
    mode: { kind: 'ports', ports: [...devices.keys()].map((p) => ({ path: p })) },
  });
  const loop = measureLoop ? monitorEventLoopDelay({ resolution: 1 }) : undefined;
  loop?.enable();
  const started = performance.now();
  station.start();
  await station.whenIdle();
  const wallMs = performance.now() - started;
  loop?.disable();
  await station.stop();
  for (const d of devices.values()) d.detach();
  const records = station.report();
  const bad = records.filter((r) => r.result !== 'verified');
  if (records.length !== boards || bad.length > 0)
    throw new Error(
      `${boards} boards: ${bad.map((r) => `${r.port} ${r.error?.code}: ${r.error?.message}`).join('; ')}`,
    );
  const out: RunResult = {
    boards,
    wallMs: Math.round(wallMs),
    bytesPerSecond: Math.round((boards * image.length) / (wallMs / 1000)),
  };
  if (loop) {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    out.eventLoopDelayMs = { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) };
  }
  return out;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-station-'));
try {
  await run(1, dir, false);
  const results: RunResult[] = [];
  for (const n of [1, 2, 4, 8]) {
    const r = await run(n, dir, n === 8);
    r.scaling = Math.round((r.bytesPerSecond / (results[0]?.bytesPerSecond ?? r.bytesPerSecond)) * 100) / 100;
    results.push(r);
    console.log(
      `${String(n).padStart(2)} board(s) at ${BAUD}: ${(r.wallMs / 1000).toFixed(2)} s, aggregate ${(r.bytesPerSecond / 1024).toFixed(1)} KiB/s = ${r.scaling.toFixed(2)}× one board` +
        (r.eventLoopDelayMs
          ? `; event-loop delay p50 ${r.eventLoopDelayMs.p50} ms, p99 ${r.eventLoopDelayMs.p99} ms, max ${r.eventLoopDelayMs.max} ms`
          : ''),
    );
  }
  const eight = results.find((r) => r.boards === 8)!;
  console.log(
    JSON.stringify({
      bench: 'station-parallel',
      chip: 'esp8266',
      baud: BAUD,
      clock: 'real',
      imageBytes: image.length,
      runs: results,
      eventLoopDelayP99MsAt8: eight.eventLoopDelayMs!.p99,
      cpus: os.cpus().length,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
