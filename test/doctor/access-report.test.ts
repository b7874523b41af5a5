import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { accessReport, allFindings, type AccessReport } from '../../src-main/doctor/access-report';
import type { Finding } from '../../src-main/doctor/findings';
import { sharedDir } from '../helpers/shared';
import { debianWithCh340, FixtureTree, PASSWD } from './fixture-tree';

const trees: FixtureTree[] = [];
afterEach(() => {
  while (trees.length) trees.pop()!.remove();
});
function keep<T extends FixtureTree>(t: T): T {
  trees.push(t);
  return t;
}

/** Text of a real-world capture after its `# source:` line. */
function capture(name: string): string {
  const text = readFileSync(path.join(sharedDir(), 'fixtures', 'real-world', name), 'utf8');
  return text.slice(text.indexOf('\n') + 1);
}

function find(report: AccessReport, id: string): Finding {
  const f = allFindings(report).find((x) => x.id === id);
  if (!f)
    throw new Error(
      `no finding ${id}; got ${allFindings(report)
        .map((x) => x.id)
        .join(', ')}`,
    );
  return f;
}
function ids(report: AccessReport): string[] {
  return allFindings(report).map((f) => f.id);
}

describe('device node', () => {
  it('reports a missing node', async () => {
    const t = keep(debianWithCh340());
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB1' });
    expect(r.ports[0]!.present).toBe(false);
    expect(find(r, 'port-missing').severity).toBe('error');
  });

  it('says read/write is allowed through the group in this login', async () => {
    const t = keep(
      debianWithCh340({
        groupFile: 'root:x:0:\ndialout:x:20:stephane\nstephane:x:1000:\n',
        processGroups: [20, 1000],
      }),
    );
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
    const f = find(r, 'port-access');
    expect(f.severity).toBe('ok');
    expect(f.explanation).toContain('dialout');
    expect(f.evidence[0]).toBe('crw-rw---- root:dialout /dev/ttyUSB0');
    expect(r.ports[0]!.usb).toEqual({ vid: '1a86', pid: '7523', bridge: 'CH340', driver: 'ch341' });
  });

  it('recognises access granted by a uaccess ACL', async () => {
    const t = keep(debianWithCh340());
    t.declare('/dev/ttyUSB0', {
      type: 'char',
      mode: '0660',
      uid: 0,
      gid: 20,
      rdev: [188, 0],
      ino: 1234,
      acl: { users: { '1000': 'rw' }, mask: 'rw' },
    });
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
    expect(find(r, 'port-access').explanation).toContain('access-control list');
  });
});

