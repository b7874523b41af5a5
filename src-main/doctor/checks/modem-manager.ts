/**
 * ModemManager sends AT commands to new serial ports unless udev marks them ID_MM_DEVICE_IGNORE; those bytes
 * land in the bootloader. Read from the udev database (/run/udev/data/c<major>:<minor>) without root.
 */
import type { AccessCheck } from '../access-context';
import { FIXES } from '../fixes';
import { findByComm } from '../processes';

export const modemManagerCheck: AccessCheck = {
  id: 'modemmanager',
  scope: 'port',
  async run(ctx, port) {
    if (!port?.stat) return [];
    const mm = findByComm(ctx.processes, ['ModemManager']);
    if (mm.length === 0) return [];
    const dbPath = `/run/udev/data/c${port.stat.rdev.major}:${port.stat.rdev.minor}`;
    const db = await ctx.view.readText(dbPath);
    const ignored = db !== undefined && /^E:ID_MM_(DEVICE|PORT)_IGNORE=1$/m.test(db);
    const evidence = [
      `running: ModemManager (PID ${mm[0]!.pid})`,
      db === undefined
        ? `${dbPath}: no udev database entry`
        : `${dbPath}: ${ignored ? 'ID_MM_DEVICE_IGNORE=1' : 'no ID_MM_DEVICE_IGNORE'}`,
    ];
    if (ignored) {
      return [
        {
          id: 'modemmanager-ignores-port',
          severity: 'ok',
          title: 'ModemManager is told to leave this port alone',
          explanation: 'udev marks the port ID_MM_DEVICE_IGNORE.',
          evidence,
          fixes: [],
        },
      ];
    }
    // Since 1.7.990 the default strict policy probes only CDC-ACM ports that declare AT commands (protocol 01).
    let probes = true;
    if (port.ttyName.startsWith('ttyACM')) {
      const proto = (
        await ctx.view.readText(`/sys/class/tty/${port.ttyName}/device/bInterfaceProtocol`)
      )?.trim();
      if (proto !== undefined) {
        evidence.push(`/sys/class/tty/${port.ttyName}/device/bInterfaceProtocol: ${proto}`);
        probes = proto === '01';
      }
    } else probes = false;
    return [
      {
        id: 'modemmanager-may-probe',
        severity: probes ? 'warn' : 'info',
        title: probes
          ? 'ModemManager will probe this port after plug-in'
          : 'ModemManager is running and not told to ignore this port',
        explanation: probes
          ? 'For a few seconds after plug-in ModemManager sends AT commands to the port; the bootloader sees junk and the first connection attempts fail.'
          : 'Its default (strict) policy usually skips plain USB-serial adapters, but older versions and other policies probe them. Kiln\u2019s udev rule marks adapters to be ignored.',
        evidence,
        fixes: [FIXES.modemManagerIgnore()],
      },
    ];
  },
};
