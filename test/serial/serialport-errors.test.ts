/**
 * Open-error mapping and unplug, under real conditions: a pty locked by this process and by another process, a
 * device node owned root:dialout 0660 (and the pty default root:tty 0620) opened by `nobody`, missing paths, a file
 * that is not a tty, and socat killed under an open port. No error here may look like a sync failure.
 */
import type { ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KilnError, KilnErrorData } from '../../src-main/core/errors';
import { mapOpenError } from '../../src-main/serial/port-errors';
import { openSerialPort } from '../../src-main/serial/serialport-transport';
import type { Transport } from '../../src-main/serial/transport';
import { within } from './helpers/conformance';
import { createPtyPair, type PtyPair } from './helpers/pty-pair';
import { asNobody, runTsxScript } from '../helpers/json-child';

const repoRoot = path.resolve(__dirname, '../..');
const childScript = path.join(__dirname, 'helpers/open-port-child.ts');

let pairs: PtyPair[] = [];
let transports: Transport[] = [];
let children: ChildProcess[] = [];
let tmpDirs: string[] = [];

afterEach(async () => {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const c of running) c.kill('SIGTERM');
  await Promise.all(running.map((c) => new Promise((r) => c.once('exit', r))));
  for (const t of transports) await t.close();
  for (const p of pairs) await p.cleanup();
  for (const d of tmpDirs) await fsp.rm(d, { recursive: true, force: true });
  pairs = [];
  transports = [];
  children = [];
  tmpDirs = [];
});

async function pty(aOptions = ''): Promise<PtyPair> {
  const p = await createPtyPair(aOptions);
  pairs.push(p);
  return p;
}

async function openOk(p: string): Promise<Transport> {
  const t = await openSerialPort(p, { baudRate: 115200 });
  transports.push(t);
  return t;
}

async function openError(p: string): Promise<KilnError> {
  try {
    transports.push(await openSerialPort(p, { baudRate: 115200 }));
  } catch (err) {
    return err as KilnError;
  }
  throw new Error(`opening ${p} unexpectedly succeeded`);
}

/** Runs open-port-child.ts and resolves with its first JSON line (the child may keep running with 'hold'). */
function runChild(
  prefix: string[],
  portPath: string,
  mode?: 'hold',
): Promise<{ ok?: true } & Partial<KilnErrorData>> {
  const { child, result } = runTsxScript(prefix, childScript, mode ? [portPath, mode] : [portPath], repoRoot);
  children.push(child);
  return result as Promise<{ ok?: true } & Partial<KilnErrorData>>;
}

describe('openSerialPort error mapping (real conditions)', () => {
  it('a path that does not exist is PORT_NOT_FOUND naming the path', async () => {
    const missing = path.join(os.tmpdir(), `kiln-no-such-port-${process.pid}`);
    const e = await openError(missing);
    expect(e.code).toBe('PORT_NOT_FOUND');
    expect(e.message).toBe(`${missing} does not exist.`);
    expect(e.details?.port).toBe(missing);
    expect(e.hint).toBeTruthy();
  });

  it('a dangling by-id style symlink (device unplugged) is PORT_NOT_FOUND', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kiln-link-'));
    tmpDirs.push(dir);
    const link = path.join(dir, 'usb-1a86_USB_Serial-if00-port0');
    await fsp.symlink('/dev/ttyUSB99-gone', link);
    expect((await openError(link)).code).toBe('PORT_NOT_FOUND');
  });

  it('a second open in this process is PORT_BUSY with details.port', async () => {
    const p = await pty();
    await openOk(p.a);
    const e = await openError(p.a);
    expect(e.code).toBe('PORT_BUSY');
    expect(e.details?.port).toBe(p.a);
    expect(String(e.details?.os)).toMatch(/Cannot lock port/);
    expect(e.hint).toMatch(/other program/);
  });

  it('a port held by another process is PORT_BUSY', async () => {
    const p = await pty();
    const holder = await runChild([], p.a, 'hold');
    expect(holder).toEqual({ ok: true });
    const e = await openError(p.a);
    expect(e.code).toBe('PORT_BUSY');
    expect(e.details?.port).toBe(p.a);
    // Once the holder exits, the lock is gone and the port opens.
    const child = children.at(-1)!;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await openOk(p.a);
  });

  it('a root:dialout 0660 node opened by an unprivileged user is PORT_PERMISSION_DENIED naming dialout', async () => {
    const p = await pty(',group=dialout,mode=660');
    await fsp.chmod(p.dir, 0o755); // like /dev: the directory is searchable, the node is not ours
    const result = await runChild(asNobody(), p.a);
    expect(result.code).toBe('PORT_PERMISSION_DENIED');
    expect(result.message).toBe(`Permission denied opening ${p.a}.`);
    expect(result.details).toMatchObject({ port: p.a, group: 'dialout', mode: '0660' });
    expect(result.hint).toContain('usermod -aG dialout');
  });

  it('the group in the hint is the node\u2019s own (here uucp, as on Arch), never a hard-coded dialout', async () => {
    const p = await pty(',group=uucp,mode=660');
    await fsp.chmod(p.dir, 0o755);
    const result = await runChild(asNobody(), p.a);
    expect(result.code).toBe('PORT_PERMISSION_DENIED');
    expect(result.details).toMatchObject({ group: 'uucp', mode: '0660' });
    expect(result.hint).toContain('usermod -aG uucp');
    expect(result.hint).not.toContain('dialout');
  });

  it('a root:root 0600 node (no group may open it) gets the udev-rule hint, not "join group root"', async () => {
    const p = await pty(); // socat's ptys are root:root 0600
    await fsp.chmod(p.dir, 0o755);
    const result = await runChild(asNobody(), p.a);
    expect(result.code).toBe('PORT_PERMISSION_DENIED');
    expect(result.details).toMatchObject({ group: 'root', mode: '0600' });
    expect(result.hint).not.toContain('usermod');
    expect(result.hint).toMatch(/udev rule/);
  });

  it('a regular file is PORT_OPEN_FAILED carrying the OS message, not a sync failure', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kiln-file-'));
    tmpDirs.push(dir);
    const file = path.join(dir, 'not-a-tty');
    await fsp.writeFile(file, 'x');
    const e = await openError(file);
    expect(e.code).toBe('PORT_OPEN_FAILED');
    expect(e.message).toMatch(/Inappropriate ioctl/);
    expect(e.details?.os).toMatch(/Inappropriate ioctl/);
  });
});

