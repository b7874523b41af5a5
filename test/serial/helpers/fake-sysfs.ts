/**
 * Builds fake system trees under a temp root, with relative symlinks laid out as the kernel does, so discovery
 * follows the same links it would on a real machine:
 *   sys/class/tty/ttyUSB0 -> ../../devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0
 *   <that dir>/device -> ../../../ttyUSB0                     (usb-serial port dir; ttyACM: -> ../../../1-3:1.0)
 *   .../1-2/1-2:1.0/driver -> ../../../../../../bus/usb/drivers/ch341
 *   .../1-2/{idVendor,idProduct,serial,manufacturer,product}
 *   dev/ttyUSB0, dev/serial/by-id/usb-...-if00-port0 -> ../../ttyUSB0
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export async function makeRoot(): Promise<string> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'kiln-sysfs-'));
  await fsp.mkdir(path.join(root, 'sys/class/tty'), { recursive: true });
  await fsp.mkdir(path.join(root, 'dev'), { recursive: true });
  return root;
}

async function write(file: string, text: string): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, text + '\n');
}

async function link(target: string, at: string): Promise<void> {
  await fsp.mkdir(path.dirname(at), { recursive: true });
  await fsp.symlink(target, at);
}

export interface UsbTtySpec {
  name: string; // ttyUSB0 / ttyACM0
  /** USB bus path of the device, e.g. '1-2' (interface becomes 1-2:1.0). */
  bus: string;
  vendorId: string;
  productId: string;
  driver: string;
  serial?: string;
  manufacturer?: string;
  product?: string;
  /** by-id link name under dev/serial/by-id. */
  byId?: string;
  /** Create /dev/<name> too (default true). */
  devNode?: boolean;
}

/** A CH340 adapter as sysfs shows it (QinHeng 1a86:7523 on the ch341 driver): the board most tests plug in. */
export const CH340_IDS: Pick<UsbTtySpec, 'vendorId' | 'productId' | 'driver'> = {
  vendorId: '1a86',
  productId: '7523',
  driver: 'ch341',
};

const USB_ROOT = 'devices/pci0000:00/0000:00:14.0/usb1';

export async function addUsbTty(root: string, spec: UsbTtySpec): Promise<void> {
  const usbDev = `${USB_ROOT}/${spec.bus}`;
  const iface = `${usbDev}/${spec.bus}:1.0`;
  const acm = spec.name.startsWith('ttyACM');
  // ttyUSB: the usb-serial core adds a port device under the interface; cdc_acm puts the tty on the interface.
  const ttyParent = acm ? iface : `${iface}/${spec.name}`;
  const ttyDir = `${ttyParent}/tty/${spec.name}`;
  const sys = path.join(root, 'sys');
  await fsp.mkdir(path.join(sys, ttyDir), { recursive: true });
  await write(path.join(sys, ttyDir, 'dev'), acm ? '166:0' : '188:0');
  await link(acm ? `../../../${spec.bus}:1.0` : `../../../${spec.name}`, path.join(sys, ttyDir, 'device'));
  await link(`../../${ttyDir}`, path.join(sys, 'class/tty', spec.name));
  await write(path.join(sys, iface, 'bInterfaceNumber'), '00');
  await fsp.mkdir(path.join(sys, 'bus/usb/drivers', spec.driver), { recursive: true });
  await link(
    path.relative(path.join(sys, iface), path.join(sys, 'bus/usb/drivers', spec.driver)),
    path.join(sys, iface, 'driver'),
  );
  if (!acm) {
    const serialDriver = `${spec.driver === 'ch341' ? 'ch341-uart' : spec.driver}`;
    await fsp.mkdir(path.join(sys, 'bus/usb-serial/drivers', serialDriver), { recursive: true });
    await link(
      path.relative(path.join(sys, ttyParent), path.join(sys, 'bus/usb-serial/drivers', serialDriver)),
      path.join(sys, ttyParent, 'driver'),
    );
  }
  await write(path.join(sys, usbDev, 'idVendor'), spec.vendorId);
  await write(path.join(sys, usbDev, 'idProduct'), spec.productId);
  if (spec.serial) await write(path.join(sys, usbDev, 'serial'), spec.serial);
  if (spec.manufacturer) await write(path.join(sys, usbDev, 'manufacturer'), spec.manufacturer);
  if (spec.product) await write(path.join(sys, usbDev, 'product'), spec.product);
  if (spec.devNode !== false) await fsp.writeFile(path.join(root, 'dev', spec.name), '');
  if (spec.byId) await link(`../../${spec.name}`, path.join(root, 'dev/serial/by-id', spec.byId));
}

/**
 * A built-in UART. `device`: none (virtual/placeholder without a device link), 'platform-placeholder' (serial8250
 * placeholder, type 0) or 'pnp' (a real motherboard UART, type 4 = 16550A).
 */
export async function addBuiltinTty(
  root: string,
  name: string,
  device: 'none' | 'platform-placeholder' | 'pnp',
): Promise<void> {
  const sys = path.join(root, 'sys');
  const ttyDir =
    device === 'pnp'
      ? `devices/pnp0/00:05/tty/${name}`
      : device === 'platform-placeholder'
        ? `devices/platform/serial8250/tty/${name}`
        : `devices/virtual/tty/${name}`;
  await fsp.mkdir(path.join(sys, ttyDir), { recursive: true });
  await link(`../../${ttyDir}`, path.join(sys, 'class/tty', name));
  if (device !== 'none') {
    await link(
      '../../../' + path.basename(path.dirname(path.dirname(ttyDir))),
      path.join(sys, ttyDir, 'device'),
    );
    const devDir = path.dirname(path.dirname(ttyDir));
    const subsystem = device === 'pnp' ? 'pnp' : 'platform';
    await fsp.mkdir(path.join(sys, 'bus', subsystem), { recursive: true });
    await link(
      path.relative(path.join(sys, devDir), path.join(sys, 'bus', subsystem)),
      path.join(sys, devDir, 'subsystem'),
    );
    await write(path.join(sys, ttyDir, 'type'), device === 'pnp' ? '4' : '0');
  }
  await fsp.writeFile(path.join(root, 'dev', name), '');
}
