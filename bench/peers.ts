/**
 * Kiln against its peers on neutral ground: the same `kiln sim --pty` ESP8266 board (a fresh one per run, so
 * every run starts from a blank flash), the same 1 MiB incompressible image at 0x10000, the same baud, the real
 * clock, and the whole command each time (process start to exit): `kiln flash`, esptool-js 0.7.0 (bundled into
 * a small command first, bench/lib/esptool-js-flash.ts), and Python esptool when one is found (ESPTOOL_SRC as for
 * scripts/esptool-against-sim.sh, or `esptool` on PATH; skipped, and said, when absent). Five runs each; prints
 * medians and the ratio kiln / peer, and each tool's median over the common floor (bench/lib/floor.ts: framed
 * write, the chip's MD5, the stub upload). Printed, never asserted. Last line: JSON.
 *
 *   npm run bench:peers            (KILN_BENCH_RUNS=n, KILN_BENCH_BAUD=b to change)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { noiseBytes } from '../test/helpers/sim-bench';
import { FAST_SYNC_MAX_BAUD } from '../src-main/esp/flasher/fast-sync';
import { flashFloor } from './lib/floor';
import { KILN_BIN, REPO, startPtyBoard, warmKiln } from './lib/pty-board';
import { timedCommand } from './lib/timed-command';

const RUNS = Number(process.env.KILN_BENCH_RUNS ?? 5);
const BAUD = Number(process.env.KILN_BENCH_BAUD ?? 921600);
const ADDRESS = 0x10000;

const work = mkdtempSync(path.join(tmpdir(), 'kiln-peers-'));
const imagePath = path.join(work, 'image.bin');
const image = noiseBytes(1024 * 1024, 0x9e3779b9);
writeFileSync(imagePath, image);

/** esptool-js as a bundled command beside node_modules (so its own imports resolve), not compiled per run. */
async function bundleEsptoolJs(): Promise<string> {
  const { build } = await import('esbuild');
  const outDir = path.join(REPO, '.kiln-tmp', 'bench');
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'esptool-js-flash.mjs');
  await build({
    absWorkingDir: REPO,
    entryPoints: ['bench/lib/esptool-js-flash.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['serialport', 'esptool-js'],
    logLevel: 'warning',
  });
  return outfile;
}

/** The Python esptool command, or why there is none. */
function pythonEsptool(): { argv: string[] } | { absent: string } {
  const src = process.env.ESPTOOL_SRC;
  if (src) return { argv: ['env', `PYTHONPATH=${src}`, process.env.PYTHON ?? 'python3', '-m', 'esptool'] };
  if (spawnSync('esptool', ['version']).status === 0) return { argv: ['esptool'] };
  if (spawnSync('python3', ['-m', 'esptool', 'version']).status === 0)
    return { argv: ['python3', '-m', 'esptool'] };
  return { absent: 'no Python esptool here (no ESPTOOL_SRC, no esptool on PATH, no python3 -m esptool)' };
}

type Peer = { name: string; argv: (port: string) => string[] };
warmKiln();
const esptoolJs = await bundleEsptoolJs();
const peers: Peer[] = [
  {
    name: 'kiln',
    argv: (port) => [
      process.execPath,
      KILN_BIN,
      'flash',
      '--port',
      port,
      '--baud',
      String(BAUD),
      '--no-boot-check',
      '--json',
      `${imagePath}@0x${ADDRESS.toString(16)}`,
    ],
  },
  {
    name: 'esptool-js',
    argv: (port) => [process.execPath, esptoolJs, port, String(BAUD), imagePath, String(ADDRESS)],
  },
];
const py = pythonEsptool();
if ('argv' in py)
  peers.push({
    name: 'esptool (Python)',
    argv: (port) => [
      ...py.argv,
      '--chip',
      'esp8266',
      '--port',
      port,
      '--baud',
      String(BAUD),
      '--before',
      'no_reset',
      '--after',
      'hard_reset',
      'write_flash',
      `0x${ADDRESS.toString(16)}`,
      imagePath,
    ],
  });
else console.log(`Python esptool skipped: ${py.absent}.`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const results: { name: string; runsMs: number[]; medianMs: number; hungRuns: number }[] = [];
for (const peer of peers) {
  const runsMs: number[] = [];
  let hungRuns = 0;
  while (runsMs.length < RUNS && hungRuns < RUNS) {
    const board = await startPtyBoard('esp8266');
    try {
      // Under 20 s when it works; a run still going after 90 s has hung: counted, said, and run again.
      const run = await timedCommand(peer.argv(board.path), REPO, 90_000);
      if (run.code === null) {
        hungRuns++;
        const said = run.lines.filter((l) => !l.text.includes('"progress"')).at(-1);
        console.log(
          `${peer.name}: a run hung (stopped after 90 s), last said: ${said ? `${Math.round(said.ms)} ms ${said.text.slice(0, 160)}` : 'nothing'}`,
        );
        continue;
      }
      if (run.code !== 0)
        throw new Error(
          `${peer.name} exited ${run.code}: ${run.stderr}\n${run.lines.map((l) => l.text).join('\n')}`,
        );
      runsMs.push(Math.round(run.ms));
    } finally {
      await board.stop();
    }
  }
  const medianMs = median(runsMs);
  results.push({ name: peer.name, runsMs, medianMs, hungRuns });
  console.log(
    `${peer.name.padEnd(18)} median ${(medianMs / 1000).toFixed(2)} s   runs ${runsMs.map((r) => (r / 1000).toFixed(2)).join(' ')}`,
  );
}
const kiln = results[0]!;
const ratios = Object.fromEntries(
  results.slice(1).map((r) => [r.name, Number((kiln.medianMs / r.medianMs).toFixed(3))]),
);
for (const [name, ratio] of Object.entries(ratios)) console.log(`kiln / ${name}: ${ratio}`);
// The same floor for every tool (bench/lib/floor.ts): what is left above it is each tool's own overhead.
const floor = flashFloor('esp8266', image, BAUD, Math.min(BAUD, FAST_SYNC_MAX_BAUD));
const aboveFloor = Object.fromEntries(
  results.map((r) => [r.name, Number((r.medianMs / floor.totalMs).toFixed(3))]),
);
console.log(
  `floor ${(floor.totalMs / 1000).toFixed(2)} s (wire ${floor.wireMs} ms, chip MD5 ${floor.verifyMs} ms, stub ${floor.stubMs} ms); ` +
    results.map((r) => `${r.name} ${aboveFloor[r.name]}×`).join(', '),
);
// The best ratio any tool could reach against each peer: the floor over the peer's median.
const bestPossible = Object.fromEntries(
  results.slice(1).map((r) => [r.name, Number((floor.totalMs / r.medianMs).toFixed(3))]),
);
rmSync(work, { recursive: true, force: true });
console.log(
  JSON.stringify({
    bench: 'peers',
    chip: 'esp8266',
    baud: BAUD,
    image: '1MB-incompressible@0x10000',
    runs: RUNS,
    results,
    ratios,
    floor,
    aboveFloor,
    bestPossible,
    // Other processes share the cores: the 1/5/15-minute load average when the runs ended, to read the figures by.
    loadAverage: loadavg(),
    ...('absent' in py ? { pythonEsptool: py.absent } : {}),
  }),
);
