/** A known USB-serial bridge on the bus but no serial port: no driver bound, or a driver but no tty. */
import type { AccessCheck } from '../access-context';
import { FIXES } from '../fixes';
import type { Finding } from '../findings';

export const usbDriverCheck: AccessCheck = {
  id: 'usb-driver',
  scope: 'system',
  async run(ctx) {
    const out: Finding[] = [];
    for (const d of ctx.usb) {
      if (!d.bridge) continue;
      const ttys = d.interfaces.flatMap((i) => i.ttys);
      if (ttys.length > 0) continue;
      const evidence = [
        `/sys/bus/usb/devices/${d.id}: idVendor=${d.vid} idProduct=${d.pid}${d.product ? ` product="${d.product}"` : ''}`,
        ...d.interfaces.map((i) => `${i.name}: driver=${i.driver ?? 'none'}`),
      ];
      const drivers = d.interfaces.map((i) => i.driver).filter((x): x is string => x !== undefined);
      if (drivers.includes('usbfs')) continue; // claimed from user space: the brltty check explains it
      if (drivers.length === 0) {
        out.push({
          id: 'usb-bridge-no-driver',
          severity: 'error',
          title: `${d.bridge} adapter found, but no driver is bound`,
          explanation: `The adapter ${d.vid}:${d.pid} is on USB, but the ${d.expectedDriver} kernel driver did not take it, so no serial port exists. The module may be missing from this kernel (some minimal or cloud kernels ship without USB-serial drivers).`,
          evidence,
          fixes: d.expectedDriver ? [FIXES.loadDriver(d.expectedDriver)] : [],
        });
      } else {
        out.push({
          id: 'usb-bridge-no-tty',
          severity: 'warn',
          title: `${d.bridge} adapter has a driver but no serial port`,
          explanation: `Bound to ${drivers.join(', ')}, expected ${d.expectedDriver}. Another driver or program may have claimed it.`,
          evidence,
          fixes: [],
        });
      }
    }
    return out;
  },
};
