/**
 * The deb/rpm after-install and after-remove scripts: they must keep every command of electron-builder's default
 * templates (they replace them), render with electron-builder's macro rules, and really install and remove the udev
 * rule. The last part runs the rendered scripts as root in a private mount namespace: /etc and /usr/bin are
 * copy-on-write overlays and /opt is a tmpfs, so nothing on the machine changes; system tools the scripts call
 * (update-alternatives, udevadm, apparmor_status, ...) are stubs that record their arguments.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from './run-script';

const TEMPLATES = path.join(REPO, 'node_modules/app-builder-lib/templates/linux');
const VARS = { executable: 'kiln', sanitizedProductName: 'Kiln', productFilename: 'Kiln' };
const read = (file: string) => readFileSync(file, 'utf8');
const ours = {
  install: read(path.join(REPO, 'assets/linux/after-install.sh')),
  remove: read(path.join(REPO, 'assets/linux/after-remove.sh')),
};
const defaults = {
  install: read(path.join(TEMPLATES, 'after-install.tpl')),
  remove: read(path.join(TEMPLATES, 'after-remove.tpl')),
};
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** electron-builder's template expansion (FpmTarget writeConfigFile): `${name}` of letters only; unknown names throw. */
function render(template: string, vars: Record<string, string>): string {
  return template.replace(/\${([a-zA-Z]+)}/g, (_m, name: string) => {
    if (!(name in vars)) throw new Error(`Macro ${name} is not defined`);
    return vars[name]!;
  });
}