describe('permissions and groups', () => {
  it('not in dialout: names the group from the node and offers usermod and the udev rule', async () => {
    const t = keep(debianWithCh340());
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
    const f = find(r, 'port-permission');
    expect(f.severity).toBe('error');
    expect(f.title).toContain('dialout');
    expect(f.evidence).toContain('crw-rw---- root:dialout /dev/ttyUSB0');
    expect(f.fixes.map((x) => x.id)).toEqual(['add-user-to-group', 'install-udev-rule']);
    expect(f.fixes[0]!.argv).toEqual(['pkexec', 'usermod', '-aG', 'dialout', 'stephane']);
    expect(f.fixes[0]!.manual).toEqual(['sudo usermod -aG dialout stephane']);
    expect(r.fixes.map((x) => x.id)).toContain('add-user-to-group');
  });

  it('uucp group on Arch (everythingpresence28 capture): the group comes from the node, never hard-coded', async () => {
    const text = capture('linux_ch340_attach_lsusb_ls_uucp_arch_everythingpresence28.txt');
    const ls = text.match(/^(c[rwx-]{9}) \d+ (\w+) (\w+) (\d+), (\d+) .* (\/dev\/\S+)$/m)!;
    const usb = text.match(/ID ([0-9a-f]{4}):([0-9a-f]{4})/)!;
    const mode = [...ls[1]!.slice(1)].reduce((m, c, i) => m | (c !== '-' ? 1 << (8 - i) : 0), 0);
    const t = keep(new FixtureTree());
    t.file('/etc/passwd', PASSWD)
      .file('/etc/group', 'root:x:0:\nuucp:x:14:\nwheel:x:998:stephane\nstephane:x:1000:\n')
      .identity(1000, 1000, [998, 1000])
      .file('/proc/locks', '')
      .usb({
        id: '1-1',
        vid: usb[1]!,
        pid: usb[2]!,
        interfaces: [{ n: '1.0', driver: 'ch341', tty: 'ttyUSB0' }],
      })
      .charDevice(ls[6]!, { mode, uid: 0, gid: 14, rdev: [Number(ls[4]), Number(ls[5])], ino: 77 });
    expect(ls[3]).toBe('uucp');
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
    const f = find(r, 'port-permission');
    expect(f.title).toContain('uucp');
    expect(f.evidence[0]).toBe('crw-rw---- root:uucp /dev/ttyUSB0');
    expect(f.fixes[0]!.argv).toEqual(['pkexec', 'usermod', '-aG', 'uucp', 'stephane']);
  });

  it('added to dialout but not in this login (rtkbase88 capture): the honest advice, no usermod', async () => {
    const text = capture('linux_groups_dialout_not_in_session_rtkbase88.txt');
    const db = text
      .match(/^stephane : (.*)$/m)![1]!
      .trim()
      .split(/\s+/);
    const session = text.trim().split('\n').pop()!.trim().split(/\s+/);
    expect(db).toContain('dialout');
    expect(session).not.toContain('dialout');
    const names = [...new Set([...db, ...session])];
    const gid = (n: string): number =>
      n === 'stephane' ? 1000 : n === 'dialout' ? 20 : 100 + names.indexOf(n);
    const groupFile =
      names
        .map((n) => `${n}:x:${gid(n)}:${n === 'stephane' ? '' : db.includes(n) ? 'stephane' : ''}`)
        .join('\n') + '\nroot:x:0:\n';
    const t = keep(debianWithCh340({ groupFile, processGroups: session.map(gid) }));
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
    const f = find(r, 'group-not-active');
    expect(f.severity).toBe('error');
    expect(f.explanation).toMatch(/reboot/i);
    expect(f.explanation).toContain('systemd --user');
    expect(f.fixes.map((x) => x.id)).toEqual(['relogin', 'install-udev-rule']);
    expect(ids(r)).not.toContain('port-permission');
    expect(r.databaseGroups).toContain('dialout');
    expect(r.processGroups).not.toContain('dialout');
  });

  it('a node only root can open: offers the udev rule, not a group', async () => {
    const t = keep(debianWithCh340());
    t.charDevice('/dev/ttyUSB0', { mode: '0600', uid: 0, gid: 0, rdev: [188, 0], ino: 1234 });
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
    expect(find(r, 'port-permission').fixes.map((x) => x.id)).toEqual(['install-udev-rule']);
  });
});

describe('udev rules', () => {
  it('no rule names the adapter while access is denied: warns and offers Kiln\u2019s rule', async () => {
    const t = keep(debianWithCh340());
    t.file(
      '/usr/lib/udev/rules.d/50-udev-default.rules',
      'KERNEL=="tty[A-Z]*[0-9]|ttymxc[0-9]*", GROUP="dialout"\n',
    );
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
    expect(find(r, 'udev-no-rule').severity).toBe('warn');
  });

  it('finds a PlatformIO-style rule and a uaccess rule covering 1a86:7523', async () => {
    const t = keep(debianWithCh340({ groupFile: 'dialout:x:20:stephane\n', processGroups: [20] }));
    t.file(
      '/etc/udev/rules.d/99-platformio-udev.rules',
      '# CH340\nATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", MODE:="0666", ENV{ID_MM_DEVICE_IGNORE}="1"\n',
    );
    t.file(
      '/etc/udev/rules.d/60-other.rules',
      'ATTRS{idVendor}=="10c4", ATTRS{idProduct}=="ea[67][013]", TAG+="uaccess"\n',
    );
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
    const f = find(r, 'udev-rule-present');
    expect(f.evidence).toEqual([
      '/etc/udev/rules.d/99-platformio-udev.rules:2: ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", MODE:="0666", ENV{ID_MM_DEVICE_IGNORE}="1"',
    ]);
  });
});

