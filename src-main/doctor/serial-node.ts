/**
 * Is a device node a serial port? The doctor examines nothing else: its fixes (a group change, stopping a
 * process) are only safe for serial ports, and a page may name any path. A serial port here is a character
 * device that the kernel's tty layer drives for a serial driver — it has `/sys/class/tty/NAME/device`
 * (ttyUSB, ttyACM, ttyS, ttyAMA...; virtual consoles and /dev/tty have no `device`) — or a pseudo-terminal
 * (devpts, majors 136-143), which is how simulated and bridged boards (socat, `kiln sim --pty`) appear.
 * /dev/zero, /dev/sg*, /dev/loop-control, /dev/kvm and /dev/input/* are none of these.
 */
import path from 'node:path';
import type { NodeStat, SystemView } from './system-view';

/** Unix98 pty slaves: major 136 to 143 (Documentation/admin-guide/devices.txt). */
const PTY_SLAVE_MAJORS = { first: 136, last: 143 };

export async function isSerialPortNode(view: SystemView, node: string, stat: NodeStat): Promise<boolean> {
  if (stat.type !== 'char') return false;
  if (stat.rdev.major >= PTY_SLAVE_MAJORS.first && stat.rdev.major <= PTY_SLAVE_MAJORS.last) return true;
  const name = path.posix.basename(node);
  if (!/^tty[A-Za-z]+\d+$/.test(name)) return false;
  return (await view.realPath(`/sys/class/tty/${name}/device`)) !== undefined;
}
