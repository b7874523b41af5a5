/**
 * The access doctor on the real system (Linux, run as root; CI runs as root): a pty owned root:dialout 0660,
 * an unprivileged user `kilntest`, and the doctor run as that user in a child process:
 *  - not in dialout → the permission case naming dialout and the usermod fix;
 *  - in dialout in /etc/group but the checking process started without it → "not active in this login";
 *  - a second process holding the port (flock) → named with its PID.
 * /etc/group is changed only through gpasswd/useradd/userdel and must be byte-identical afterwards.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessReport } from '../../src-main/doctor/access-report';
import type { PortHolders } from '../../src-main/doctor/port-holders';

const USER = 'kilntest';
const here = path.dirname(fileURLToPath(import.meta.url));

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not running as root (needs useradd, chown and setpriv)';
  for (const tool of ['setpriv', 'useradd', 'userdel', 'gpasswd', 'flock']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  try {
    execFileSync('getent', ['group', 'dialout'], { stdio: 'ignore' });
  } catch {
    return 'no dialout group on this system';
  }
  return undefined;
}

const reason = skipReason();
if (reason) console.log(`[doctor real-system tests] skipped: ${reason}`);

interface ProbeOutput {
  uid: number;
  groups: number[];
  report: AccessReport;
  holders: PortHolders;
}

describe.skipIf(reason !== undefined)('access doctor on the real system', () => {
  let dir = '';
  let probe = '';
  let ptyHolder: ChildProcess | undefined;
  let lockHolder: ChildProcess | undefined;
  let pts = '';
  let groupBefore = '';
  let createdUser = false;

  beforeAll(async () => {
    groupBefore = readFileSync('/etc/group', 'utf8');
    dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-doctor-real-'));
    chmodSync(dir, 0o755);
    probe = path.join(dir, 'probe.mjs');
    await build({
      entryPoints: [path.join(here, 'real-system-probe.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: probe,
      logLevel: 'silent',
    });
    chmodSync(probe, 0o644);

    try {
      execFileSync('id', [USER], { stdio: 'ignore' });
    } catch {
      execFileSync('useradd', ['-M', '-s', '/usr/sbin/nologin', USER]);
      createdUser = true;
    }
    expect(execFileSync('id', ['-Gn', USER], { encoding: 'utf8' })).not.toMatch(/\bdialout\b/);

    // A pty whose slave stays alive while this helper keeps the master open (the slave fd is closed).
    ptyHolder = spawn(
      '/usr/bin/python3',
      [
        '-c',
        'import os,pty,sys,time\nm,s=pty.openpty()\nprint(os.ttyname(s),flush=True)\nos.close(s)\ntime.sleep(300)',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
    );
    pts = await new Promise<string>((resolve, reject) => {
      ptyHolder!.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
      ptyHolder!.once('exit', () => reject(new Error('pty helper exited')));
    });
    const dialout = Number(execFileSync('getent', ['group', 'dialout'], { encoding: 'utf8' }).split(':')[2]);
    chownSync(pts, 0, dialout);
    chmodSync(pts, 0o660);
  });

  afterAll(async () => {
    // The holders were started in their own process groups: end each group (flock and its sleep) by id.
    for (const child of [lockHolder, ptyHolder]) {
      if (!child?.pid || child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    try {
      execFileSync('gpasswd', ['-d', USER, 'dialout'], { stdio: 'ignore' });
    } catch {
      /* not a member */
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (createdUser) execFileSync('userdel', [USER]);
    expect(readFileSync('/etc/group', 'utf8')).toBe(groupBefore);
  });

  function runProbe(groupsFlag: string[]): ProbeOutput {
    const out = execFileSync(
      'setpriv',
      [`--reuid=${USER}`, `--regid=${USER}`, ...groupsFlag, process.execPath, probe, pts],
      { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } },
    );
    return JSON.parse(out) as ProbeOutput;
  }

  it('a user not in dialout: permission denied, naming dialout, with the usermod fix', () => {
    const { report, uid } = runProbe(['--init-groups']);
    expect(uid).not.toBe(0);
    expect(report.user).toBe(USER);
    const f = report.ports[0]!.findings.find((x) => x.id === 'port-permission');
    expect(f, JSON.stringify(report.ports[0]!.findings.map((x) => x.id))).toBeDefined();
    expect(f!.title).toContain('dialout');
    expect(f!.evidence[0]).toBe(`crw-rw---- root:dialout ${pts}`);
    expect(f!.fixes[0]!.argv).toEqual(['pkexec', 'usermod', '-aG', 'dialout', USER]);
  });

  it('added to dialout in /etc/group, but the process started without it: not active in this login', () => {
    execFileSync('gpasswd', ['-a', USER, 'dialout'], { stdio: 'ignore' });
    const dialout = Number(execFileSync('getent', ['group', 'dialout'], { encoding: 'utf8' }).split(':')[2]);
    const { report, groups } = runProbe(['--clear-groups']);
    expect(report.databaseGroups).toContain('dialout');
    expect(report.processGroups).not.toContain('dialout');
    expect(groups).not.toContain(dialout);
    const ids = report.ports[0]!.findings.map((x) => x.id);
    expect(ids).toContain('group-not-active');
    expect(ids).not.toContain('port-permission');
  });

  it('with the group active the port opens; a second process holding it is named with its PID', async () => {
    expect(
      runProbe(['--init-groups']).report.ports[0]!.findings.find((x) => x.id === 'port-access')?.severity,
    ).toBe('ok');
    lockHolder = spawn(
      'setpriv',
      [`--reuid=${USER}`, `--regid=${USER}`, '--init-groups', 'flock', '--exclusive', pts, 'sleep', '120'],
      { stdio: 'ignore', detached: true },
    );
    const pid = lockHolder.pid!;
    // Wait until the lock shows in /proc/locks (no fixed sleep).
    for (let i = 0; i < 200 && !readFileSync('/proc/locks', 'utf8').includes(` ${pid} `); i++)
      await new Promise((r) => setTimeout(r, 10));
    const { report, holders } = runProbe(['--init-groups']);
    const holder = holders.holders.find((h) => h.pid === pid);
    expect(holder, JSON.stringify(holders)).toBeDefined();
    expect(holder!.comm).toBe('flock');
    expect(holder!.via.sort()).toEqual(['fd', 'flock']);
    const held = report.ports[0]!.findings.find(
      (x) => x.id === 'port-held' && x.title.includes(`PID ${pid}`),
    );
    expect(held?.title).toBe(`flock (PID ${pid}) has ${pts} open`);
    expect(held!.fixes[0]!.argv).toEqual(['kill', '-TERM', String(pid)]);
  });
});