describe('unplug', () => {
  it('killing socat right after open gives DEVICE_LOST within 2 s (bindings-cpp would spin on EOF)', async () => {
    const p = await pty();
    const t = await openOk(p.a);
    const lost = new Promise<KilnError | undefined>((resolve) => t.onClose(resolve));
    await p.kill();
    const e = await within(lost, 2000, 'DEVICE_LOST');
    expect(e?.code).toBe('DEVICE_LOST');
    expect(e?.message).toBe(`The device on ${p.a} disappeared.`);
  });

  it('killing socat while idle, then writing: the write rejects with the same DEVICE_LOST', async () => {
    const p = await pty();
    const t = await openOk(p.a);
    await t.write(Buffer.from('before'));
    const lost = new Promise<KilnError | undefined>((resolve) => t.onClose(resolve));
    await p.kill();
    const writeError = await t.write(Buffer.from('after')).catch((e: KilnError) => e);
    const closeError = await within(lost, 2000, 'DEVICE_LOST');
    expect(writeError).toBe(closeError);
    expect(closeError?.code).toBe('DEVICE_LOST');
    expect(closeError?.details?.port).toBe(p.a);
  });
});

describe('mapOpenError on messages node-serialport produces for conditions we cannot stage here', () => {
  it.each([
    ['Error: Device or resource busy, cannot open /dev/ttyUSB0', 'PORT_BUSY'], // TIOCEXCL holder (screen)
    ['Error Resource temporarily unavailable Cannot lock port', 'PORT_BUSY'],
    ['Error: No such device or address, cannot open /dev/ttyUSB0', 'PORT_NOT_FOUND'],
    ['Error: Input/output error, cannot open /dev/ttyS5', 'PORT_OPEN_FAILED'],
  ] as const)('%s -> %s', async (message, code) => {
    const e = await mapOpenError('/dev/ttyUSB0', new Error(message), { root: os.tmpdir() });
    expect(e.code).toBe(code);
    expect(e.details?.port).toBe('/dev/ttyUSB0');
  });

  it('EACCES reads the group from <root>/etc/group by the node\u2019s gid (Arch: uucp)', async () => {
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'kiln-root-'));
    tmpDirs.push(root);
    const node = path.join(root, 'ttyUSB0');
    await fsp.writeFile(node, '');
    await fsp.chown(node, 0, 4321);
    await fsp.chmod(node, 0o660);
    await fsp.mkdir(path.join(root, 'etc'));
    await fsp.writeFile(path.join(root, 'etc/group'), 'root:x:0:\nuucp:x:4321:alice\n');
    const e = await mapOpenError(
      node,
      Object.assign(new Error('Error: Permission denied, cannot open x'), {}),
      { root },
    );
    expect(e.code).toBe('PORT_PERMISSION_DENIED');
    expect(e.details).toMatchObject({ group: 'uucp', gid: 4321, mode: '0660' });
    expect(e.hint).toContain('usermod -aG uucp');
  });
});
