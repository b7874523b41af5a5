/**
 * Write throughput, two ways per case, both as fractions of the line rate:
 *
 * - modelled: engine ↔ simulated ESP8266 in-process on a VirtualClock. The simulator paces every byte at 10 bits,
 *   and models the USB bridge (sim/usb-path.ts: flush latency, FTDI latency timer), the stub's per-block checks
 *   and inflate (sim/stub-timing.ts) and flash erase/program timing, so virtual time is the model's time of a
 *   real flash.
 * - real clock: the whole `kiln flash` command (start-up, connect, stub, MD5 pre-check, write, verify, reset) run
 *   as a fresh process against a `kiln sim --pty` board in another process, timed from the spawn.
 *
 * Per case also the floor (bench/lib/floor.ts): the framed write, the chip's MD5 and the stub upload, which no host
 * can avoid; a goal below it cannot be met by any tool, and "real whole = N× the floor" is what is left to win.
 *
 * Fraction of line rate, write phase: image bytes per second ÷ (baud/10 × zlib ratio), i.e. how much of the wire
 * carried useful (compressed) payload. Whole command: the line-rate bound of the payload (compressed bytes ÷
 * baud/10) ÷ the whole command's time. Last line: one JSON object with every figure.
 *
 *   npm run bench:write            (KILN_BENCH_REAL=0 skips the real-clock runs)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { noiseBytes, simBench } from '../test/helpers/sim-bench';
import { withSession } from '../src-main/esp';
import type { UsbPathOptions } from '../src-main/sim/usb-path';
import { FAST_SYNC_MAX_BAUD } from '../src-main/esp/flasher/fast-sync';
import { flashFloor, type Floor } from './lib/floor';
import { kilnPhases, PHASES, type Phase } from './lib/kiln-phases';
import { KILN_BIN, REPO, startPtyBoard, warmKiln } from './lib/pty-board';
import { timedCommand } from './lib/timed-command';

const firmware = (name: string) =>
  readFileSync(path.resolve(REPO, '..', 'shared', 'fixtures', 'firmware', name));

interface UsbCase {
  label: string;
  usbPath?: UsbPathOptions;
}
const NO_USB: UsbCase = { label: 'none (pty-like)' };
const FTDI_16: UsbCase = { label: 'ft232r 16 ms', usbPath: { bridge: 'ft232r', latencyMs: 16 } };
const FTDI_1: UsbCase = { label: 'ft232r 1 ms', usbPath: { bridge: 'ft232r', latencyMs: 1 } };
const CP2102N: UsbCase = { label: 'cp2102n', usbPath: { bridge: 'cp2102n' } };
const CH340: UsbCase = { label: 'ch340', usbPath: { bridge: 'ch340' } };

interface Figures {
  writeMs: number;
  wholeMs: number;
  writeFraction: number;
  wholeFraction: number;
}

interface Case {
  image: string;
  baud: number;
  usb: string;
  flashBefore: 'blank' | 'written';
  imageBytes: number;
  compressionRatio: number;
  /** Seconds the compressed payload needs at the line rate: the bound of any flash. */
  lineBoundMs: number;
  /** What no host can avoid at this baud (bench/lib/floor.ts): framed write, the chip's MD5, the stub upload. */
  floor: Floor & { boundRatio: number };
  modelled: Figures & { wallMs: number };
  real?: Figures & { phasesMs: Record<Phase, number> };
}

const ratioOf = (data: Buffer) => Math.max(1, data.length / deflateSync(data, { level: 9 }).length);

function figures(data: Buffer, baud: number, writeMs: number, wholeMs: number): Figures {
  const ratio = ratioOf(data);
  const bound = lineBoundMs(data, baud);
  return {
    writeMs: Math.round(writeMs),
    wholeMs: Math.round(wholeMs),
    writeFraction: Number((data.length / (writeMs / 1000) / ((baud / 10) * ratio)).toFixed(4)),
    wholeFraction: Number((bound / wholeMs).toFixed(4)),
  };
}

function lineBoundMs(data: Buffer, baud: number): number {
  return ((data.length / ratioOf(data)) * 10 * 1000) / baud;
}

