/**
 * The doctor's fixes are decided by the host, not by the page (issue 15, finding 1). The review's attack — a page
 * asking the doctor about `/dev/zero` and killing a process that holds it through `runFix` — runs here against a
 * real process, through the service as every host builds it (the live doctor over a fixture tree that names that
 * real PID). The doctor examines serial ports only, offers group changes only for the serial groups, stops a
 * process only while it still holds that serial port (same PID, same start time), and runs nothing unless the
 * host itself said yes to the exact argv.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessReport } from '../../src-main/service/contract';
import { holderChanged } from '../../src-main/doctor/holder-recheck';
import { processInfo } from '../../src-main/doctor/processes';
import { createSystemView } from '../../src-main/doctor/system-view';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger, type FixConfirmation } from '../../src-main/service/deps';
import { createService, type KilnService } from '../../src-main/service/service';
import { tempDir } from '../service/fakes';
import { debianWithCh340, FixtureTree } from './fixture-tree';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A real process that stays until the test ends (or something kills it). */
function victim(): ChildProcess {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** Alive = /proc/PID exists and is not a zombie. */
function alive(pid: number): boolean {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return false;
  return !/^State:\s+Z/m.test(readFileSync(status, 'utf8'));
}

function serviceOn(root: string, confirmFix?: FixConfirmation): KilnService {
  const dataDir = tempDir();
  const deps = { ...defaultDeps({ root }), listPorts: async () => [] };
  delete deps.watchPorts;
  const service = createService(deps, {
    host: 'web',
    appName: 'Kiln',
    appVersion: 'test',
    dataDir,
    logDir: path.join(dataDir, 'logs'),
    logger: silentLogger,
    ...(confirmFix ? { confirmFix } : {}),
  });
  cleanups.push(async () => {
    await service.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return service;
}

function tree(t: FixtureTree): FixtureTree {
  cleanups.push(() => t.remove());
  return t;
}

function fixIds(report: AccessReport): string[] {
  return [...report.system, ...report.ports.flatMap((p) => p.findings)].flatMap((f) =>
    f.fixes.map((x) => x.id),
  );
}

/** A Debian desktop where the real `sleep` process (as user 1000) holds `node` open. */
function holding(node: string, pid: number): FixtureTree {
  const t = tree(debianWithCh340());
  if (node !== '/dev/ttyUSB0') t.charDevice(node, { mode: '0666', uid: 0, gid: 0, rdev: [1, 5], ino: 77 });
  t.process(pid, { comm: 'sleep', uid: 1000, fds: { '3': node }, startTime: 4242 });
  return t;
}

const yes: FixConfirmation = async () => true;

describe('a page cannot use the doctor as a process killer', () => {
  it('asking about /dev/zero: no fix is offered, and runFix of a guessed stop fix leaves the holder alive', async () => {
    const child = victim();
    const t = holding('/dev/zero', child.pid!);
    const service = serviceOn(t.root, yes);
    const report = (await service.invoke('doctorReport', { port: '/dev/zero' })) as AccessReport;
    expect(report.ports[0]!.findings.map((f) => f.id)).toEqual(['not-a-serial-port']);
    expect(fixIds(report).filter((id) => id.startsWith('stop-process'))).toEqual([]);

    const r = (await service.invoke('runFix', { fixId: `stop-process-${child.pid}`, confirmed: true })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('NOT_FOUND');
    expect(alive(child.pid!)).toBe(true);
  });

  it('other device nodes (a disk, /dev/kvm) are refused the same way, before any check runs', async () => {
    const t = tree(debianWithCh340());
    t.charDevice('/dev/sg0', { mode: '0660', uid: 0, gid: 6, rdev: [21, 0], ino: 90 });
    t.charDevice('/dev/kvm', { mode: '0660', uid: 0, gid: 108, rdev: [10, 232], ino: 91 });
    for (const port of ['/dev/sg0', '/dev/kvm']) {
      const report = (await serviceOn(t.root, yes).invoke('doctorReport', { port })) as AccessReport;
      expect(report.ports[0]!.findings.map((f) => f.id)).toEqual(['not-a-serial-port']);
      expect(report.ports[0]!.findings[0]!.fixes).toEqual([]);
    }
  });
});

describe('group fixes only for the serial groups', () => {
  it('a serial port owned by the disk group gets the udev rule, never `usermod -aG disk`', async () => {
    const t = tree(debianWithCh340({ groupFile: 'root:x:0:\ndisk:x:6:\ndialout:x:20:\nstephane:x:1000:\n' }));
    t.charDevice('/dev/ttyUSB0', { mode: '0660', uid: 0, gid: 6, rdev: [188, 0], ino: 1234 });
    const report = (await serviceOn(t.root, yes).invoke('doctorReport', {
      port: '/dev/ttyUSB0',
    })) as AccessReport;
    const f = report.ports[0]!.findings.find((x) => x.id === 'port-permission')!;
    expect(f.fixes.map((x) => x.id)).toEqual(['install-udev-rule']);
    expect(JSON.stringify(report)).not.toContain('usermod');
  });

  it('dialout still gets its usermod fix', async () => {
    const t = tree(debianWithCh340());
    const report = (await serviceOn(t.root, yes).invoke('doctorReport', {
      port: '/dev/ttyUSB0',
    })) as AccessReport;
    const f = report.ports[0]!.findings.find((x) => x.id === 'port-permission')!;
    expect(f.fixes[0]!.commands).toEqual([['pkexec', 'usermod', '-aG', 'dialout', 'stephane']]);
  });
});

describe('stopping a holder of the serial port', () => {
  it('the host sees the exact argv and decides; without a host confirmation nothing runs', async () => {
    const child = victim();
    const t = holding('/dev/ttyUSB0', child.pid!);
    const fixId = `stop-process-${child.pid}`;

    const refused = serviceOn(t.root);
    await refused.invoke('doctorReport', { port: '/dev/ttyUSB0' });
    const manual = (await refused.invoke('runFix', { fixId, confirmed: true })) as {
      status: string;
      manual?: string[];
    };
    expect(manual.status).toBe('manual');
    expect(manual.manual).toEqual([`kill -TERM ${child.pid}`]);
    expect(alive(child.pid!)).toBe(true);

    const asked: string[][][] = [];
    const declining = serviceOn(t.root, async (request) => {
      asked.push(request.commands);
      return false;
    });
    await declining.invoke('doctorReport', { port: '/dev/ttyUSB0' });
    expect(
      ((await declining.invoke('runFix', { fixId, confirmed: true })) as { status: string }).status,
    ).toBe('declined');
    expect(asked).toEqual([[['kill', '-TERM', String(child.pid)]]]);
    expect(alive(child.pid!)).toBe(true);

    const agreeing = serviceOn(t.root, yes);
    await agreeing.invoke('doctorReport', { port: '/dev/ttyUSB0' });
    expect(((await agreeing.invoke('runFix', { fixId, confirmed: true })) as { status: string }).status).toBe(
      'done',
    );
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('re-checked after the yes: a holder that let go of the port, or a PID reused, is not signalled', async () => {
    const child = victim();
    const t = holding('/dev/ttyUSB0', child.pid!);
    const fixId = `stop-process-${child.pid}`;
    const service = serviceOn(t.root, yes);
    await service.invoke('doctorReport', { port: '/dev/ttyUSB0' });

    // Between the report and the yes, the process closed the port.
    rmSync(path.join(t.root, `proc/${child.pid}/fd/3`));
    const gone = (await service.invoke('runFix', { fixId, confirmed: true })) as {
      ok: boolean;
      status: string;
      error?: { code: string; message: string };
    };
    expect(gone.ok).toBe(false);
    expect(gone.error?.code).toBe('NOT_FOUND');
    expect(gone.error?.message).toContain('no longer holds /dev/ttyUSB0');
    expect(alive(child.pid!)).toBe(true);

    // Offered again; before the yes, the PID comes to name a process started at another time.
    t.process(child.pid!, { comm: 'sleep', uid: 1000, fds: { '3': '/dev/ttyUSB0' }, startTime: 4242 });
    await service.invoke('doctorReport', { port: '/dev/ttyUSB0' });
    t.process(child.pid!, { comm: 'sleep', uid: 1000, fds: { '3': '/dev/ttyUSB0' }, startTime: 9999 });
    const reused = (await service.invoke('runFix', { fixId, confirmed: true })) as {
      error?: { message: string };
    };
    expect(reused.error?.message).toContain('is not the process');
    expect(alive(child.pid!)).toBe(true);
  });

  it("another user's process is named only as such, and no stop is offered", async () => {
    const t = tree(debianWithCh340());
    t.process(777, { comm: 'secret-tool', uid: 0, fds: { '5': '/dev/ttyUSB0' } });
    const report = (await serviceOn(t.root, yes).invoke('doctorReport', {
      port: '/dev/ttyUSB0',
    })) as AccessReport;
    const held = report.ports[0]!.findings.find((f) => f.id === 'port-held')!;
    expect(held.title).toBe("another user's process (PID 777) has /dev/ttyUSB0 open");
    expect(JSON.stringify(report)).not.toContain('secret-tool');
    expect(held.fixes).toEqual([]);
  });
});

describe('the re-check on the live system', () => {
  it('same PID, same start time, still holding the node; then changed start time; then exited', async () => {
    const dir = tempDir('kiln-recheck-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const node = path.join(dir, 'held');
    writeFileSync(node, '');
    const child = spawn(
      process.execPath,
      [
        '-e',
        `require('fs').openSync(${JSON.stringify(node)}, 'r'); console.log('open'); setInterval(() => {}, 1000)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(() => void child.kill('SIGKILL'));
    await new Promise((r) => child.stdout!.once('data', r));
    const view = createSystemView();
    const startTime = (await processInfo(view, child.pid!))!.startTime!;
    expect(startTime).toMatch(/^\d+$/);
    expect(await holderChanged(view, { pid: child.pid!, startTime, node })).toBeUndefined();
    expect(await holderChanged(view, { pid: child.pid!, startTime: '1', node })).toContain('another time');
    expect(await holderChanged(view, { pid: child.pid!, startTime, node: `${node}-other` })).toContain(
      'no longer holds',
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await holderChanged(view, { pid: child.pid!, startTime, node })).toContain('has exited');
  });
});