describe('brltty (udev_brltty64 capture)', () => {
  function brlttyTree(): FixtureTree {
    const t = keep(new FixtureTree());
    t.file('/etc/passwd', PASSWD)
      .file('/etc/group', 'dialout:x:20:stephane\n')
      .identity(1000, 1000, [20])
      .file('/proc/locks', '')
      .file('/usr/lib/udev/rules.d/85-brltty.rules', capture('udev_brltty64_rules_ch340_cp210x.txt'))
      // The adapter is on USB but brltty took its interface (usbfs), so there is no ttyUSB0.
      .usb({
        id: '5-3',
        vid: '1a86',
        pid: '7523',
        product: 'USB Serial',
        interfaces: [{ n: '1.0', driver: 'usbfs' }],
      });
    t.process(812, { comm: 'brltty', uid: 0, denyFds: true });
    return t;
  }

  it('port vanished after plug-in with brltty running: names the rule line and offers the mask', async () => {
    const t = brlttyTree();
    const r = await accessReport({
      root: t.root,
      port: '/dev/ttyUSB0',
      recentlyRemoved: { path: '/dev/ttyUSB0', vid: '1a86', pid: '7523' },
    });
    const f = find(r, 'brltty-claims-device');
    expect(f.severity).toBe('error');
    expect(f.evidence).toContain(
      '/usr/lib/udev/rules.d/85-brltty.rules:18: ENV{PRODUCT}=="1a86/7523/*", ENV{BRLTTY_BRAILLE_DRIVER}="bm", GOTO="brltty_usb_run"',
    );
    expect(f.evidence).toContain('running: brltty (PID 812)');
    const fix = f.fixes[0]!;
    expect(fix.id).toBe('mask-brltty');
    expect(fix.argv).toEqual(['pkexec', 'ln', '-sf', '/dev/null', '/etc/udev/rules.d/85-brltty.rules']);
    expect(fix.warning).toMatch(/braille/);
    expect(ids(r)).toContain('port-missing');
    // The interface bound to usbfs is brltty's doing, not a missing driver.
    expect(ids(r)).not.toContain('usb-bridge-no-driver');
  });

  it.each(['dmesg_ch340_brltty_steal_ratgdo193.txt', 'dmesg_cp2104_brltty_steal_ubuntu2204_m5stack95.txt'])(
    'kernel log %s: the vanished port and its VID:PID (the hot-plug hint) give the brltty case',
    async (name) => {
      const log = capture(name);
      const id = log.match(/idVendor=([0-9a-f]{4}), idProduct=([0-9a-f]{4})/)!;
      const gone = log.match(/now disconnected from (ttyUSB\d+)/)!;
      expect(log).toMatch(/usbfs: interface 0 claimed by \w+ while 'brltty' sets config/);
      const t = brlttyTree();
      if (id[1] !== '1a86')
        t.usb({ id: '3-1', vid: id[1]!, pid: id[2]!, interfaces: [{ n: '1.0', driver: 'usbfs' }] });
      const port = `/dev/${gone[1]}`;
      const r = await accessReport({
        root: t.root,
        port,
        recentlyRemoved: { path: port, vid: id[1]!, pid: id[2]! },
      });
      const titles = r.ports[0]!.findings.filter((f) => f.id === 'brltty-claims-device').map((f) => f.title);
      expect(titles).toContain(`brltty is taking the ${id[1]}:${id[2]} adapter away`);
      expect(r.ports[0]!.findings.find((f) => f.id === 'port-missing')!.explanation).toMatch(/vanished/);
    },
  );

  it('the CP210x rule matches 10c4:ea60 too (system view, no port given)', async () => {
    const t = brlttyTree();
    t.usb({
      id: '3-1',
      vid: '10c4',
      pid: 'ea60',
      product: 'CP2104 USB to UART Bridge Controller',
      interfaces: [{ n: '1.0', driver: 'usbfs' }],
    });
    const r = await accessReport({ root: t.root });
    const found = r.system.filter((f) => f.id === 'brltty-claims-device').map((f) => f.title);
    expect(found).toEqual([
      'brltty is taking the 10c4:ea60 adapter away',
      'brltty is taking the 1a86:7523 adapter away',
    ]);
  });

  it('a rule masked by /etc/udev/rules.d/85-brltty.rules -> /dev/null is not reported', async () => {
    const t = brlttyTree();
    t.symlink('/etc/udev/rules.d/85-brltty.rules', '/dev/null');
    const r = await accessReport({
      root: t.root,
      port: '/dev/ttyUSB0',
      recentlyRemoved: { vid: '1a86', pid: '7523' },
    });
    expect(ids(r).filter((i) => i.startsWith('brltty'))).toEqual([]);
  });

  it('an FTDI adapter is not matched by these rules', async () => {
    const t = brlttyTree();
    const r = await accessReport({
      root: t.root,
      port: '/dev/ttyUSB0',
      recentlyRemoved: { vid: '0403', pid: '6015' },
    });
    expect(ids(r).filter((i) => i.startsWith('brltty') && i !== 'brltty-claims-device')).toEqual([]);
    expect(
      allFindings(r)
        .filter((f) => f.id === 'brltty-claims-device')
        .map((f) => f.title),
    ).toEqual(['brltty is taking the 1a86:7523 adapter away']);
  });
});