async function modelled(
  data: Buffer,
  baud: number,
  usb: UsbCase,
  flashBefore: 'blank' | 'written',
): Promise<Case['modelled']> {
  const { clock, sim, pair } = simBench({
    chip: 'esp8266',
    ...(usb.usbPath ? { usbPath: usb.usbPath } : {}),
    ...(flashBefore === 'written' ? { flashImage: noiseBytes(0x10000 + data.length, 0x1234567) } : {}),
  });
  const wall0 = performance.now();
  let writeStart = -1;
  let writeEnd = -1;
  const result = await withSession(pair.host, { clock, baud }, (s) =>
    s.flash({
      images: [{ offset: 0x10000, data }],
      skipUnchanged: true,
      onProgress(e) {
        if (e.phase !== 'writing') return;
        if (writeStart < 0) writeStart = clock.now();
        writeEnd = clock.now();
      },
    }),
  );
  const wholeMs = clock.now();
  if (!result.regions.every((r) => r.verified)) throw new Error('not verified');
  if (!sim.flash.subarray(0x10000, 0x10000 + data.length).equals(data))
    throw new Error('flash contents differ');
  return {
    ...figures(data, baud, writeEnd - writeStart, wholeMs),
    wallMs: Math.round(performance.now() - wall0),
  };
}

