/**
 * Discovery on fake sysfs trees (kernel-shaped relative symlinks under a temp root), with udev data injected as
 * SerialPort.list() returns it, and with udevadm genuinely absent (PATH without it: the spawn fails).
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { describePort, findPort, listPorts, type UdevPort } from '../../src-main/serial/discovery';
import { listSysfsPorts, readByIdLinks } from '../../src-main/serial/sysfs-list';
import { addBuiltinTty, addUsbTty, CH340_IDS, makeRoot } from './helpers/fake-sysfs';

let roots: string[] = [];
afterEach(async () => {
  for (const r of roots) await fsp.rm(r, { recursive: true, force: true });
  roots = [];
});

/** An empty fake root, removed after the test. */
async function freshRoot(): Promise<string> {
  const root = await makeRoot();
  roots.push(root);
  return root;
}

/** A workbench: CH340 with a by-id link, a CP2102, an ESP32-C3 on USB-Serial/JTAG, and built-in ttyS entries. */
async function workbench(): Promise<string> {
  const root = await freshRoot();
  await addUsbTty(root, {
    name: 'ttyUSB0',
    bus: '1-2',
    ...CH340_IDS,
    product: 'USB Serial',
    byId: 'usb-1a86_USB_Serial-if00-port0',
  });
  await addUsbTty(root, {
    name: 'ttyUSB1',
    bus: '1-4',
    vendorId: '10c4',
    productId: 'EA60', // sysfs is lower-case; check that case never matters
    driver: 'cp210x',
    serial: '0001',
    manufacturer: 'Silicon Labs',
    product: 'CP2102 USB to UART Bridge Controller',
    byId: 'usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001-if00-port0',
  });
  await addUsbTty(root, {
    name: 'ttyACM0',
    bus: '1-3',
    vendorId: '303a',
    productId: '1001',
    driver: 'cdc_acm',
    serial: '34:85:18:00:11:22',
    manufacturer: 'Espressif',
    product: 'USB JTAG/serial debug unit',
    byId: 'usb-Espressif_USB_JTAG_serial_debug_unit_34:85:18:00:11:22-if00',
  });
  await addBuiltinTty(root, 'ttyS0', 'none');
  await addBuiltinTty(root, 'ttyS1', 'platform-placeholder');
  await addBuiltinTty(root, 'tty0', 'none');
  return root;
}

describe('sysfs walk', () => {
  it('finds USB ports with ids, strings and the interface driver; skips ttyS without a real device', async () => {
    const root = await workbench();
    const ports = await listSysfsPorts(root);
    expect(ports.map((p) => p.path)).toEqual(['/dev/ttyACM0', '/dev/ttyUSB0', '/dev/ttyUSB1']);
    expect(ports[1]).toEqual({
      path: '/dev/ttyUSB0',
      name: 'ttyUSB0',
      vendorId: '1a86',
      productId: '7523',
      driver: 'ch341',
      product: 'USB Serial',
    });
    expect(ports[2]).toMatchObject({
      vendorId: '10c4',
      productId: 'ea60',
      driver: 'cp210x',
      serialNumber: '0001',
      manufacturer: 'Silicon Labs',
    });
    expect(ports[0]).toMatchObject({
      vendorId: '303a',
      productId: '1001',
      driver: 'cdc_acm',
      serialNumber: '34:85:18:00:11:22',
    });
  });

  it('keeps a built-in UART that the serial core reports as real (pnp, type 16550A)', async () => {
    const root = await freshRoot();
    await addBuiltinTty(root, 'ttyS0', 'pnp');
    await addBuiltinTty(root, 'ttyS1', 'platform-placeholder');
    expect((await listSysfsPorts(root)).map((p) => p.path)).toEqual(['/dev/ttyS0']);
  });

  it('maps by-id links to the node they point at', async () => {
    const root = await workbench();
    const links = await readByIdLinks(root);
    expect(links.get('/dev/ttyUSB0')).toBe('/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0');
    expect(links.size).toBe(3);
  });
});