describe('ModemManager', () => {
  function acmTree(db: string | undefined): FixtureTree {
    const t = keep(new FixtureTree());
    t.file('/etc/passwd', PASSWD)
      .file('/etc/group', 'dialout:x:20:stephane\n')
      .identity(1000, 1000, [20])
      .file('/proc/locks', '')
      .usb({
        id: '1-4',
        vid: '303a',
        pid: '1001',
        interfaces: [{ n: '1.0', driver: 'cdc_acm', tty: 'ttyACM0' }],
      })
      .charDevice('/dev/ttyACM0', { mode: '0660', uid: 0, gid: 20, rdev: [166, 0], ino: 99 })
      .file('/sys/devices/pci0000:00/0000:00:14.0/usb1/1-4/1-4:1.0/bInterfaceProtocol', '01\n');
    if (db !== undefined) t.file('/run/udev/data/c166:0', db);
    t.process(640, { comm: 'ModemManager', uid: 0, denyFds: true });
    return t;
  }

  it('running and not told to ignore an AT-capable ttyACM: warns and offers the rule', async () => {
    const t = acmTree('E:ID_VENDOR_ID=303a\nE:ID_MODEL_ID=1001\n');
    const r = await accessReport({ root: t.root, port: '/dev/ttyACM0' });
    const f = find(r, 'modemmanager-may-probe');
    expect(f.severity).toBe('warn');
    expect(f.evidence).toContain('/run/udev/data/c166:0: no ID_MM_DEVICE_IGNORE');
    expect(f.fixes[0]!.id).toBe('modemmanager-ignore');
    expect(f.fixes[0]!.preview!.content).toContain('ENV{ID_MM_DEVICE_IGNORE}="1"');
  });

  it('ID_MM_DEVICE_IGNORE=1 in the udev database: fine', async () => {
    const t = acmTree('E:ID_MM_DEVICE_IGNORE=1\n');
    const r = await accessReport({ root: t.root, port: '/dev/ttyACM0' });
    expect(find(r, 'modemmanager-ignores-port').severity).toBe('ok');
  });
});