function commands(script: string): string[] {
  return script
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The default template's commands that are missing from `script`, or out of order. */
function missingDefaults(script: string, template: string): string[] {
  const have = commands(script);
  const missing: string[] = [];
  let at = 0;
  for (const line of commands(template)) {
    const found = have.indexOf(line, at);
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}

describe('deb/rpm scripts keep electron-builder defaults', () => {
  it.each(['install', 'remove'] as const)(
    'after-%s contains every command of the default template, in order',
    (kind) => {
      expect(commands(defaults[kind]).length).toBeGreaterThan(5);
      expect(missingDefaults(ours[kind], defaults[kind])).toEqual([]);
    },
  );

  it('notices a dropped chrome-sandbox chmod or /usr/bin link', () => {
    const noSandbox = ours.install.replace(
      "chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true",
      '',
    );
    expect(missingDefaults(noSandbox, defaults.install)).toEqual([
      "chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true",
    ]);
    const noLink = ours.install.replace(/update-alternatives --install .*\n/, '\n');
    expect(missingDefaults(noLink, defaults.install).join('\n')).toContain('update-alternatives --install');
  });

  it.each(['install', 'remove'] as const)(
    'after-%s renders with electron-builder macros and is valid bash',
    (kind) => {
      const rendered = render(ours[kind], VARS);
      expect(rendered).not.toMatch(/\${[a-zA-Z]+}/);
      const dir = mkdtempSync(path.join(tmpdir(), 'kiln-sh-'));
      scratch.push(dir);
      writeFileSync(path.join(dir, 's.sh'), rendered);
      const check = spawnSync('bash', ['-n', path.join(dir, 's.sh')], { encoding: 'utf8' });
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
      expect(() => render('echo ${kilnRule}', VARS)).toThrow('Macro kilnRule is not defined');
    },
  );
});

let namespaceProbe: boolean | undefined;
/** Root, a private mount namespace, overlayfs on /etc and /usr/bin, tmpfs on /opt: everything the harness uses. */
function namespacesAvailable(): boolean {
  if (namespaceProbe !== undefined) return namespaceProbe;
  if (process.getuid?.() !== 0) return (namespaceProbe = false);
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-ns-'));
  scratch.push(dir);
  const probe = spawnSync(
    'unshare',
    [
      '-m',
      '--propagation',
      'private',
      'sh',
      '-c',
      `mkdir -p ${dir}/u1 ${dir}/w1 ${dir}/u2 ${dir}/w2 && ` +
        `mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/u1,workdir=${dir}/w1 /etc && ` +
        `mount -t overlay overlay -o lowerdir=/usr/bin,upperdir=${dir}/u2,workdir=${dir}/w2 /usr/bin && ` +
        'mount -t tmpfs probe /opt',
    ],
    { timeout: 10_000 },
  );
  return (namespaceProbe = probe.status === 0);
}

interface SandboxRun {
  calls: string[];
  installedRule: string | null;
  sandboxMode: string;
  ruleAfterRemove: 'present' | 'absent';
}

/** Runs after-install, then after-remove with `removeArg`, as root in a throwaway mount namespace. */
function runPackageScripts(removeArg: string): SandboxRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-pkg-'));
  scratch.push(dir);
  for (const d of ['etc-upper', 'etc-work', 'bin-upper', 'bin-work', 'stubs']) mkdirSync(path.join(dir, d));
  writeFileSync(path.join(dir, 'after-install.sh'), render(ours.install, VARS));
  writeFileSync(path.join(dir, 'after-remove.sh'), render(ours.remove, VARS));
  for (const tool of [
    'update-alternatives',
    'udevadm',
    'update-mime-database',
    'update-desktop-database',
    'apparmor_parser',
  ]) {
    writeFileSync(
      path.join(dir, 'stubs', tool),
      `#!/bin/sh\necho "${tool} $*" >> '${dir}/calls.log'\nexit 0\n`,
    );
    chmodSync(path.join(dir, 'stubs', tool), 0o755);
  }
  // AppArmor "not enabled": the profile branch is electron-builder's and needs a real AppArmor to mean anything.
  writeFileSync(
    path.join(dir, 'stubs', 'apparmor_status'),
    `#!/bin/sh\necho "apparmor_status $*" >> '${dir}/calls.log'\nexit 1\n`,
  );
  chmodSync(path.join(dir, 'stubs', 'apparmor_status'), 0o755);
  const harness = `
set -eu
S='${dir}'
mount -t overlay overlay -o lowerdir=/etc,upperdir=$S/etc-upper,workdir=$S/etc-work /etc
mount -t overlay overlay -o lowerdir=/usr/bin,upperdir=$S/bin-upper,workdir=$S/bin-work /usr/bin
mount -t tmpfs kiln-opt /opt
mkdir -p /opt/Kiln/resources/udev
cp '${path.join(REPO, 'assets/udev/60-kiln.rules')}' /opt/Kiln/resources/udev/60-kiln.rules
printf '#!/bin/sh\\n' > /opt/Kiln/kiln && chmod 755 /opt/Kiln/kiln
: > /opt/Kiln/chrome-sandbox && chmod 700 /opt/Kiln/chrome-sandbox
rm -f /etc/udev/rules.d/60-kiln.rules
printf '#!/bin/sh\\nexit 1\\n' > /usr/bin/ischroot && chmod 755 /usr/bin/ischroot
export PATH="$S/stubs:$PATH"
bash $S/after-install.sh configure
stat -c %a /opt/Kiln/chrome-sandbox > $S/sandbox-mode
if [ -f /etc/udev/rules.d/60-kiln.rules ]; then cp /etc/udev/rules.d/60-kiln.rules $S/installed.rules; stat -c %a /etc/udev/rules.d/60-kiln.rules > $S/rule-mode; fi
echo "--- remove" >> $S/calls.log
bash $S/after-remove.sh '${removeArg}'
if [ -e /etc/udev/rules.d/60-kiln.rules ]; then echo present > $S/after-remove; else echo absent > $S/after-remove; fi
`;
  const result = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', '-c', harness], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0)
    throw new Error(`package scripts failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  const maybe = (f: string) => {
    try {
      return readFileSync(path.join(dir, f), 'utf8');
    } catch {
      return null;
    }
  };
  expect(maybe('rule-mode')?.trim()).toBe('644');
  return {
    calls: (maybe('calls.log') ?? '').trim().split('\n'),
    installedRule: maybe('installed.rules'),
    sandboxMode: (maybe('sandbox-mode') ?? '').trim(),
    ruleAfterRemove: (maybe('after-remove') ?? '').trim() as 'present' | 'absent',
  };
}

describe('deb/rpm scripts on a (sandboxed) system', () => {
  const rule = read(path.join(REPO, 'assets/udev/60-kiln.rules'));

  it('install the udev rule, reload udev, keep the defaults; removal takes the rule away', (ctx) => {
    ctx.skip(
      !namespacesAvailable(),
      'needs root, a private mount namespace (unshare -m) and overlayfs to run package scripts without touching the system',
    );
    const run = runPackageScripts('remove');
    expect(run.installedRule).toBe(rule);
    expect(['755', '4755']).toContain(run.sandboxMode);
    const [install, remove] = [
      run.calls.slice(0, run.calls.indexOf('--- remove')),
      run.calls.slice(run.calls.indexOf('--- remove') + 1),
    ];
    expect(install).toContain('update-alternatives --install /usr/bin/kiln kiln /opt/Kiln/kiln 100');
    expect(install.filter((c) => c.startsWith('udevadm'))).toEqual([
      'udevadm control --reload-rules',
      'udevadm trigger --subsystem-match=tty --subsystem-match=usb-serial --action=change',
    ]);
    expect(run.ruleAfterRemove).toBe('absent');
    expect(remove).toContain('update-alternatives --remove kiln /opt/Kiln/kiln');
    expect(remove.filter((c) => c.startsWith('udevadm'))).toEqual([
      'udevadm control --reload-rules',
      'udevadm trigger --subsystem-match=tty --action=change',
    ]);
  });

  it.for([
    ['deb upgrade', 'upgrade'],
    ['rpm upgrade', '1'],
  ] as const)('keep the rule on %s (the new package installed it already)', ([, arg], ctx) => {
    ctx.skip(!namespacesAvailable(), 'needs root, a private mount namespace (unshare -m) and overlayfs');
    const run = runPackageScripts(arg);
    expect(run.ruleAfterRemove).toBe('present');
  });

  it('removes the rule on rpm erase and deb purge', (ctx) => {
    ctx.skip(!namespacesAvailable(), 'needs root, a private mount namespace (unshare -m) and overlayfs');
    expect(runPackageScripts('0').ruleAfterRemove).toBe('absent');
    expect(runPackageScripts('purge').ruleAfterRemove).toBe('absent');
  });
});

describe('the udev rule shipped in the packages', () => {
  const rule = read(path.join(REPO, 'assets/udev/60-kiln.rules'));
  it.each([
    ['10c4', 'CP210x'],
    ['1a86', 'CH340/CH9102'],
    ['0403', 'FTDI'],
    ['067b', 'PL2303'],
    ['303a', 'Espressif native USB'],
  ])('grants uaccess and keeps ModemManager away for %s (%s)', (vid) => {
    const line = rule.split('\n').find((l) => l.includes(`ATTRS{idVendor}=="${vid}"`));
    expect(line).toBeDefined();
    expect(line).toContain('TAG+="uaccess"');
    expect(line).toContain('ENV{ID_MM_DEVICE_IGNORE}="1"');
    expect(line).toContain('ENV{ID_MM_PORT_IGNORE}="1"');
    expect(line).not.toMatch(/MODE="0?666"/);
  });
  it('sorts before 73-seat-late.rules, where uaccess is applied', () => {
    expect('60-kiln.rules' < '73-seat-late.rules').toBe(true);
  });
});
