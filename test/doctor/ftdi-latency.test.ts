/**
 * The doctor's FTDI latency finding, on fixture sysfs trees: an FT232R (ftdi_sio) with the driver's 16 ms timer,
 * as read-only (the usual 0644 root file) and as writable, and the same adapter at 1 ms. Plus Kiln's udev rule
 * checked by `udevadm verify` where this machine's udev has it (systemd ≥ 253).
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { accessReport } from '../../src-main/doctor';
import { KILN_UDEV_RULE } from '../../src-main/doctor/kiln-udev-rule';
import { FixtureTree } from './fixture-tree';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const trees: FixtureTree[] = [];
afterEach(() => trees.splice(0).forEach((t) => t.remove()));

const IF_DIR = '/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0';

/** Debian, user 1000 in dialout, an FT232R on ttyUSB0 whose latency_timer reads `ms` (mode `mode`, root-owned). */
function debianWithFt232r(ms: string, mode = '0644'): FixtureTree {
  const t = new FixtureTree();
  trees.push(t);
  t.file('/etc/passwd', 'root:x:0:0::/root:/bin/sh\nana:x:1000:1000::/home/ana:/bin/sh\n')
    .file('/etc/group', 'root:x:0:\ndialout:x:20:ana\nana:x:1000:\n')
    .identity(1000, 1000, [20, 1000])
    .file('/proc/locks', '')
    .usb({
      id: '1-3',
      vid: '0403',
      pid: '6001',
      product: 'FT232R USB UART',
      interfaces: [{ n: '1.0', driver: 'ftdi_sio', tty: 'ttyUSB0' }],
    })
    .charDevice('/dev/ttyUSB0', { mode: '0660', uid: 0, gid: 20, rdev: [188, 0], ino: 4321 })
    .file(`${IF_DIR}/ttyUSB0/latency_timer`, `${ms}\n`)
    .declare(`${IF_DIR}/ttyUSB0/latency_timer`, { type: 'file', mode, uid: 0, gid: 0 })
    .symlink(
      '/sys/bus/usb-serial/devices/ttyUSB0',
      `../../../devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/ttyUSB0`,
    );
  t.process(1, { comm: 'systemd', uid: 0, denyFds: true });
  return t;
}

async function latencyFindings(t: FixtureTree) {
  const r = await accessReport({ root: t.root, port: '/dev/ttyUSB0' });
  expect(r.ports[0]!.usb).toEqual({
    vid: '0403',
    pid: '6001',
    bridge: expect.stringContaining('FT232R'),
    driver: 'ftdi_sio',
  });
  return r.ports[0]!.findings.filter((f) => f.id === 'ftdi-latency-high');
}

describe('FTDI latency timer', () => {
  it('16 ms, not writable by this user: the cost on 1 MiB and the udev rule as the fix', async () => {
    const [f, ...more] = await latencyFindings(debianWithFt232r('16'));
    expect(more).toEqual([]);
    expect(f!.severity).toBe('info');
    expect(f!.title).toBe('The FTDI adapter holds each reply for up to 16 ms');
    expect(f!.explanation).toContain('about 1.4 s more on a 1 MiB flash than at 1 ms');
    expect(f!.evidence).toEqual([
      '/sys/bus/usb-serial/devices/ttyUSB0/latency_timer: 16 (not writable by this user)',
    ]);
    expect(f!.fixes.map((x) => x.id)).toEqual(['ftdi-low-latency']);
    expect(f!.fixes[0]!.preview?.content).toContain(
      'SUBSYSTEM=="usb-serial", DRIVER=="ftdi_sio", ATTR{latency_timer}="1"',
    );
    expect(f!.fixes[0]!.steps.at(-1)!.argv).toEqual([
      'pkexec',
      'udevadm',
      'trigger',
      '--subsystem-match=tty',
      '--subsystem-match=usb-serial',
      '--action=change',
    ]);
  });

  it('16 ms but writable by this user: Kiln lowers it itself, no fix to run', async () => {
    const [f] = await latencyFindings(debianWithFt232r('16', '0666'));
    expect(f!.explanation).toContain('Kiln lowers it to 1 ms by itself while it uses the port.');
    expect(f!.fixes).toEqual([]);
  });

  it('1 ms: nothing to say', async () => {
    expect(await latencyFindings(debianWithFt232r('1'))).toEqual([]);
  });
});

const hasVerify = spawnSync('udevadm', ['verify', '--help']).status === 0;

describe("Kiln's udev rule", () => {
  it.skipIf(!hasVerify)('passes udevadm verify (systemd >= 253)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-udev-'));
    const file = path.join(dir, '60-kiln.rules');
    writeFileSync(file, KILN_UDEV_RULE);
    const r = spawnSync('udevadm', ['verify', '--resolve-names=never', file], { encoding: 'utf8' });
    expect(r.stderr + r.stdout).not.toMatch(/error|invalid/i);
    expect(r.status).toBe(0);
  });

  it('sets the FTDI timer on the usb-serial device before the tty-only part of the rule', () => {
    const lines = KILN_UDEV_RULE.split('\n');
    const latency = lines.indexOf('SUBSYSTEM=="usb-serial", DRIVER=="ftdi_sio", ATTR{latency_timer}="1"');
    expect(latency).toBeGreaterThan(lines.indexOf('ACTION=="remove", GOTO="kiln_end"'));
    expect(latency).toBeLessThan(lines.indexOf('SUBSYSTEM!="tty", GOTO="kiln_end"'));
  });
});
