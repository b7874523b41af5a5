/**
 * Fixes as data. A fix is the exact list of argv arrays Kiln would run (never a shell string, never built by
 * concatenating user data into a command line), whether they need root (then they go through pkexec, which
 * shows a polkit prompt), the content of any file it writes (shown before anything runs), and the same
 * commands as a person would type them (`sudo ...`) for when pkexec or a polkit agent is missing.
 * Some fixes are advice only (log out, run a command on Windows): they have no steps, only `manual`.
 */
import { KILN_UDEV_RULE, KILN_UDEV_RULE_PATH } from './kiln-udev-rule';
import type { Finding } from './findings';

/** Stands for the temporary file the fix runner writes `preview.content` to, right before running. */
export const STAGED_FILE = '{staged-file}';

export interface FixStep {
  argv: string[];
  needsRoot: boolean;
  /** A failure of this step does not stop the fix (e.g. stopping a service that is not installed). */
  mayFail?: boolean;
}

export interface Fix {
  id: string;
  title: string;
  why: string;
  /** The first command (same as steps[0].argv); empty for advice-only fixes. */
  argv: string[];
  steps: FixStep[];
  needsRoot: boolean;
  /** A file the fix writes: where, and exactly what. */
  preview?: { path: string; content: string };
  /** What to type by hand (sudo instead of pkexec), or what to do when there is nothing to run. */
  manual: string[];
  /** Side effects a person should know before saying yes. */
  warning?: string;
  /**
   * Checked again after the yes and before anything runs: why the fix no longer applies (the process to stop
   * exited, let go of the port, or its PID now names another process), or undefined when it still does.
   */
  stillApplies?: () => Promise<string | undefined>;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;

function checkName(kind: string, value: string): string {
  if (!NAME_RE.test(value))
    throw new Error(`refusing to build a fix with an unusual ${kind} name: ${JSON.stringify(value)}`);
  return value;
}

function asSudo(step: FixStep): string {
  const argv = step.argv[0] === 'pkexec' ? ['sudo', ...step.argv.slice(1)] : step.argv;
  return argv.map((a) => (/^[\w@%+=:,./{}-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function make(f: Omit<Fix, 'argv' | 'needsRoot' | 'manual'> & { manual?: string[] }): Fix {
  return {
    ...f,
    argv: f.steps[0]?.argv ?? [],
    needsRoot: f.steps.some((s) => s.needsRoot),
    manual: f.manual ?? f.steps.map(asSudo),
  };
}

const root = (...argv: string[]): FixStep => ({ argv: ['pkexec', ...argv], needsRoot: true });

export const FIXES = {
  addUserToGroup(group: string, user: string): Fix {
    return make({
      id: 'add-user-to-group',
      title: `Add ${checkName('user', user)} to the ${checkName('group', group)} group`,
      why: `The port belongs to the group ${group}; members may open it. Takes effect in new logins only: log out completely (or reboot) afterwards.`,
      steps: [root('usermod', '-aG', group, user)],
    });
  },

  installUdevRule(id = 'install-udev-rule', why?: string): Fix {
    const fix = make({
      id,
      title: 'Install Kiln\u2019s udev rule',
      why:
        why ??
        'Gives the person at this computer access to USB-serial adapters (uaccess), without a group change or a new login, and keeps ModemManager away from them. Unplug and replug the board afterwards.',
      preview: { path: KILN_UDEV_RULE_PATH, content: KILN_UDEV_RULE },
      steps: [
        root('install', '-m', '0644', STAGED_FILE, KILN_UDEV_RULE_PATH),
        root('udevadm', 'control', '--reload-rules'),
        root(
          'udevadm',
          'trigger',
          '--subsystem-match=tty',
          '--subsystem-match=usb-serial',
          '--action=change',
        ),
      ],
    });
    fix.manual = [
      `Save the rule shown as ${KILN_UDEV_RULE_PATH.split('/').pop()} in the current directory, then:`,
      `sudo install -m 0644 ${KILN_UDEV_RULE_PATH.split('/').pop()} ${KILN_UDEV_RULE_PATH}`,
      'sudo udevadm control --reload-rules',
      'sudo udevadm trigger --subsystem-match=tty --subsystem-match=usb-serial --action=change',
    ];
    return fix;
  },

  modemManagerIgnore(): Fix {
    return FIXES.installUdevRule(
      'modemmanager-ignore',
      'Kiln\u2019s udev rule sets ID_MM_DEVICE_IGNORE and ID_MM_PORT_IGNORE on USB-serial adapters, so ModemManager stops sending AT commands into the bootloader. Replug the board afterwards.',
    );
  },

  maskBrltty(ruleFileName = '85-brltty.rules'): Fix {
    if (!/^[\w.-]+\.rules$/.test(ruleFileName)) throw new Error(`unusual rule file name ${ruleFileName}`);
    const target = `/etc/udev/rules.d/${ruleFileName}`;
    return make({
      id: 'mask-brltty',
      title: 'Stop brltty from taking USB-serial adapters',
      why: `brltty's udev rule claims common USB-serial adapters as braille displays and the serial port disappears. A link from ${target} to /dev/null masks that rule; the services are stopped and masked too. Replug the board afterwards.`,
      warning:
        'This disables automatic start of braille displays over USB. Do not apply it if you use a braille display.',
      steps: [
        root('ln', '-sf', '/dev/null', target),
        { ...root('systemctl', 'mask', 'brltty-udev.service'), mayFail: true },
        { ...root('systemctl', 'stop', 'brltty-udev.service', 'brltty.service'), mayFail: true },
        root('udevadm', 'control', '--reload-rules'),
      ],
    });
  },

  stopProcess(pid: number, comm: string, stillApplies: () => Promise<string | undefined>): Fix {
    if (!Number.isInteger(pid) || pid <= 1) throw new Error(`bad pid ${pid}`);
    return make({
      stillApplies,
      id: `stop-process-${pid}`,
      title: `Close ${comm} (PID ${pid})`,
      why: `${comm} has the port open, so Kiln cannot use it. This asks it to quit (SIGTERM); unsaved work in it may be lost.`,
      steps: [{ argv: ['kill', '-TERM', String(pid)], needsRoot: false }],
    });
  },

  removeStaleLock(lockPath: string, needsRoot: boolean): Fix {
    if (!/^\/(run|var)\/lock\/LCK\.\.[\w.-]+$/.test(lockPath))
      throw new Error(`unusual lock path ${lockPath}`);
    const argv = ['rm', '-f', lockPath];
    return make({
      id: 'remove-stale-lock',
      title: `Remove the stale lock file ${lockPath}`,
      why: 'A program that has since exited left a UUCP lock file behind; tools like minicom refuse the port while it exists.',
      steps: [needsRoot ? root(...argv) : { argv, needsRoot: false }],
    });
  },

  loadDriver(module: string): Fix {
    checkName('module', module);
    return make({
      id: `load-driver-${module}`,
      title: `Load the ${module} kernel driver`,
      why: `The adapter is on USB but no driver turned it into a serial port. If loading fails, the distribution's extra kernel modules package may be missing.`,
      steps: [root('modprobe', module)],
    });
  },

  relogin(user: string | undefined): Fix {
    return make({
      id: 'relogin',
      title: 'Log out completely, or reboot',
      why: 'Group changes reach only processes started after a new login. Closing the window is not enough, and apps started by systemd --user keep the old groups until the user manager stops: rebooting is the sure way.',
      steps: [],
      manual: [
        'Reboot the computer',
        ...(user ? [`or end every session of the user: loginctl terminate-user ${user}`] : []),
      ],
    });
  },

  snapConnect(snapName: string): Fix {
    return make({
      id: 'snap-connect-raw-usb',
      title: 'Allow the snap to use USB serial ports',
      why: 'Snap confinement blocks serial ports unless the raw-usb interface is connected; it is not connected automatically.',
      steps: [],
      manual: [`sudo snap connect ${checkName('snap', snapName)}:raw-usb`],
    });
  },

  flatpakDevices(appId: string): Fix {
    return make({
      id: 'flatpak-device-all',
      title: 'Give the Flatpak access to devices',
      why: 'This Flatpak runs without access to /dev/ttyUSB* and /dev/ttyACM*. The command runs outside the sandbox, as your user.',
      steps: [],
      manual: [`flatpak override --user --device=all ${appId.replace(/[^\w.-]/g, '')}`],
    });
  },

  wslUsbipd(): Fix {
    return make({
      id: 'wsl-usbipd',
      title: 'Attach the USB adapter to WSL with usbipd-win',
      why: 'WSL 2 sees no USB devices until Windows passes them through (WSL kernel 5.10.60.1 or newer). Or run the Windows build of Kiln.',
      steps: [],
      manual: [
        'In Windows (PowerShell as administrator): winget install usbipd',
        'usbipd list   (note the BUSID of the adapter)',
        'usbipd bind --busid <BUSID>   (once)',
        'usbipd attach --wsl --busid <BUSID>   (after each replug)',
      ],
    });
  },
};

/** Every fix offered by a set of findings, each once, in the order first offered. */
export function fixesFromFindings(findings: readonly Finding[]): Fix[] {
  const seen = new Map<string, Fix>();
  for (const f of findings) for (const fix of f.fixes) if (!seen.has(fix.id)) seen.set(fix.id, fix);
  return [...seen.values()];
}
