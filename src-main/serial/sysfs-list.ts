/**
 * Serial ports read straight from sysfs, without udev: works where `udevadm` is missing (containers, Flatpak) and
 * gives what udev's export does not (the kernel driver, the product string). Layout, as the kernel builds it:
 *   /sys/class/tty/ttyUSB0 -> ../../devices/.../1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0
 *   /sys/class/tty/ttyUSB0/device -> ../../../ttyUSB0        (usb-serial port; ttyACM: the interface itself)
 *   .../1-2:1.0/driver -> .../bus/usb/drivers/ch341           (the interface, marked by bInterfaceNumber)
 *   .../1-2/{idVendor,idProduct,serial,manufacturer,product}  (the USB device)
 * Every path here is taken under an injectable `root`; returned paths are the system's own (`/dev/ttyUSB0`).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';

export interface SysfsPort {
  /** Device node as the system names it: '/dev/ttyUSB0'. */
  path: string;
  name: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  /** Kernel driver bound to the USB interface (cp210x, ch341, cdc_acm, ftdi_sio, pl2303), or the device's driver. */
  driver?: string;
}

/** tty names that can be a flashing port. ttyS/ttyAMA exist as placeholders, so they need a real device behind them. */
const USB_TTY = /^(ttyUSB|ttyACM|ttyCH343USB)\d+$/;
const BUILTIN_TTY = /^(ttyS|ttyAMA)\d+$/;

export function isSerialPortName(name: string): boolean {
  return USB_TTY.test(name) || BUILTIN_TTY.test(name);
}

async function readTrimmed(file: string): Promise<string | undefined> {
  try {
    const text = (await fsp.readFile(file, 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

async function linkBasename(link: string): Promise<string | undefined> {
  try {
    return path.basename(await fsp.readlink(link));
  } catch {
    return undefined;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}

/** Nearest ancestor (starting at `start`) that holds `marker`, not climbing above `stop`. */
async function ancestorWith(start: string, marker: string, stop: string): Promise<string | undefined> {
  for (let dir = start; dir.startsWith(stop) && dir.length > stop.length; dir = path.dirname(dir)) {
    if (await exists(path.join(dir, marker))) return dir;
  }
  return undefined;
}

/**
 * A built-in UART is real when the 8250/serial core reports a port type (placeholders say 0 = PORT_UNKNOWN) or,
 * without that attribute, when it hangs off something other than the platform bus (pyserial's rule).
 */
async function builtinIsReal(ttyDir: string, deviceDir: string): Promise<boolean> {
  const type = await readTrimmed(path.join(ttyDir, 'type'));
  if (type !== undefined) return type !== '0';
  return (await linkBasename(path.join(deviceDir, 'subsystem'))) !== 'platform';
}

/** Describes one tty by name, or undefined when it is not a usable serial port (no device behind it). */
export async function describeSysfsPort(name: string, root = '/'): Promise<SysfsPort | undefined> {
  if (!isSerialPortName(name)) return undefined;
  const ttyDir = path.join(root, 'sys/class/tty', name);
  let deviceDir: string;
  try {
    deviceDir = await fsp.realpath(path.join(ttyDir, 'device'));
  } catch {
    return undefined; // no device link: a virtual or placeholder tty
  }
  if (BUILTIN_TTY.test(name) && !(await builtinIsReal(ttyDir, deviceDir))) return undefined;

  const port: SysfsPort = { path: `/dev/${name}`, name };
  const devicesRoot = path.join(await fsp.realpath(root), 'sys');
  const iface = await ancestorWith(deviceDir, 'bInterfaceNumber', devicesRoot);
  const driver =
    (iface && (await linkBasename(path.join(iface, 'driver')))) ??
    (await linkBasename(path.join(deviceDir, 'driver')));
  if (driver) port.driver = driver;

  const usbDevice = await ancestorWith(iface ?? deviceDir, 'idVendor', devicesRoot);
  if (usbDevice) {
    const [vid, pid, serial, manufacturer, product] = await Promise.all(
      ['idVendor', 'idProduct', 'serial', 'manufacturer', 'product'].map((f) =>
        readTrimmed(path.join(usbDevice, f)),
      ),
    );
    if (vid) port.vendorId = vid.toLowerCase();
    if (pid) port.productId = pid.toLowerCase();
    if (serial) port.serialNumber = serial;
    if (manufacturer) port.manufacturer = manufacturer;
    if (product) port.product = product;
  }
  return port;
}

/** Every serial port sysfs knows about, sorted by name. Rejects only when `<root>/sys/class/tty` is unreadable. */
export async function listSysfsPorts(root = '/'): Promise<SysfsPort[]> {
  const names = await fsp.readdir(path.join(root, 'sys/class/tty'));
  const ports = await Promise.all(names.filter(isSerialPortName).map((n) => describeSysfsPort(n, root)));
  return ports
    .filter((p): p is SysfsPort => p !== undefined)
    .sort((a, b) => comparePortPaths(a.path, b.path));
}

/** `/dev/ttyUSB0` -> `/dev/serial/by-id/usb-...-if00-port0`, from `<root>/dev/serial/by-id`. Empty when absent. */
export async function readByIdLinks(root = '/'): Promise<Map<string, string>> {
  const dir = path.join(root, 'dev/serial/by-id');
  const map = new Map<string, string>();
  let entries: string[];
  try {
    entries = await fsp.readdir(dir);
  } catch {
    return map;
  }
  for (const entry of entries.sort()) {
    try {
      const target = await fsp.readlink(path.join(dir, entry));
      const devPath = path.posix.resolve('/dev/serial/by-id', target);
      if (!map.has(devPath)) map.set(devPath, `/dev/serial/by-id/${entry}`);
    } catch {
      // not a symlink: udev only puts symlinks here
    }
  }
  return map;
}

/** Orders ttyACM0 < ttyUSB0 < ttyUSB2 < ttyUSB10 (numeric suffix compared as a number). */
export function comparePortPaths(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
