/**
 * The facts every access check reads, gathered once per report: who we are, the account database, running
 * processes, udev rule files, USB devices, and per port its node, owner, mode and USB identity. Checks are pure
 * functions of this context (plus the view for the odd extra read), which keeps each rule file small.
 */
import path from 'node:path';
import { bridgeFor, type UsbBridge } from '../serial/usb-bridges';
import { Accounts, whoAmI, type Who } from './accounts';
import { listProcesses, type ProcessInfo } from './processes';
import type { NodeStat, SystemView } from './system-view';
import { effectiveRuleFiles, type RuleFile } from './udev-rules';
import { usbDeviceOfTty, usbSnapshot, type UsbSnapshot } from './usb-devices';
import type { Finding } from './findings';

export interface AccessHints {
  /** A port that appeared and disappeared shortly before (from the hot-plug watcher): brltty's signature. */
  recentlyRemoved?: { path?: string; vid?: string; pid?: string };
  /** The errno code of a failed open, if the caller has one ('EACCES', 'EBUSY', 'EAGAIN', 'ENOENT'). */
  openErrorCode?: string;
}

export interface PortFacts {
  /** As asked for, e.g. '/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0'. */
  path: string;
  /** The node it resolves to, when it exists. */
  node: string | undefined;
  ttyName: string;
  stat: NodeStat | undefined;
  canRead: boolean;
  canWrite: boolean;
  usb: { vid: string; pid: string; driver: string | undefined; sysPath: string } | undefined;
  bridge: UsbBridge | undefined;
}

export interface AccessContext {
  view: SystemView;
  who: Who;
  accounts: Accounts;
  processes: ProcessInfo[];
  ruleFiles: RuleFile[];
  usb: UsbSnapshot;
  hints: AccessHints;
}

export interface AccessCheck {
  id: string;
  scope: 'system' | 'port';
  run(ctx: AccessContext, port: PortFacts | undefined): Promise<Finding[]>;
}

export async function gatherContext(view: SystemView, hints: AccessHints = {}): Promise<AccessContext> {
  const [who, accounts, processes, ruleFiles, usb] = await Promise.all([
    whoAmI(view),
    Accounts.load(view),
    listProcesses(view),
    effectiveRuleFiles(view),
    usbSnapshot(view),
  ]);
  return { view, who, accounts, processes, ruleFiles, usb, hints };
}

export async function gatherPort(view: SystemView, portPath: string): Promise<PortFacts> {
  const node = await view.realPath(portPath);
  const stat = node !== undefined ? await view.stat(node) : undefined;
  const ttyName = path.posix.basename(node ?? portPath);
  const [canRead, canWrite] = stat
    ? await Promise.all([view.access(node!, 'r'), view.access(node!, 'w')])
    : [false, false];
  const usb = await usbDeviceOfTty(view, ttyName);
  return {
    path: portPath,
    node,
    ttyName,
    stat,
    canRead,
    canWrite,
    usb,
    bridge: usb ? bridgeFor(usb.vid, usb.pid) : undefined,
  };
}

/** Serial nodes a flasher cares about: USB-serial (ttyUSB) and CDC-ACM (ttyACM). */
export async function discoverSerialNodes(view: SystemView): Promise<string[]> {
  const entries = (await view.readDir('/dev')) ?? [];
  return entries.filter((e) => /^tty(USB|ACM)\d+$/.test(e)).map((e) => `/dev/${e}`);
}

export function processLine(ctx: AccessContext): string {
  const names = ctx.who.processGids.map((g) => `${g}(${ctx.accounts.groupLabel(g)})`).join(',');
  return `this process: uid=${ctx.who.uid}(${ctx.who.user ?? '?'}) groups=${names}`;
}
