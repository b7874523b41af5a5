/**
 * Port discovery: a sysfs walk (which ttys are real — udev lists every ttyS placeholder — with their USB ids,
 * strings and driver) and the /dev/serial/by-id links. node serialport's `SerialPort.list()` (which spawns
 * `udevadm info -e`) is asked only when sysfs cannot be read (some containers), or when a caller passes its own
 * udev lister, whose strings then take precedence. Virtual `sim:` devices are added by the service, not here.
 */
import { SerialPort } from 'serialport';
import { bridgeFor, defaultBaudFor, type UsbBridge } from './usb-bridges';
import {
  comparePortPaths,
  describeSysfsPort,
  isSerialPortName,
  listSysfsPorts,
  readByIdLinks,
  type SysfsPort,
} from './sysfs-list';

export interface PortInfo {
  /** Device node to open: '/dev/ttyUSB0'. */
  path: string;
  /** Lower-case hex, 4 digits. */
  vendorId?: string;
  productId?: string;
  /** 'vvvv:pppp', ready for TransportInfo.usbId. */
  usbId?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  /** The stable `/dev/serial/by-id/...` symlink that points at this port. */
  byId?: string;
  /** Kernel driver of the USB interface (cp210x, ch341, cdc_acm, ftdi_sio, pl2303). */
  driver?: string;
  bridge?: UsbBridge;
  /** Baud to flash at on this port (from the bridge table). */
  defaultBaud: number;
}

/** What `SerialPort.list()` yields on Linux (fields we use). */
export interface UdevPort {
  path: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  /** by-id name without the directory, e.g. 'usb-1a86_USB_Serial-if00-port0'. */
  pnpId?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
}

export interface ListPortsOptions {
  /** System root; tests pass a fixture tree. Default '/'. */
  root?: string;
  /**
   * The udev-backed lister. Defaults to `SerialPort.list` for the real root and to none for any other root
   * (a fixture tree has no udev database to ask). Pass `null` to use sysfs only.
   */
  udevList?: (() => Promise<UdevPort[]>) | null;
  /** Told when udev listing fails and sysfs is used instead. */
  log?: (message: string) => void;
}

function hex4(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const s = id.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,4}$/.test(s) ? s.padStart(4, '0') : undefined;
}

function toPortInfo(
  base: { path: string },
  sys: SysfsPort | undefined,
  udev: UdevPort | undefined,
  byId: Map<string, string>,
): PortInfo {
  const vendorId = hex4(udev?.vendorId) ?? sys?.vendorId;
  const productId = hex4(udev?.productId) ?? sys?.productId;
  const bridge = bridgeFor(vendorId, productId);
  const info: PortInfo = { path: base.path, defaultBaud: defaultBaudFor(bridge) };
  if (vendorId) info.vendorId = vendorId;
  if (productId) info.productId = productId;
  if (vendorId && productId) info.usbId = `${vendorId}:${productId}`;
  const serialNumber = udev?.serialNumber || sys?.serialNumber;
  if (serialNumber) info.serialNumber = serialNumber;
  const manufacturer = udev?.manufacturer || sys?.manufacturer;
  if (manufacturer) info.manufacturer = manufacturer;
  if (sys?.product) info.product = sys.product;
  const link = byId.get(base.path) ?? (udev?.pnpId ? `/dev/serial/by-id/${udev.pnpId}` : undefined);
  if (link) info.byId = link;
  if (sys?.driver) info.driver = sys.driver;
  if (bridge) info.bridge = bridge;
  return info;
}

/** Every usable serial port, sorted by path. Never rejects for a missing udevadm or an unreadable sysfs. */
export async function listPorts(options: ListPortsOptions = {}): Promise<PortInfo[]> {
  const root = options.root ?? '/';
  let sysPorts: SysfsPort[] | undefined;
  try {
    sysPorts = await listSysfsPorts(root);
  } catch (err) {
    options.log?.(`sysfs is not readable (${(err as Error).message}); relying on udev alone.`);
  }
  // udevadm only where sysfs cannot answer: with sysfs read, udev adds nothing a port needs (ids, strings, driver
  // and the by-id links come from sysfs and /dev/serial/by-id), and `udevadm info -e` plus parsing its whole
  // database cost ~0.14 s of every listing here (3,400 lines).
  const udevList =
    options.udevList === undefined
      ? root === '/' && sysPorts === undefined
        ? () => SerialPort.list()
        : null
      : options.udevList;
  let udevPorts: UdevPort[] = [];
  if (udevList) {
    try {
      udevPorts = await udevList();
    } catch (err) {
      options.log?.(`udevadm listing failed (${(err as Error).message}); using the sysfs walk.`);
    }
  }
  const byId = await readByIdLinks(root);

  const sysByPath = new Map((sysPorts ?? []).map((p) => [p.path, p] as const));
  const udevByPath = new Map<string, UdevPort>();
  for (const u of udevPorts) {
    const name = u.path.replace(/^\/dev\//, '');
    if (!isSerialPortName(name)) continue;
    // With sysfs readable it decides existence (udev also lists ttyS placeholders); without it, trust udev's USB ports.
    if (sysPorts ? sysByPath.has(u.path) : u.vendorId !== undefined || !/^tty(S|AMA)\d/.test(name))
      udevByPath.set(u.path, u);
  }
  const paths = new Set<string>([...sysByPath.keys(), ...udevByPath.keys()]);
  return [...paths]
    .sort(comparePortPaths)
    .map((p) => toPortInfo({ path: p }, sysByPath.get(p), udevByPath.get(p), byId));
}

/** Describes one port from sysfs and the by-id links alone (no udevadm): fast enough for each hot-plug event. */
export async function describePort(devPath: string, root = '/'): Promise<PortInfo> {
  const name = devPath.replace(/^\/dev\//, '');
  const [sys, byId] = await Promise.all([describeSysfsPort(name, root), readByIdLinks(root)]);
  return toPortInfo({ path: devPath }, sys, undefined, byId);
}

/**
 * One named port, as `describePort` does, or undefined when sysfs knows no such serial port. A job on a port
 * the person named needs only that port's bridge (its safe baud, its reset lines), not a whole listing: the
 * listing's `udevadm info -e` costs ~0.1 s at every command (measured here: 0.09–0.10 s).
 */
export async function findPort(devPath: string, root = '/'): Promise<PortInfo | undefined> {
  const name = devPath.replace(/^\/dev\//, '');
  const [sys, byId] = await Promise.all([describeSysfsPort(name, root), readByIdLinks(root)]);
  return sys ? toPortInfo({ path: devPath }, sys, undefined, byId) : undefined;
}
