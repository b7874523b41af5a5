/**
 * Connect time and end-to-end flash time of `kiln flash` against the simulator on a real pty pair (socat), on
 * the real clock: the whole CLI path (argument parsing, service, engine, node serialport, pty, simulator).
 *
 * 1. Time from `kiln flash` start (runCli called) to the first data block: reset + sync, chip detection, stub
 *    upload, baud change to 921600, planning. Reported as the moment the writing phase starts and the moment the
 *    first block is acknowledged. Target: under 1.5 s. Median of several runs, each on a freshly powered board.
 * 2. End-to-end time for a 1 MB incompressible image at 921600, against the line-rate bound
 *    1 MB × 10 bits / 921600 baud (every byte on the wire costs 10 bit times; compression cannot help here).
 * 3. For scale, the same start-up measured on a child process (`node bin/kiln.mjs`), which adds Node and the bundle's imports.
 * 4. Item 1 again on virtual boards (`sim:CHIP`, in process), where DTR/RTS reach the reset circuit: the only rig
 *    here where the connect's reset reaches the board (a pty has no modem lines).
 *
 * Prints the figures; the last line is one JSON object.   npm run bench:connect
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { preciseClock } from '../src-main/core/clock';
import { runCli } from '../src-main/hosts/cli/main';
import type { CliIo } from '../src-main/hosts/cli/io';
import { SimulatedDevice, servePty } from '../src-main/sim';
import { noiseBytes } from '../test/helpers/sim-bench';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const BAUD = 921600;
const RUNS = Number(process.env.KILN_BENCH_RUNS ?? 5);
const work = mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-connect-'));

interface Timeline {
  /** ms from runCli start to each phase's first event. */
  phases: Record<string, number>;
  firstBlockMs: number | undefined;
  totalMs: number;
  code: number;
  final: Record<string, unknown>;
}

/** Runs `kiln flash` in-process in --json mode and timestamps the events as they are written. */
async function timedFlash(argv: string[]): Promise<Timeline> {
  const start = performance.now();
  const phases: Record<string, number> = {};
  let firstBlockMs: number | undefined;
  let pending = '';
  let last: Record<string, unknown> = {};
  const onLine = (line: string) => {
    const o = JSON.parse(line) as Record<string, unknown>;
    const t = performance.now() - start;
    if (o.event === 'phase' && phases[o.phase as string] === undefined) phases[o.phase as string] = t;
    if (
      o.event === 'progress' &&
      o.phase === 'writing' &&
      (o.bytesDone as number) > 0 &&
      firstBlockMs === undefined
    )
      firstBlockMs = t;
    last = o;
  };
  const io: CliIo = {
    stdout: {
      write(s: string) {
        pending += s;
        let i: number;
        while ((i = pending.indexOf('\n')) >= 0) {
          onLine(pending.slice(0, i));
          pending = pending.slice(i + 1);
        }
        return true;
      },
    },
    stderr: { write: () => true },
    stdin: new PassThrough(),
    env: { KILN_DATA_DIR: path.join(work, 'data') },
    cwd: repoRoot,
    onSignal: () => () => undefined,
  };
  const code = await runCli([...argv, '--json'], { io, forceExit: () => undefined });
  return { phases, firstBlockMs, totalMs: performance.now() - start, code, final: last };
}

