/**
 * brltty's udev rule claims common USB-serial adapters (CH340, CP210x, FTDI) as braille displays: the serial
 * port appears and vanishes within a second. Detected from an unmasked brltty rule matching the adapter, a
 * running brltty, a port that vanished (caller's hint) or a bridge whose interface is bound to usbfs.
 */
import type { AccessCheck, AccessContext, PortFacts } from '../access-context';
import { FIXES } from '../fixes';
import type { Finding } from '../findings';
import { findByComm } from '../processes';
import { isBrlttyRuleFile, rulesCovering } from '../udev-rules';

interface Candidate {
  vid: string;
  pid: string;
  source: string;
}

async function judge(
  ctx: AccessContext,
  candidates: Candidate[],
  portVanished: boolean,
  strictWhenQuiet: boolean,
): Promise<Finding[]> {
  const files = ctx.ruleFiles.filter((f) => isBrlttyRuleFile(f.name));
  const running = findByComm(ctx.processes, ['brltty']);
  const masked = files.filter((f) => f.masked);
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    const k = `${c.vid}:${c.pid}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const matches = await rulesCovering(ctx.view, c.vid, c.pid, files);
    if (matches.length === 0) continue;
    const usbfs = ctx.usb.some(
      (d) => d.vid === c.vid && d.pid === c.pid && d.interfaces.some((i) => i.driver === 'usbfs'),
    );
    const active = running.length > 0 || portVanished || usbfs;
    if (!active && !strictWhenQuiet) continue;
    const ruleFile = matches[0]!.file.split('/').pop()!;
    out.push({
      id: active ? 'brltty-claims-device' : 'brltty-may-claim-device',
      severity: active ? 'error' : 'warn',
      title: active
        ? `brltty is taking the ${k} adapter away`
        : `brltty's udev rule matches the ${k} adapter`,
      explanation:
        'brltty (the braille display service) treats this USB-serial adapter as a braille display and claims it; the kernel then removes the serial port within a second of plug-in. ' +
        'Masking brltty\u2019s udev rule stops this; it also stops automatic braille display detection over USB. Removing the brltty package works too.',
      evidence: [
        `${c.source}: ${k}`,
        ...matches.map((m) => `${m.file}:${m.lineNo}: ${m.line}`),
        running.length
          ? `running: ${running.map((p) => `brltty (PID ${p.pid})`).join(', ')}`
          : 'brltty is not running now',
        ...(portVanished ? ['the port vanished right after plug-in'] : []),
        ...(usbfs
          ? [
              'the adapter\u2019s interface is bound to usbfs (claimed from user space), not to a serial driver',
            ]
          : []),
        ...(masked.length ? [`masked: ${masked.map((f) => f.path).join(', ')}`] : []),
      ],
      fixes: [FIXES.maskBrltty(ruleFile)],
    });
  }
  return out;
}

function portCandidates(ctx: AccessContext, port: PortFacts): Candidate[] {
  const c: Candidate[] = [];
  if (port.usb) c.push({ vid: port.usb.vid, pid: port.usb.pid, source: `${port.ttyName} is USB device` });
  const r = ctx.hints.recentlyRemoved;
  if (r?.vid && r.pid)
    c.push({ vid: r.vid.toLowerCase(), pid: r.pid.toLowerCase(), source: 'recently removed device' });
  if (!port.stat) {
    for (const d of ctx.usb) {
      if (d.bridge && !d.interfaces.some((i) => i.ttys.length > 0))
        c.push({ vid: d.vid, pid: d.pid, source: `USB ${d.id} (${d.bridge}) has no serial port` });
    }
  }
  return c;
}

export const brlttyPortCheck: AccessCheck = {
  id: 'brltty-port',
  scope: 'port',
  async run(ctx, port) {
    if (!port) return [];
    return judge(
      ctx,
      portCandidates(ctx, port),
      !port.stat && ctx.hints.recentlyRemoved !== undefined,
      !port.stat || port.usb !== undefined,
    );
  },
};

/** Common adapters brltty's rules have been seen to claim (failure-diagnosis §A4). */
const COMMON = [
  { vid: '1a86', pid: '7523' },
  { vid: '10c4', pid: 'ea60' },
  { vid: '0403', pid: '6001' },
];

export const brlttySystemCheck: AccessCheck = {
  id: 'brltty-system',
  scope: 'system',
  async run(ctx) {
    const plugged = ctx.usb
      .filter((d) => d.bridge)
      .map((d) => ({ vid: d.vid, pid: d.pid, source: `USB ${d.id} (${d.bridge})` }));
    const r = ctx.hints.recentlyRemoved;
    const hinted =
      r?.vid && r.pid
        ? [{ vid: r.vid.toLowerCase(), pid: r.pid.toLowerCase(), source: 'recently removed device' }]
        : [];
    const found = await judge(ctx, [...plugged, ...hinted], r !== undefined, true);
    if (found.length > 0) return found;
    // Nothing plugged in that matches: still warn when brltty would claim a common adapter on plug-in.
    return judge(
      ctx,
      COMMON.map((c) => ({ ...c, source: 'common adapter' })),
      false,
      true,
    ).then((fs) =>
      fs.slice(0, 1).map((f) => ({
        ...f,
        id: 'brltty-rule-active',
        severity: 'warn' as const,
        title: 'brltty\u2019s udev rule will claim common USB-serial adapters',
      })),
    );
  },
};
