/**
 * USB devices from sysfs, walked directly (no udevadm, which is missing in Flatpak and containers):
 * /sys/bus/usb/devices/<bus-port> holds idVendor/idProduct/product/serial; its interfaces (<bus-port>:<cfg>.<n>)
 * carry a `driver` link when a kernel driver bound them, and a ttyUSBn (usb-serial) or tty/ttyACMn (cdc_acm)
 * child when a serial port was created. A snapshot before and after a plug-in tells "nothing enumerated"
 * (charge-only cable) from "enumerated but no driver".
 */
import path from 'node:path';
import { bridgeFor } from '../serial/usb-bridges';
import type { Finding } from './findings';
import type { SystemView } from './system-view';

export interface UsbInterface {
  name: string;
  driver: string | undefined;
  ttys: string[];
}

export interface UsbDevice {
  /** sysfs name, e.g. '1-2' or '3-1.4'. */
  id: string;
  vid: string;
  pid: string;
  product: string | undefined;
  manufacturer: string | undefined;
  serial: string | undefined;
  /** Chip name when the VID:PID is a known USB-serial bridge. */
  bridge: string | undefined;
  /** The Linux driver the bridge table expects, when known. */
  expectedDriver: string | undefined;
  interfaces: UsbInterface[];
}

export type UsbSnapshot = UsbDevice[];

const SYS_USB = '/sys/bus/usb/devices';

async function readAttr(view: SystemView, dir: string, attr: string): Promise<string | undefined> {
  const t = await view.readText(`${dir}/${attr}`);
  return t === undefined ? undefined : t.trim();
}

async function readInterface(view: SystemView, dir: string, name: string): Promise<UsbInterface> {
  const driverLink = await view.readLink(`${dir}/driver`);
  const entries = (await view.readDir(dir)) ?? [];
  const ttys = entries.filter((e) => /^tty(USB|ACM)\d+$/.test(e));
  if (entries.includes('tty'))
    ttys.push(...((await view.readDir(`${dir}/tty`)) ?? []).filter((e) => e.startsWith('tty')));
  return {
    name,
    driver: driverLink ? path.posix.basename(driverLink) : undefined,
    ttys: [...new Set(ttys)].sort(),
  };
}

export async function usbSnapshot(view: SystemView): Promise<UsbSnapshot> {
  const entries = (await view.readDir(SYS_USB)) ?? [];
  const devices: UsbDevice[] = [];
  for (const id of entries) {
    if (id.includes(':')) continue;
    const dir = `${SYS_USB}/${id}`;
    const vid = (await readAttr(view, dir, 'idVendor'))?.toLowerCase();
    const pid = (await readAttr(view, dir, 'idProduct'))?.toLowerCase();
    if (!vid || !pid) continue;
    const bridge = bridgeFor(vid, pid);
    const ifaceNames = entries.filter((e) => e.startsWith(`${id}:`));
    const interfaces = await Promise.all(ifaceNames.map((n) => readInterface(view, `${SYS_USB}/${n}`, n)));
    devices.push({
      id,
      vid,
      pid,
      product: await readAttr(view, dir, 'product'),
      manufacturer: await readAttr(view, dir, 'manufacturer'),
      serial: await readAttr(view, dir, 'serial'),
      bridge: bridge?.chip,
      expectedDriver: bridge?.driver,
      interfaces,
    });
  }
  return devices;
}

/** The USB device behind a tty node, found by walking up from /sys/class/tty/<name>/device. */
export async function usbDeviceOfTty(
  view: SystemView,
  ttyName: string,
): Promise<{ vid: string; pid: string; driver: string | undefined; sysPath: string } | undefined> {
  let dir = await view.realPath(`/sys/class/tty/${ttyName}/device`);
  if (dir === undefined) return undefined;
  const driverLink =
    (await view.readLink(`${dir}/driver`)) ?? (await view.readLink(`${path.posix.dirname(dir)}/driver`));
  for (let i = 0; i < 4 && dir !== '/'; i++) {
    const vid = await readAttr(view, dir, 'idVendor');
    const pid = await readAttr(view, dir, 'idProduct');
    if (vid && pid) {
      return {
        vid: vid.toLowerCase(),
        pid: pid.toLowerCase(),
        driver: driverLink ? path.posix.basename(driverLink) : undefined,
        sysPath: dir,
      };
    }
    dir = path.posix.dirname(dir);
  }
  return undefined;
}

function key(d: UsbDevice): string {
  return `${d.id}|${d.vid}:${d.pid}|${d.serial ?? ''}`;
}

export interface UsbComparison {
  added: UsbDevice[];
  removed: UsbDevice[];
  finding: Finding;
}

/**
 * Compares what was enumerated before and after the user plugged the board in. Nothing new means the kernel
 * never saw a USB device: a charge-only cable, a dead port, or an unpowered board.
 */
export function compareUsbSnapshots(before: UsbSnapshot, after: UsbSnapshot): UsbComparison {
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  const added = after.filter((d) => !beforeKeys.has(key(d)));
  const removed = before.filter((d) => !afterKeys.has(key(d)));
  const describe = (d: UsbDevice): string =>
    `${d.id}: ${d.vid}:${d.pid}${d.product ? ` "${d.product}"` : ''}${d.bridge ? ` (${d.bridge})` : ''}; interfaces: ${
      d.interfaces
        .map((i) => `${i.name} driver=${i.driver ?? 'none'}${i.ttys.length ? ` ${i.ttys.join(',')}` : ''}`)
        .join('; ') || 'none'
    }`;
  let finding: Finding;
  if (added.length === 0) {
    finding = {
      id: 'usb-nothing-enumerated',
      severity: 'error',
      title: 'Nothing appeared on USB when the board was plugged in',
      explanation:
        'The kernel saw no new USB device, so the board never talked to the computer. The usual cause is a charge-only cable (it has no data wires); also try another USB port without a hub, and check that the board gets power (a LED).',
      evidence: [`USB devices before: ${before.length}, after: ${after.length}, new: 0`],
      fixes: [],
    };
  } else {
    const withTty = added.filter((d) => d.interfaces.some((i) => i.ttys.length > 0));
    const bridges = added.filter((d) => d.bridge !== undefined);
    const evidence = added.map(describe);
    if (withTty.length > 0) {
      finding = {
        id: 'usb-enumerated',
        severity: 'ok',
        title: `New serial port: ${withTty.flatMap((d) => d.interfaces.flatMap((i) => i.ttys)).join(', ')}`,
        explanation: 'The board enumerated and a serial port was created for it.',
        evidence,
        fixes: [],
      };
    } else if (bridges.length > 0) {
      finding = {
        id: 'usb-bridge-no-tty',
        severity: 'error',
        title: `${bridges[0]!.bridge} enumerated but no serial port was created`,
        explanation: `The adapter is on USB, but no driver turned it into a serial port. The ${bridges[0]!.expectedDriver} kernel module may be missing or blocked.`,
        evidence,
        fixes: [],
      };
    } else {
      finding = {
        id: 'usb-unknown-device',
        severity: 'info',
        title: 'A USB device appeared that is not a known serial adapter',
        explanation:
          'Something enumerated, but its VID:PID is not a USB-serial bridge Kiln knows. If it is your board, its serial port may need a driver Kiln does not check.',
        evidence,
        fixes: [],
      };
    }
  }
  return { added, removed, finding };
}
