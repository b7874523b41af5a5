/**
 * The real modules behind ServiceDeps: the engine, node-serialport discovery/hot-plug/transports, the simulator
 * for `sim:` ports and the Linux doctor, adapted to the contract's shapes. Hosts call `defaultDeps()` and pass
 * their own config (data folder, logger) to `createService`; tests build ServiceDeps from fakes instead.
 */
import os from 'node:os';
import { realClock, simulatorClock, type Clock } from '../core/clock';
import { KilnError } from '../core/errors';
import {
  accessReport as doctorAccessReport,
  diagnoseSync,
  findPortHolders,
  runFix as doctorRunFix,
  type AccessReport as DoctorReport,
  type Finding,
  type Fix as DoctorFix,
  type FixPlan,
  type FixRunResult,
} from '../doctor/index';
import { connectEsp } from '../esp/index';
import { findPort, listPorts } from '../serial/discovery';
import { watchPorts } from '../serial/hotplug';
import { createMemoryPair } from '../serial/memory-pair';
import { openTransport } from '../serial/open-transport';
import { parseSimUrl, SimulatedDevice, VirtualHands } from '../sim/index';
import type { SimOptions } from '../sim/index';
import type { AccessReport, MethodOutput } from './contract';
import type { DoctorFunctions, FixConfirmationRequest, Logger, ServiceDeps, VirtualDevice } from './deps';

/** A `sim:` URL → a simulated board that persists across connections (each `open()` re-plugs it). */
export function createSimDevice(url: string, clock: Clock): VirtualDevice {
  const parsed = parseSimUrl(url);
  const options: SimOptions = { chip: parsed.chip, clock: simulatorClock(clock), faults: parsed.faults };
  if (parsed.board) options.board = parsed.board;
  if (parsed.flashSize !== undefined) options.flashSize = parsed.flashSize;
  if (parsed.mac !== undefined) options.mac = parsed.mac;
  if (parsed.seed !== undefined) options.seed = parsed.seed;
  if (parsed.flashWiring !== undefined) options.flashWiring = parsed.flashWiring;
  if (parsed.usbPath !== undefined) options.usbPath = parsed.usbPath;
  if (parsed.hands) options.poweredByHand = true;
  if (parsed.firmware) options.firmware = parsed.firmware;
  const device = new SimulatedDevice(options);
  const hands = parsed.hands ? new VirtualHands(device, clock) : undefined;
  let script = parsed.hands;
  const lines = parsed.board === 'usb-jtag-serial' ? 'usb-jtag-serial' : 'uart';
  return {
    url,
    chip: parsed.chip,
    flashSize: device.flashMemory.size,
    open(baudRate) {
      const pair = createMemoryPair({
        path: url,
        baudRate,
        lines,
        ...(parsed.adapterUsbId ? { usbId: parsed.adapterUsbId } : {}),
      });
      device.attach(pair.device);
      // The script's clock starts when the port first opens: that is when Kiln starts asking.
      if (hands && script) hands.play(script);
      script = undefined;
      return pair.host;
    },
    readFlash(offset, size) {
      return new Uint8Array(device.flashMemory.read(offset, size));
    },
    ...(hands ? { hands } : {}),
    dispose() {
      hands?.stop();
      device.detach();
    },
  };
}

function toContractFix(f: DoctorFix) {
  const fix: AccessReport['system'][number]['fixes'][number] = {
    id: f.id,
    title: f.title,
    explanation: f.why,
    commands: f.steps.map((s) => [...s.argv]),
    needsRoot: f.needsRoot,
    manual: [...f.manual],
  };
  if (f.preview) fix.preview = { ...f.preview };
  if (f.warning) fix.warning = f.warning;
  return fix;
}

function toContractFinding(f: Finding): AccessReport['system'][number] {
  return {
    id: f.id,
    severity: f.severity,
    title: f.title,
    explanation: f.explanation,
    evidence: [...f.evidence],
    fixes: f.fixes.map(toContractFix),
  };
}

export function toContractReport(r: DoctorReport, platform: string): AccessReport {
  const report: AccessReport = {
    platform,
    ok: r.worst !== 'error',
    worst: r.worst,
    processGroups: r.processGroups,
    databaseGroups: r.databaseGroups,
    system: r.system.map(toContractFinding),
    ports: r.ports.map((p) => {
      const port: AccessReport['ports'][number] = {
        path: p.path,
        present: p.present,
        findings: p.findings.map(toContractFinding),
      };
      if (p.usb?.bridge) port.bridge = p.usb.bridge;
      return port;
    }),
  };
  if (r.user !== undefined) report.user = r.user;
  return report;
}