describe('listPorts', () => {
  it('without udev (fixture root): the full PortInfo from sysfs, with bridge and default baud', async () => {
    const root = await workbench();
    const ports = await listPorts({ root });
    expect(ports.map((p) => p.path)).toEqual(['/dev/ttyACM0', '/dev/ttyUSB0', '/dev/ttyUSB1']);
    const [acm, ch340, cp2102] = ports;
    expect(ch340).toMatchObject({
      path: '/dev/ttyUSB0',
      vendorId: '1a86',
      productId: '7523',
      usbId: '1a86:7523',
      byId: '/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0',
      driver: 'ch341',
      defaultBaud: 921600,
    });
    expect(ch340!.bridge?.chip).toBe('CH340');
    expect(cp2102!.bridge?.key).toBe('cp210x');
    expect(cp2102!.product).toBe('CP2102 USB to UART Bridge Controller');
    expect(acm!.bridge?.lines).toBe('usb-jtag-serial');
    expect(acm!.defaultBaud).toBe(921600);
    // PortInfo crosses the IPC boundary: it must survive JSON unchanged.
    expect(JSON.parse(JSON.stringify(ports))).toEqual(ports);
  });

  it('merges udev data (SerialPort.list shape): upper-case hex, pnpId; drops udev\u2019s ttyS placeholders', async () => {
    const root = await workbench();
    const udev: UdevPort[] = [
      { path: '/dev/ttyS0' },
      { path: '/dev/ttyS1' },
      {
        path: '/dev/ttyUSB0',
        manufacturer: 'QinHeng Electronics',
        vendorId: '1A86',
        productId: '7523',
        pnpId: 'usb-1a86_USB_Serial-if00-port0',
      },
      {
        path: '/dev/ttyUSB1',
        manufacturer: 'Silicon Labs',
        serialNumber: '0001',
        vendorId: '10c4',
        productId: 'ea60',
      },
    ];
    const ports = await listPorts({ root, udevList: async () => udev });
    expect(ports.map((p) => p.path)).toEqual(['/dev/ttyACM0', '/dev/ttyUSB0', '/dev/ttyUSB1']);
    expect(ports[1]).toMatchObject({
      manufacturer: 'QinHeng Electronics',
      vendorId: '1a86',
      driver: 'ch341',
      product: 'USB Serial',
    });
  });

  it('with udevadm absent (real spawn failure), falls back to the sysfs walk and says so', async () => {
    const root = await workbench();
    const emptyBin = await fsp.mkdtemp(path.join(os.tmpdir(), 'kiln-nobin-'));
    roots.push(emptyBin);
    const logs: string[] = [];
    const savedPath = process.env.PATH;
    process.env.PATH = emptyBin; // SerialPort.list() spawns `udevadm` through PATH
    let ports;
    try {
      ports = await listPorts({ root, udevList: () => SerialPort.list(), log: (m) => logs.push(m) });
    } finally {
      process.env.PATH = savedPath;
    }
    expect(logs.join('\n')).toMatch(/udevadm listing failed \(.*ENOENT.*\); using the sysfs walk/);
    expect(ports.map((p) => [p.path, p.bridge?.key, p.driver])).toEqual([
      ['/dev/ttyACM0', 'esp-usb-jtag-serial', 'cdc_acm'],
      ['/dev/ttyUSB0', 'ch340', 'ch341'],
      ['/dev/ttyUSB1', 'cp210x', 'cp210x'],
    ]);
  });

  it('an unknown adapter still lists, with the conservative unknown-bridge baud', async () => {
    const root = await freshRoot();
    await addUsbTty(root, {
      name: 'ttyUSB3',
      bus: '2-1',
      vendorId: '1234',
      productId: 'abcd',
      driver: 'usbserial_generic',
    });
    const [port] = await listPorts({ root });
    expect(port).toMatchObject({
      path: '/dev/ttyUSB3',
      usbId: '1234:abcd',
      driver: 'usbserial_generic',
      defaultBaud: 460800,
    });
    expect(port!.bridge).toBeUndefined();
  });

  it('a missing or empty root gives an empty list, not an error', async () => {
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'kiln-empty-'));
    roots.push(root);
    expect(await listPorts({ root })).toEqual([]);
  });

  it('describePort (hot-plug path) gives the same record as listPorts for one node', async () => {
    const root = await workbench();
    const listed = (await listPorts({ root })).find((p) => p.path === '/dev/ttyUSB1');
    expect(await describePort('/dev/ttyUSB1', root)).toEqual(listed);
  });

  it('findPort (a named port, no listing) gives the listed record, and nothing for a placeholder or a missing node', async () => {
    const root = await workbench();
    const listed = await listPorts({ root });
    expect(await findPort('/dev/ttyUSB0', root)).toEqual(listed.find((p) => p.path === '/dev/ttyUSB0'));
    expect((await findPort('/dev/ttyUSB0', root))?.bridge?.chip).toBe('CH340');
    expect(await findPort('/dev/ttyS0', root)).toBeUndefined(); // no real UART behind it
    expect(await findPort('/dev/ttyUSB7', root)).toBeUndefined();
  });
});
