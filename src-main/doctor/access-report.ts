/**
 * The Linux access report: runs the rule table (checks/) over one port, or over every ttyUSB/ttyACM present,
 * plus the system-wide checks. Needs no root. Linux only; elsewhere the report says so and checks nothing.
 */
import { discoverSerialNodes, gatherContext, gatherPort, type AccessHints } from './access-context';
import { ACCESS_CHECKS } from './checks/index';
import { fixesFromFindings, type Fix } from './fixes';
import { bySeverity, modeString, worstSeverity, type Finding, type Severity } from './findings';
import { isSerialPortNode } from './serial-node';
import { createSystemView, type NodeStat, type SystemView } from './system-view';

export interface PortReport {
  path: string;
  node: string | undefined;
  present: boolean;
  usb: { vid: string; pid: string; bridge: string | undefined; driver: string | undefined } | undefined;
  findings: Finding[];
  worst: Severity;
}

export interface AccessReport {
  root: string;
  uid: number;
  user: string | undefined;
  /** Groups of this process, by name. */
  processGroups: string[];
  /** Groups the account database gives the user. */
  databaseGroups: string[];
  system: Finding[];
  ports: PortReport[];
  worst: Severity;
  /** Every fix offered by any finding, each once. */
  fixes: Fix[];
}

export interface AccessReportOptions extends AccessHints {
  /** Fixture tree standing for `/` (default: the real system). */
  root?: string;
  /** A port to examine; without one, every /dev/ttyUSB* and /dev/ttyACM* present. */
  port?: string;
  /** Environment to consult (default process.env on the real system). */
  env?: Record<string, string | undefined>;
  view?: SystemView;
}

export async function accessReport(opts: AccessReportOptions = {}): Promise<AccessReport> {
  const view =
    opts.view ??
    createSystemView({
      ...(opts.root !== undefined ? { root: opts.root } : {}),
      ...(opts.env !== undefined ? { env: opts.env } : {}),
    });
  if (view.isLive && process.platform !== 'linux') {
    return {
      root: view.root,
      uid: -1,
      user: undefined,
      processGroups: [],
      databaseGroups: [],
      system: [],
      ports: [],
      worst: 'ok',
      fixes: [],
    };
  }
  const hints: AccessHints = {};
  if (opts.recentlyRemoved) hints.recentlyRemoved = opts.recentlyRemoved;
  if (opts.openErrorCode) hints.openErrorCode = opts.openErrorCode;
  const ctx = await gatherContext(view, hints);

  const system: Finding[] = [];
  for (const check of ACCESS_CHECKS.filter((c) => c.scope === 'system'))
    system.push(...(await check.run(ctx, undefined)));

  const paths = opts.port !== undefined ? [opts.port] : await discoverSerialNodes(view);
  const ports: PortReport[] = [];
  for (const p of paths) {
    const facts = await gatherPort(view, p);
    const findings: Finding[] = [];
    if (facts.stat && facts.node && !(await isSerialPortNode(view, facts.node, facts.stat))) {
      // The caller may name any path; only serial ports are examined, so no fix is built for anything else.
      findings.push(notSerialPort(p, facts.node, facts.stat));
    } else {
      for (const check of ACCESS_CHECKS.filter((c) => c.scope === 'port'))
        findings.push(...(await check.run(ctx, facts)));
    }
    findings.sort(bySeverity);
    ports.push({
      path: p,
      node: facts.node,
      present: facts.stat !== undefined,
      usb: facts.usb
        ? { vid: facts.usb.vid, pid: facts.usb.pid, bridge: facts.bridge?.chip, driver: facts.usb.driver }
        : undefined,
      findings,
      worst: worstSeverity(findings),
    });
  }
  // A port-level brltty finding makes the system-level one redundant.
  const portIds = new Set(ports.flatMap((p) => p.findings.map((f) => f.id)));
  const systemFindings = system
    .filter((f) => !(f.id.startsWith('brltty') && portIds.has('brltty-claims-device')))
    .sort(bySeverity);
  const all = [...systemFindings, ...ports.flatMap((p) => p.findings)];
  return {
    root: view.root,
    uid: ctx.who.uid,
    user: ctx.who.user,
    processGroups: ctx.who.processGids.map((g) => ctx.accounts.groupLabel(g)),
    databaseGroups: ctx.accounts.dbGroupsOf(ctx.who.user),
    system: systemFindings,
    ports,
    worst: worstSeverity(all),
    fixes: fixesFromFindings(all),
  };
}

function notSerialPort(asked: string, node: string, stat: NodeStat): Finding {
  return {
    id: 'not-a-serial-port',
    severity: 'error',
    title: `${asked} is not a serial port`,
    explanation:
      'The doctor examines serial ports only (USB-serial adapters, native USB serial, on-board UARTs and pseudo-terminals). Pick the board\u2019s port from the list.',
    evidence: [`${modeString(stat)} ${node} (device ${stat.rdev.major}:${stat.rdev.minor})`],
    fixes: [],
  };
}

/** All findings of a report, system first, worst first within each. */
export function allFindings(report: AccessReport): Finding[] {
  return [...report.system, ...report.ports.flatMap((p) => p.findings)];
}