export function toRunFixOutput(r: FixRunResult, fix: DoctorFix): MethodOutput<'runFix'> {
  if (r.status === 'stale') {
    return {
      ok: false,
      status: 'failed',
      error: {
        code: 'NOT_FOUND',
        message: r.message,
        hint: 'Run the check again to see what holds the port now.',
      },
    };
  }
  const output =
    'steps' in r ? r.steps.map((s) => `$ ${s.argv.join(' ')}\n${s.stdout}${s.stderr}`).join('\n') : undefined;
  const out: MethodOutput<'runFix'> = { ok: r.status === 'done', status: r.status };
  if (output) out.output = output;
  if (r.status === 'manual' || r.status === 'failed') out.manual = r.manual;
  // Declined by the host: the commands stay available to copy.
  if (r.status === 'declined') out.manual = fix.manual;
  if (r.status === 'failed')
    out.error = { code: 'INTERNAL', message: r.message, hint: 'Run the commands shown by hand.' };
  return out;
}

function confirmationRequest(plan: FixPlan): FixConfirmationRequest {
  const request: FixConfirmationRequest = {
    title: plan.fix.title,
    why: plan.fix.why,
    commands: plan.commands.map((c) => [...c]),
  };
  if (plan.fix.warning) request.warning = plan.fix.warning;
  if (plan.preview) request.preview = { ...plan.preview };
  return request;
}

/** The doctor on the live system; remembers the latest report so `runFix` runs only a fix it offered. */
export function liveDoctor(root?: string): DoctorFunctions {
  let lastFixes = new Map<string, DoctorFix>();
  const report = async (port?: string) => {
    const opts: Parameters<typeof doctorAccessReport>[0] = {};
    if (root !== undefined) opts.root = root;
    if (port !== undefined) opts.port = port;
    const r = await doctorAccessReport(opts);
    lastFixes = new Map(r.fixes.map((f) => [f.id, f]));
    return r;
  };
  return {
    async accessReport({ port }) {
      return toContractReport(await report(port), process.platform);
    },
    diagnoseSync(capture, context) {
      return { ...diagnoseSync(capture, { ...context, kernelRelease: os.release() }) };
    },
    async runFix(fixId, confirm) {
      if (!lastFixes.has(fixId)) await report();
      const fix = lastFixes.get(fixId);
      if (!fix) {
        throw new KilnError('NOT_FOUND', `The doctor does not offer the fix "${fixId}" any more.`, {
          hint: 'Run the check again; the problem may already be fixed.',
          details: { fixId },
        });
      }
      if (!confirm) {
        return {
          ok: false,
          status: 'manual',
          output:
            'This Kiln host cannot ask you to confirm a fix, so it runs none: type the commands yourself.',
          manual: [...fix.manual],
        };
      }
      return toRunFixOutput(
        await doctorRunFix(fix, { confirm: (plan) => confirm(confirmationRequest(plan)) }),
        fix,
      );
    },
    async findPortHolders(path) {
      const opts: Parameters<typeof findPortHolders>[1] = {};
      if (root !== undefined) opts.root = root;
      const r = await findPortHolders(path, opts);
      const names = r.holders.map((h) => `${h.comm} (pid ${h.pid})`);
      if (names.length === 0 && r.uninspectedPids.length > 0) names.push('a program of another user or root');
      return names;
    },
  };
}

export interface DefaultDepsOptions {
  logger?: Logger;
  /** System root for discovery and the doctor (a fixture tree in tests; default '/'). */
  root?: string;
  clock?: Clock;
}

export function defaultDeps(options: DefaultDepsOptions = {}): ServiceDeps {
  const log = options.logger ? (m: string) => options.logger!.debug(m) : undefined;
  return {
    connect: connectEsp,
    async openTransport(path, opts) {
      const o: Parameters<typeof openTransport>[1] = { baudRate: opts.baudRate };
      if (opts.usbId) o.usbId = opts.usbId;
      if (log) o.log = log;
      if (options.root !== undefined) o.root = options.root;
      return openTransport(path, o);
    },
    listPorts() {
      const o: Parameters<typeof listPorts>[0] = {};
      if (options.root !== undefined) o.root = options.root;
      if (log) o.log = log;
      return listPorts(o);
    },
    findPort(path) {
      return findPort(path, options.root);
    },
    watchPorts(handlers) {
      const o: Parameters<typeof watchPorts>[0] = {
        onAdded: handlers.onAdded,
        onRemoved: handlers.onRemoved,
      };
      if (options.root !== undefined) o.root = options.root;
      if (log) o.log = log;
      return watchPorts(o);
    },
    createVirtualDevice: createSimDevice,
    doctor: liveDoctor(options.root),
    clock: options.clock ?? realClock,
  };
}
