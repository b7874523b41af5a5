/**
 * Builds fake system trees for the doctor under a temp dir: /etc/group and /etc/passwd, /proc (self/status,
 * PID/comm|status|fd, locks), /dev nodes (regular files whose type, owner, mode and device numbers are declared
 * in the manifest the SystemView reads), sysfs USB devices with their symlinks, udev rule files.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURE_MANIFEST, type FixtureManifest, type FixtureNode } from '../../src-main/doctor/system-view';

export interface UsbFixture {
  id: string;
  vid: string;
  pid: string;
  product?: string;
  serial?: string;
  interfaces: { n: string; driver?: string; tty?: string }[];
}

export class FixtureTree {
  readonly root: string;
  private readonly manifest: FixtureManifest = { nodes: {}, denied: [] };

  constructor() {
    this.root = mkdtempSync(path.join(os.tmpdir(), 'kiln-doctor-'));
    this.flush();
  }

  private host(p: string): string {
    return path.join(this.root, p);
  }

  dir(p: string): this {
    mkdirSync(this.host(p), { recursive: true });
    return this;
  }

  file(p: string, content: string | Buffer): this {
    this.dir(path.posix.dirname(p));
    writeFileSync(this.host(p), content);
    return this;
  }

  symlink(p: string, target: string): this {
    this.dir(path.posix.dirname(p));
    rmSync(this.host(p), { force: true });
    symlinkSync(target, this.host(p));
    return this;
  }

  declare(p: string, node: FixtureNode): this {
    this.manifest.nodes![p] = node;
    return this.flush();
  }

  deny(p: string): this {
    this.manifest.denied!.push(p);
    return this.flush();
  }

  /** A character device node: an empty file plus its declared stat. */
  charDevice(p: string, node: Omit<FixtureNode, 'type'>): this {
    this.file(p, '');
    return this.declare(p, { type: 'char', dev: [0, 5], ...node });
  }

  /** The identity of the diagnosed process (/proc/self/status). */
  identity(uid: number, gid: number, groups: number[]): this {
    return this.file(
      '/proc/self/status',
      `Name:\tkiln\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${gid}\t${gid}\t${gid}\t${gid}\nGroups:\t${groups.join(' ')} \n`,
    );
  }

  process(
    pid: number,
    p: { comm: string; uid: number; fds?: Record<string, string>; denyFds?: boolean; startTime?: number },
  ): this {
    this.file(`/proc/${pid}/comm`, `${p.comm}\n`);
    // Field 22 of /proc/PID/stat is the start time (clock ticks since boot); the doctor re-checks it.
    this.file(
      `/proc/${pid}/stat`,
      `${pid} (${p.comm}) S 1 ${pid} ${pid} 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 ${p.startTime ?? 1000} 0 0\n`,
    );
    this.file(`/proc/${pid}/status`, `Name:\t${p.comm}\nUid:\t${p.uid}\t${p.uid}\t${p.uid}\t${p.uid}\n`);
    this.dir(`/proc/${pid}/fd`);
    for (const [fd, target] of Object.entries(p.fds ?? {})) this.symlink(`/proc/${pid}/fd/${fd}`, target);
    if (p.denyFds) this.deny(`/proc/${pid}/fd`);
    return this;
  }

  usb(d: UsbFixture): this {
    const devDir = `/sys/devices/pci0000:00/0000:00:14.0/usb1/${d.id}`;
    this.file(`${devDir}/idVendor`, `${d.vid}\n`).file(`${devDir}/idProduct`, `${d.pid}\n`);
    if (d.product) this.file(`${devDir}/product`, `${d.product}\n`);
    if (d.serial) this.file(`${devDir}/serial`, `${d.serial}\n`);
    this.symlink(`/sys/bus/usb/devices/${d.id}`, `../../../devices/pci0000:00/0000:00:14.0/usb1/${d.id}`);
    for (const i of d.interfaces) {
      const name = `${d.id}:${i.n}`;
      const ifDir = `${devDir}/${name}`;
      this.dir(ifDir).symlink(
        `/sys/bus/usb/devices/${name}`,
        `../../../devices/pci0000:00/0000:00:14.0/usb1/${d.id}/${name}`,
      );
      if (i.driver)
        this.dir(`/sys/bus/usb/drivers/${i.driver}`).symlink(
          `${ifDir}/driver`,
          `../../../../../../bus/usb/drivers/${i.driver}`,
        );
      if (i.tty?.startsWith('ttyUSB')) {
        // usb-serial: interface/ttyUSB0 is the port device; its tty class device sits below it.
        this.dir(`${ifDir}/${i.tty}/tty/${i.tty}`).symlink(
          `/sys/class/tty/${i.tty}`,
          `../../devices/pci0000:00/0000:00:14.0/usb1/${d.id}/${name}/${i.tty}/tty/${i.tty}`,
        );
        this.symlink(`${ifDir}/${i.tty}/tty/${i.tty}/device`, '../../../' + i.tty);
      } else if (i.tty) {
        this.dir(`${ifDir}/tty/${i.tty}`).symlink(
          `/sys/class/tty/${i.tty}`,
          `../../devices/pci0000:00/0000:00:14.0/usb1/${d.id}/${name}/tty/${i.tty}`,
        );
        this.symlink(`${ifDir}/tty/${i.tty}/device`, '../../../' + name);
      }
    }
    return this;
  }

  private flush(): this {
    writeFileSync(this.host(FIXTURE_MANIFEST), JSON.stringify(this.manifest, null, 1));
    return this;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export const PASSWD =
  'root:x:0:0:root:/root:/bin/bash\nstephane:x:1000:1000:Stephane:/home/stephane:/bin/bash\n';

/** A Debian-like desktop: user stephane (1000), dialout 20, a CH340 on ttyUSB0 owned root:dialout 0660. */
export function debianWithCh340(opts: { groupFile?: string; processGroups?: number[] } = {}): FixtureTree {
  const t = new FixtureTree();
  t.file('/etc/passwd', PASSWD)
    .file(
      '/etc/group',
      opts.groupFile ?? 'root:x:0:\ntty:x:5:\ndialout:x:20:\nstephane:x:1000:\nplugdev:x:46:stephane\n',
    )
    .identity(1000, 1000, opts.processGroups ?? [46, 1000])
    .file('/proc/locks', '')
    .usb({
      id: '1-2',
      vid: '1a86',
      pid: '7523',
      product: 'USB Serial',
      interfaces: [{ n: '1.0', driver: 'ch341', tty: 'ttyUSB0' }],
    })
    .charDevice('/dev/ttyUSB0', { mode: '0660', uid: 0, gid: 20, rdev: [188, 0], ino: 1234 });
  t.process(1, { comm: 'systemd', uid: 0, denyFds: true });
  return t;
}