describe('port held by another process', () => {
  it('our own screen session: named with PID, offered SIGTERM without root', async () => {
    const t = keep(debianWithCh340({ groupFile: 'dialout:x:20:stephane\n', processGroups: [20] }));
    t.process(4242, { comm: 'screen', uid: 1000, fds: { '0': '/dev/pts/1', '5': '/dev/ttyUSB0' } });
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
    const f = find(r, 'port-held');
    expect(f.title).toBe('screen (PID 4242) has /dev/ttyUSB0 open');
    expect(f.fixes[0]!.argv).toEqual(['kill', '-TERM', '4242']);
    expect(f.fixes[0]!.needsRoot).toBe(false);
  });

  it('a root process found only through /proc/locks (fd directory unreadable): PID only, no kill offered', async () => {
    const t = keep(debianWithCh340({ groupFile: 'dialout:x:20:stephane\n', processGroups: [20] }));
    t.process(777, { comm: 'gpsd', uid: 0, fds: { '3': '/dev/ttyUSB0' }, denyFds: true });
    t.file(
      '/proc/locks',
      '1: POSIX  ADVISORY  WRITE 555 00:19:4242 0 EOF\n2: FLOCK  ADVISORY  WRITE 777 00:05:1234 0 EOF\n3: -> FLOCK  ADVISORY  WRITE 999 00:05:1234 0 EOF\n',
    );
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
    const held = allFindings(r).filter((f) => f.id === 'port-held');
    // Another user's command line is theirs: the PID is shown, the name is not.
    expect(held.map((f) => f.title)).toEqual(["another user's process (PID 777) has /dev/ttyUSB0 open"]);
    expect(held[0]!.evidence).toContain('/proc/locks: flock by PID 777 on 0:5:1234');
    expect(held[0]!.fixes).toEqual([]);
  });

  it('busy with no visible holder: "held by another user or root"', async () => {
    const t = keep(debianWithCh340({ groupFile: 'dialout:x:20:stephane\n', processGroups: [20] }));
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0', openErrorCode: 'EBUSY' });
    expect(find(r, 'port-held-unknown').title).toContain('another user or root');
  });

  it('stale UUCP lock file: PID not running', async () => {
    const t = keep(debianWithCh340({ groupFile: 'dialout:x:20:stephane\n', processGroups: [20] }));
    t.file('/run/lock/LCK..ttyUSB0', '      9999\n').declare('/run/lock/LCK..ttyUSB0', {
      type: 'file',
      mode: '0644',
      uid: 1000,
      gid: 1000,
    });
    t.symlink('/var/lock', '../run/lock');
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
    const f = find(r, 'uucp-lock-stale');
    expect(f.evidence).toEqual(['/run/lock/LCK..ttyUSB0: PID 9999, not running']);
    expect(f.fixes[0]!.argv).toEqual(['rm', '-f', '/run/lock/LCK..ttyUSB0']);
    expect(allFindings(r).filter((x) => x.id.startsWith('uucp-lock'))).toHaveLength(1);
  });

  it('UUCP lock of a live process', async () => {
    const t = keep(debianWithCh340({ groupFile: 'dialout:x:20:stephane\n', processGroups: [20] }));
    t.process(3131, { comm: 'minicom', uid: 1000 });
    t.file('/run/lock/LCK..ttyUSB0', '      3131\n');
    const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
    expect(find(r, 'uucp-lock-held').title).toBe('ttyUSB0 is locked by minicom (PID 3131)');
  });
});