async function onFreshBoard<T>(chip: 'esp8266' | 'esp32', fn: (port: string) => Promise<T>): Promise<T> {
  const device = new SimulatedDevice({ chip, clock: preciseClock });
  const pty = await servePty({ device });
  try {
    return await fn(pty.hostPath);
  } finally {
    await pty.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const f = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(3)} s`);

const small = path.join(work, 'small.bin');
writeFileSync(small, noiseBytes(16 * 1024, 7));
const big = path.join(work, 'one-megabyte.bin');
writeFileSync(big, noiseBytes(1024 * 1024, 11));

type ConnectRuns = Record<string, { writing: number[]; firstBlock: number[]; stub: number[] }>;

/** RUNS × `kiln flash` of the small image per chip, each on a fresh board reached through `onBoard`. */
async function measureConnect(
  label: string,
  onBoard: <T>(chip: 'esp8266' | 'esp32', fn: (port: string) => Promise<T>) => Promise<T>,
): Promise<ConnectRuns> {
  const runs: ConnectRuns = {};
  for (const chip of ['esp8266', 'esp32'] as const) {
    runs[chip] = { writing: [], firstBlock: [], stub: [] };
    for (let i = 0; i < RUNS; i++) {
      const t = await onBoard(chip, (port) =>
        timedFlash(['flash', '--port', port, '--baud', String(BAUD), '--no-skip', `${small}@0x100000`]),
      );
      if (t.code !== 0) throw new Error(`flash failed (${t.code}): ${JSON.stringify(t.final)}`);
      runs[chip]!.writing.push(t.phases.writing!);
      runs[chip]!.firstBlock.push(t.firstBlockMs!);
      // An ESP8266 synced at the data baud needs no baud phase: the stub phase then ends at planning.
      runs[chip]!.stub.push((t.phases.baud ?? t.phases.planning!) - t.phases.stub!);
      console.log(
        `${label} ${chip} run ${i + 1}: detecting ${f(t.phases.detecting)}, stub ${f(t.phases.stub)}, baud ${f(t.phases.baud)}, planning ${f(t.phases.planning)}, writing ${f(t.phases.writing)}, first block acked ${f(t.firstBlockMs)}`,
      );
    }
  }
  return runs;
}

const connect = await measureConnect('pty', onFreshBoard);
/**
 * The same on a virtual board (`sim:CHIP`: the service's in-process memory pair, real clock). Unlike the pty,
 * DTR/RTS reach the simulated reset circuit here; on the pty none does, and the first SYNC at the data baud
 * (esp/flasher/fast-sync.ts) is what keeps the ESP8266's stub upload off 115200 there.
 */
const virtual = await measureConnect('sim:', (chip, fn) => fn(`sim:${chip}`));

const e2e = await onFreshBoard('esp32', (port) =>
  timedFlash(['flash', '--port', port, '--baud', String(BAUD), '--no-skip', `${big}@0x100000`]),
);
if (e2e.code !== 0) throw new Error(`1 MB flash failed (${e2e.code}): ${JSON.stringify(e2e.final)}`);
const lineBoundMs = ((1024 * 1024 * 10) / BAUD) * 1000;
const writeMs = (e2e.phases.resetting ?? e2e.totalMs) - (e2e.phases.writing ?? 0);

/** Start-up of the real entry point: node + bundle imports, to the first output line (`kiln --version`). */
async function childStartupMs(): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const c = spawn(process.execPath, [path.join(repoRoot, 'bin', 'kiln.mjs'), '--version'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kiln --version exited ${code}`))));
  });
  return performance.now() - t0;
}
const startup = [await childStartupMs(), await childStartupMs(), await childStartupMs()];

const figures = {
  bench: 'connect-time',
  baud: BAUD,
  runs: RUNS,
  transport: 'socat pty + node serialport, real clock',
  connectToWritingMs: Object.fromEntries(
    Object.entries(connect).map(([c, v]) => [c, Math.round(median(v.writing))]),
  ),
  connectToFirstBlockAckMs: Object.fromEntries(
    Object.entries(connect).map(([c, v]) => [c, Math.round(median(v.firstBlock))]),
  ),
  stubUploadMs: Object.fromEntries(Object.entries(connect).map(([c, v]) => [c, Math.round(median(v.stub))])),
  virtualBoard: {
    transport: 'sim: virtual board (in-process memory pair, DTR/RTS reach the reset circuit), real clock',
    connectToWritingMs: Object.fromEntries(
      Object.entries(virtual).map(([c, v]) => [c, Math.round(median(v.writing))]),
    ),
    connectToFirstBlockAckMs: Object.fromEntries(
      Object.entries(virtual).map(([c, v]) => [c, Math.round(median(v.firstBlock))]),
    ),
    stubPhaseMs: Object.fromEntries(Object.entries(virtual).map(([c, v]) => [c, Math.round(median(v.stub))])),
  },
  targetMs: 1500,
  oneMegabyte: {
    totalMs: Math.round(e2e.totalMs),
    writePhaseMs: Math.round(writeMs),
    lineRateBoundMs: Math.round(lineBoundMs),
    writeVsBound: Number((writeMs / lineBoundMs).toFixed(3)),
    totalVsBound: Number((e2e.totalMs / lineBoundMs).toFixed(3)),
    bytesSent: e2e.final.bytesSent,
  },
  cliProcessStartupMs: Math.round(median(startup)),
};

console.log('');
for (const [label, runs] of [
  ['pty', connect],
  ['sim:', virtual],
] as const) {
  for (const [chip, v] of Object.entries(runs)) {
    const w = median(v.writing);
    console.log(
      `${label} ${chip}: kiln flash start → writing ${f(w)} (median of ${RUNS}; target 1.5 s: ${w < 1500 ? 'met' : 'NOT met'}), → first block acknowledged ${f(median(v.firstBlock))}, stub phase ${f(median(v.stub))}`,
    );
  }
}
console.log(
  `1 MB incompressible at ${BAUD}: total ${f(e2e.totalMs)}, write+verify phase ${f(writeMs)}; line-rate bound ${f(lineBoundMs)} (write ${(writeMs / lineBoundMs).toFixed(2)}× the bound, total ${(e2e.totalMs / lineBoundMs).toFixed(2)}×)`,
);
console.log(
  `child process start-up (node + bundle imports, kiln --version): ${f(figures.cliProcessStartupMs)} (not part of the figures above)`,
);
console.log(JSON.stringify(figures));
