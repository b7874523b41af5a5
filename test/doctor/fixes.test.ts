import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXES, STAGED_FILE } from '../../src-main/doctor/fixes';
import { runFix, type SpawnFn } from '../../src-main/doctor/fix-runner';
import { KILN_UDEV_RULE } from '../../src-main/doctor/kiln-udev-rule';
import { lineMatchesDevice, udevGlob } from '../../src-main/doctor/udev-rules';
import { compareUsbSnapshots, usbSnapshot } from '../../src-main/doctor/usb-devices';
import { createSystemView } from '../../src-main/doctor/system-view';
import { FixtureTree } from './fixture-tree';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function recordingSpawn(
  codes: number[] = [],
  stderr = '',
): { spawn: SpawnFn; calls: string[][]; staged: string[] } {
  const calls: string[][] = [];
  const staged: string[] = [];
  const spawn: SpawnFn = async (argv) => {
    calls.push(argv);
    if (argv[1] === 'install') staged.push(readFileSync(argv[4]!, 'utf8'));
    const code = codes[calls.length - 1] ?? 0;
    return { code, stdout: '', stderr: code ? stderr : '' };
  };
  return { spawn, calls, staged };
}

const privileged = { pkexec: true, agent: true };

describe('fix runner', () => {
  it('runs nothing without an explicit yes', async () => {
    const rec = recordingSpawn();
    const r = await runFix(FIXES.addUserToGroup('dialout', 'stephane'), {
      confirm: async () => false,
      spawn: rec.spawn,
      privilege: privileged,
    });
    expect(r).toEqual({ status: 'declined' });
    expect(rec.calls).toEqual([]);
  });

  it('installs the udev rule: shows the exact plan, writes the staged file, runs install, reload, trigger', async () => {
    const rec = recordingSpawn();
    let shown: string[][] = [];
    const r = await runFix(FIXES.installUdevRule(), {
      confirm: async (plan) => {
        shown = plan.commands;
        expect(plan.preview?.content).toBe(KILN_UDEV_RULE);
        return true;
      },
      spawn: rec.spawn,
      privilege: privileged,
    });
    expect(r.status).toBe('done');
    expect(rec.calls).toEqual(shown);
    expect(rec.calls[0]!.slice(0, 4)).toEqual(['pkexec', 'install', '-m', '0644']);
    expect(rec.calls[0]![4]).not.toBe(STAGED_FILE);
    expect(rec.calls[0]![5]).toBe('/etc/udev/rules.d/60-kiln.rules');
    expect(rec.calls.slice(1)).toEqual([
      ['pkexec', 'udevadm', 'control', '--reload-rules'],
      [
        'pkexec',
        'udevadm',
        'trigger',
        '--subsystem-match=tty',
        '--subsystem-match=usb-serial',
        '--action=change',
      ],
    ]);
    expect(rec.staged).toEqual([KILN_UDEV_RULE]);
  });

  it('missing pkexec: runs nothing, returns the sudo commands', async () => {
    const rec = recordingSpawn();
    const r = await runFix(FIXES.addUserToGroup('uucp', 'stephane'), {
      confirm: async () => true,
      spawn: rec.spawn,
      privilege: { pkexec: false, agent: false },
    });
    expect(r).toEqual({
      status: 'manual',
      reason: 'pkexec-missing',
      manual: ['sudo usermod -aG uucp stephane'],
      steps: [],
    });
    expect(rec.calls).toEqual([]);
  });

  it('no polkit agent (up front, or as pkexec reports it): the manual command', async () => {
    const up = await runFix(FIXES.maskBrltty(), {
      confirm: async () => true,
      spawn: recordingSpawn().spawn,
      privilege: { pkexec: true, agent: false },
    });
    expect(up.status === 'manual' && up.reason).toBe('no-polkit-agent');
    const rec = recordingSpawn(
      [127],
      'Error executing command as another user: No authentication agent found.\n',
    );
    const r = await runFix(FIXES.maskBrltty(), {
      confirm: async () => true,
      spawn: rec.spawn,
      privilege: privileged,
    });
    expect(r.status).toBe('manual');
    if (r.status === 'manual') {
      expect(r.reason).toBe('no-polkit-agent');
      expect(r.manual[0]).toBe('sudo ln -sf /dev/null /etc/udev/rules.d/85-brltty.rules');
    }
    expect(rec.calls).toHaveLength(1);
  });

  it('steps that may fail do not stop the fix; others do', async () => {
    const rec = recordingSpawn([0, 5, 5, 0]);
    const r = await runFix(FIXES.maskBrltty(), {
      confirm: async () => true,
      spawn: rec.spawn,
      privilege: privileged,
    });
    expect(r.status).toBe('done');
    expect(rec.calls.map((c) => c.slice(1, 3))).toEqual([
      ['ln', '-sf'],
      ['systemctl', 'mask'],
      ['systemctl', 'stop'],
      ['udevadm', 'control'],
    ]);
    const rec2 = recordingSpawn([1], 'usermod: group x does not exist');
    const r2 = await runFix(FIXES.addUserToGroup('dialout', 'stephane'), {
      confirm: async () => true,
      spawn: rec2.spawn,
      privilege: privileged,
    });
    expect(r2.status).toBe('failed');
  });

  it('stopping a holder needs no root and no privilege check', async () => {
    const rec = recordingSpawn();
    const r = await runFix(
      FIXES.stopProcess(4242, 'screen', async () => undefined),
      {
        confirm: async () => true,
        spawn: rec.spawn,
        privilege: { pkexec: false, agent: false },
      },
    );
    expect(r.status).toBe('done');
    expect(rec.calls).toEqual([['kill', '-TERM', '4242']]);
  });

  it('a holder that changed between the report and the yes is not signalled', async () => {
    const rec = recordingSpawn();
    const r = await runFix(
      FIXES.stopProcess(4242, 'screen', async () => 'PID 4242 no longer holds /dev/ttyUSB0'),
      { confirm: async () => true, spawn: rec.spawn },
    );
    expect(r).toEqual({ status: 'stale', message: 'PID 4242 no longer holds /dev/ttyUSB0' });
    expect(rec.calls).toEqual([]);
  });

  it('advice-only fixes return their manual text', async () => {
    const r = await runFix(FIXES.relogin('stephane'), { confirm: async () => true });
    expect(r).toEqual({
      status: 'manual',
      reason: 'advice-only',
      manual: ['Reboot the computer', 'or end every session of the user: loginctl terminate-user stephane'],
      steps: [],
    });
  });

  it('refuses names that could smuggle options or shell syntax', () => {
    expect(() => FIXES.addUserToGroup('dialout', '-o; rm -rf /')).toThrow(/unusual user/);
    expect(() => FIXES.addUserToGroup('$(id)', 'bob')).toThrow(/unusual group/);
  });
});