/** The whole `kiln flash` command against a `kiln sim --pty` board with this USB path, on the real clock. */
async function real(data: Buffer, baud: number, usb: UsbCase): Promise<Case['real']> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-bench-'));
  const file = path.join(dir, 'image.bin');
  writeFileSync(file, data);
  const extra = usb.usbPath
    ? [
        '--bridge',
        usb.usbPath.bridge,
        ...(usb.usbPath.latencyMs ? ['--latency', String(usb.usbPath.latencyMs)] : []),
      ]
    : [];
  const board = await startPtyBoard('esp8266', extra);
  try {
    // A 1 MiB flash at 921600 takes under 20 s; a run still going after 90 s has hung (said, and retried once).
    const run = await timedCommand(
      [
        process.execPath,
        KILN_BIN,
        'flash',
        '--port',
        board.path,
        '--baud',
        String(baud),
        '--json',
        '--no-boot-check',
        `${file}@0x10000`,
      ],
      REPO,
      90_000,
    );
    if (run.code === null) {
      const said = run.lines.filter((l) => !l.text.includes('"progress"')).at(-1);
      console.log(
        `    hung after: ${said ? `${Math.round(said.ms)} ms ${said.text.slice(0, 160)}` : 'no output'}`,
      );
      return undefined;
    }
    if (run.code !== 0)
      throw new Error(`kiln flash exited ${run.code}: ${run.stderr} ${run.lines.at(-1)?.text}`);
    const phasesMs = kilnPhases(run);
    for (const p of PHASES) phasesMs[p] = Math.round(phasesMs[p]);
    return { ...figures(data, baud, phasesMs.write, run.ms), phasesMs };
  } finally {
    await board.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const realRuns = process.env.KILN_BENCH_REAL !== '0';
if (realRuns) warmKiln();
const noise = noiseBytes(1024 * 1024, 0x9e3779b9);
const plan: { name: string; data: Buffer; baud: number; usb: UsbCase; before?: 'written'; real?: boolean }[] =
  [];
for (const baud of [115200, 460800, 921600]) {
  plan.push({ name: '1MB-incompressible', data: noise, baud, usb: NO_USB, real: baud === 921600 });
  plan.push({ name: '1MB-incompressible', data: noise, baud, usb: FTDI_16, real: baud === 921600 });
}
plan.push({ name: '1MB-incompressible', data: noise, baud: 921600, usb: FTDI_1, real: true });
plan.push({ name: '1MB-incompressible', data: noise, baud: 921600, usb: CP2102N });
plan.push({ name: '1MB-incompressible', data: noise, baud: 921600, usb: CH340 });
plan.push({ name: '1MB-incompressible', data: noise, baud: 921600, usb: FTDI_1, before: 'written' });
// Above 921600 (serial/usb-bridges.ts): 2 Mbaud on the bridges that make it.
plan.push({ name: '1MB-incompressible', data: noise, baud: 2000000, usb: FTDI_1 });
plan.push({ name: '1MB-incompressible', data: noise, baud: 2000000, usb: FTDI_16 });
const deepsleep = firmware('esp8266_deepsleep.bin');
plan.push({ name: 'esp8266_deepsleep.bin', data: deepsleep, baud: 921600, usb: NO_USB });
plan.push({ name: 'esp8266_deepsleep.bin', data: deepsleep, baud: 921600, usb: FTDI_16 });

const pct = (f: number) => `${(f * 100).toFixed(1).padStart(5)} %`;
const withRatio = (f: Floor, boundMs: number) => ({
  ...f,
  boundRatio: Number((f.totalMs / boundMs).toFixed(3)),
});
const cases: Case[] = [];
let hungRuns = 0;
for (const p of plan) {
  const flashBefore = p.before ?? 'blank';
  const c: Case = {
    image: p.name,
    baud: p.baud,
    usb: p.usb.label,
    flashBefore,
    imageBytes: p.data.length,
    compressionRatio: Number(ratioOf(p.data).toFixed(3)),
    lineBoundMs: Math.round(lineBoundMs(p.data, p.baud)),
    floor: withRatio(
      flashFloor('esp8266', p.data, p.baud, Math.min(p.baud, FAST_SYNC_MAX_BAUD)),
      lineBoundMs(p.data, p.baud),
    ),
    modelled: await modelled(p.data, p.baud, p.usb, flashBefore),
  };
  if (p.real && realRuns) {
    c.real = await real(p.data, p.baud, p.usb);
    if (!c.real) {
      hungRuns++;
      console.log(`    a real-clock run hung (stopped after 90 s); running it once more`);
      c.real = await real(p.data, p.baud, p.usb);
    }
  }
  cases.push(c);
  const m = c.modelled;
  console.log(
    `${p.name.padEnd(22)} ${String(p.baud).padStart(7)}  ${p.usb.label.padEnd(16)} ${flashBefore.padEnd(7)} bound ${(c.lineBoundMs / 1000).toFixed(2)} s | ` +
      `modelled write ${pct(m.writeFraction)} whole ${pct(m.wholeFraction)} (${(m.wholeMs / 1000).toFixed(2)} s)` +
      (c.real
        ? ` | real write ${pct(c.real.writeFraction)} whole ${pct(c.real.wholeFraction)} (${(c.real.wholeMs / 1000).toFixed(2)} s)`
        : ''),
  );
  if (c.real) {
    console.log(`    real phases (ms): ${PHASES.map((ph) => `${ph} ${c.real!.phasesMs[ph]}`).join(', ')}`);
    const f = c.floor;
    console.log(
      `    floor ${(f.totalMs / 1000).toFixed(2)} s = ${f.boundRatio}× the bound (wire with framing ${f.wireMs} ms, chip MD5 ${f.verifyMs} ms, stub ${f.stubMs} ms); real whole = ${(c.real.wholeMs / f.totalMs).toFixed(3)}× the floor`,
    );
  }
}
console.log(`
What the model leaves out: host scheduling and the kernel's pty/tty layers (the real-clock runs have them, the
USB path's latency they do not: a pty has none); USB bus sharing and host controller scheduling beyond one
flush delay; the bridge's receive buffer filling (hardware flow control is never on); host zlib time (tracked,
so zero on the virtual clock); the stub's real instruction timing (its per-block figures are [guess]es); flash
timing spread between parts and with wear. Both kinds sync the ESP8266 ROM at the data baud (≤ 921600) on the
first SYNC (esp/flasher/fast-sync.ts), so the stub goes up at that rate; the real runs share the host's CPU with
the simulator process (see the load average).`);
// Other processes share the cores: the 1/5/15-minute load average at the end, to read the real-clock figures by.
console.log(
  JSON.stringify({ bench: 'write-throughput', chip: 'esp8266', hungRuns, loadAverage: loadavg(), cases }),
);