describe('environments', () => {
  it('snap confinement', async () => {
    const t = keep(debianWithCh340());
    const r = await accessReport({ root: t.root, env: { SNAP: '/snap/kiln/12', SNAP_NAME: 'kiln' } });
    expect(find(r, 'snap-confinement').fixes[0]!.manual).toEqual(['sudo snap connect kiln:raw-usb']);
  });

  it('flatpak without device access', async () => {
    const t = keep(debianWithCh340());
    t.file(
      '/.flatpak-info',
      '[Application]\nname=dev.kiln.Kiln\n\n[Context]\nshared=network;ipc;\ndevices=dri;\n',
    );
    const r = await accessReport({ root: t.root });
    expect(find(r, 'flatpak-no-devices').fixes[0]!.manual).toEqual([
      'flatpak override --user --device=all dev.kiln.Kiln',
    ]);
  });

  it('WSL without USB pass-through', async () => {
    const t = keep(new FixtureTree());
    t.file('/etc/passwd', PASSWD)
      .file('/etc/group', '')
      .identity(1000, 1000, [])
      .file('/proc/sys/kernel/osrelease', '5.15.167.4-microsoft-standard-WSL2\n');
    t.charDevice('/dev/ttyS0', { mode: '0660', uid: 0, gid: 20, rdev: [4, 64] });
    const r = await accessReport({ root: t.root, env: { WSL_DISTRO_NAME: 'Ubuntu' } });
    const f = find(r, 'wsl-no-usb');
    expect(f.fixes[0]!.manual.join('\n')).toContain('usbipd attach --wsl --busid');
    expect(r.ports).toEqual([]);
  });

  it('a known bridge with no driver bound', async () => {
    const t = keep(new FixtureTree());
    t.file('/etc/passwd', PASSWD).file('/etc/group', '').identity(1000, 1000, []);
    t.usb({
      id: '2-1',
      vid: '10c4',
      pid: 'ea60',
      product: 'CP2102 USB to UART Bridge Controller',
      interfaces: [{ n: '1.0' }],
    });
    const r = await accessReport({ root: t.root });
    const f = find(r, 'usb-bridge-no-driver');
    expect(f.title).toContain('CP210x');
    expect(f.fixes[0]!.argv).toEqual(['pkexec', 'modprobe', 'cp210x']);
  });

  it('no pkexec on PATH is itself reported', async () => {
    const t = keep(debianWithCh340());
    const r = await accessReport({ root: t.root, env: { PATH: '/usr/bin' } });
    expect(find(r, 'pkexec-missing').severity).toBe('info');
    t.file('/usr/bin/pkexec', '').declare('/usr/bin/pkexec', { type: 'file', mode: '4755', uid: 0, gid: 0 });
    const r2 = await accessReport({ root: t.root, env: { PATH: '/usr/bin' } });
    expect(find(r2, 'polkit-no-agent').severity).toBe('info');
    t.process(2100, { comm: 'polkit-gnome-au', uid: 1000 });
    const r3 = await accessReport({ root: t.root, env: { PATH: '/usr/bin' } });
    expect(ids(r3).filter((i) => i.includes('polkit') || i.includes('pkexec'))).toEqual([]);
  });

  it('without a port, every ttyUSB/ttyACM node is examined', async () => {
    const t = keep(debianWithCh340());
    t.charDevice('/dev/ttyACM3', { mode: '0660', uid: 0, gid: 20, rdev: [166, 3] });
    const r = await accessReport({ root: t.root });
    expect(r.ports.map((p) => p.path)).toEqual(['/dev/ttyACM3', '/dev/ttyUSB0']);
    expect(r.worst).toBe('error');
  });
});

describe('findPortHolders', () => {
  it('follows /dev/serial/by-id links and reads hex device numbers in /proc/locks', async () => {
    const { findPortHolders } = await import('../../src-main/doctor/port-holders');
    const { parseProcLocks } = await import('../../src-main/doctor/processes');
    const t = keep(debianWithCh340());
    t.declare('/dev/ttyUSB0', {
      type: 'char',
      mode: '0660',
      uid: 0,
      gid: 20,
      rdev: [188, 0],
      dev: [0, 26],
      ino: 1234,
    });
    t.symlink('/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0', '../../ttyUSB0');
    t.process(5150, { comm: 'esptool.py', uid: 1001, denyFds: true });
    t.process(5151, { comm: 'cat', uid: 1000, fds: { '3': '/dev/ttyUSB0' } });
    t.file(
      '/proc/locks',
      '7: FLOCK  ADVISORY  WRITE 5150 00:1a:1234 0 EOF\n8: FLOCK  ADVISORY  WRITE 6000 00:05:1234 0 EOF\n',
    );
    expect(parseProcLocks('7: FLOCK  ADVISORY  WRITE 5150 00:1a:1234 0 EOF\n')[0]!.dev).toEqual({
      major: 0,
      minor: 26,
    });
    const r = await findPortHolders('/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0', { root: t.root });
    expect(r.node).toBe('/dev/ttyUSB0');
    expect(r.holders).toEqual([
      { pid: 5150, comm: 'esptool.py', uid: 1001, startTime: '1000', via: ['flock'] },
      { pid: 5151, comm: 'cat', uid: 1000, startTime: '1000', via: ['fd'] },
    ]);
    expect(r.uninspectedPids).toEqual([1, 5150]);
  });
});