describe("Kiln's udev rule", () => {
  it('assets/udev/60-kiln.rules is the rule the fix installs', () => {
    expect(readFileSync(path.join(repo, 'assets', 'udev', '60-kiln.rules'), 'utf8')).toBe(KILN_UDEV_RULE);
  });

  it('covers CP210x, CH340, CH9102, FTDI, PL2303 and Espressif, with uaccess and ModemManager ignore', () => {
    const lines = KILN_UDEV_RULE.split('\n').filter((l) => l.startsWith('ATTRS'));
    for (const [vid, pid] of [
      ['10c4', 'ea60'],
      ['1a86', '7523'],
      ['1a86', '55d4'],
      ['0403', '6001'],
      ['0403', '6015'],
      ['067b', '2303'],
      ['303a', '1001'],
      ['303a', '0002'],
    ]) {
      const hit = lines.filter((l) => lineMatchesDevice(l, vid!, pid!));
      expect(hit, `${vid}:${pid}`).toHaveLength(1);
      expect(hit[0]).toContain('TAG+="uaccess"');
      expect(hit[0]).toContain('ENV{ID_MM_DEVICE_IGNORE}="1"');
      expect(hit[0]).toContain('ENV{ID_MM_PORT_IGNORE}="1"');
    }
    expect(lines.some((l) => lineMatchesDevice(l, '046d', 'c52b'))).toBe(false);
    expect('60-kiln.rules' < '73-seat-late.rules').toBe(true);
  });

  it('udev globs: alternatives, classes, stars', () => {
    expect(udevGlob('ea[67][013]').test('ea60')).toBe(true);
    expect(udevGlob('ea[67][013]').test('ea62')).toBe(false);
    expect(udevGlob('7523|55d4').test('55d4')).toBe(true);
    expect(lineMatchesDevice('ENV{PRODUCT}=="403/6001/*", GOTO="x"', '0403', '6001')).toBe(true);
    expect(lineMatchesDevice('ENV{PRODUCT}=="403/6001/*", GOTO="x"', '0403', '6015')).toBe(false);
  });
});

describe('USB snapshots before and after plug-in', () => {
  const trees: FixtureTree[] = [];
  afterEach(() => trees.splice(0).forEach((t) => t.remove()));

  it('nothing new: the charge-only cable case; a new CH340 with a tty: fine', async () => {
    const t = new FixtureTree();
    trees.push(t);
    t.usb({
      id: '1-1',
      vid: '046d',
      pid: 'c52b',
      product: 'USB Receiver',
      interfaces: [{ n: '1.0', driver: 'usbhid' }],
    });
    const view = createSystemView({ root: t.root });
    const before = await usbSnapshot(view);
    const same = compareUsbSnapshots(before, await usbSnapshot(view));
    expect(same.finding.id).toBe('usb-nothing-enumerated');
    expect(same.finding.severity).toBe('error');
    expect(same.finding.explanation).toMatch(/charge-only cable/);

    t.usb({
      id: '1-2',
      vid: '1a86',
      pid: '7523',
      interfaces: [{ n: '1.0', driver: 'ch341', tty: 'ttyUSB0' }],
    });
    const after = compareUsbSnapshots(before, await usbSnapshot(view));
    expect(after.added.map((d) => d.id)).toEqual(['1-2']);
    expect(after.finding.id).toBe('usb-enumerated');
    expect(after.finding.title).toBe('New serial port: ttyUSB0');
  });

  it('a new bridge without a tty, and an unknown device', async () => {
    const t = new FixtureTree();
    trees.push(t);
    const view = createSystemView({ root: t.root });
    const before = await usbSnapshot(view);
    t.usb({ id: '1-3', vid: '10c4', pid: 'ea60', interfaces: [{ n: '1.0' }] });
    expect(compareUsbSnapshots(before, await usbSnapshot(view)).finding.id).toBe('usb-bridge-no-tty');
    const t2 = new FixtureTree();
    trees.push(t2);
    t2.usb({ id: '1-4', vid: '1234', pid: '5678', interfaces: [] });
    expect(compareUsbSnapshots([], await usbSnapshot(createSystemView({ root: t2.root }))).finding.id).toBe(
      'usb-unknown-device',
    );
  });
});
