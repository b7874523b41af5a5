/**
 * The real main-process bundle (what package.json "main" points to), built by scripts/build.mjs and run under Node
 * with a plain-JS electron stub (no Electron binary here). It exercises what the mock-based unit tests cannot: that
 * the bundle loads (CommonJS, externals, the import.meta shim used to find esptool-js's stub images), that main.ts
 * wires the real service, and that a flash of the virtual ESP8266 through the IPC handlers ends verified, with the
 * flash read back byte for byte.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFirmware } from '../helpers/shared';
import { runScript } from '../packaging/run-script';
import {
  methods,
  type CallOutcome,
  type EventPayload,
  type WireEvent,
} from '../../src-main/service/contract';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let appDir: string;
let child: ChildProcess;
let nextId = 1;
const events: WireEvent[] = [];
const waiters = new Map<number, (msg: Record<string, unknown>) => void>();

function request(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiters.set(id, resolve);
    child.send({ ...msg, id });
  });
}

async function call(method: string, input: unknown, foreign = false): Promise<CallOutcome> {
  return (await request({ type: 'call', method, input, foreign })).outcome as CallOutcome;
}

async function until<T>(find: () => T | undefined, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  // Inside the repository (gitignored), so the bundle resolves node_modules exactly as in the packaged app.
  mkdirSync(path.join(REPO, '.kiln-tmp'), { recursive: true });
  appDir = mkdtempSync(path.join(REPO, '.kiln-tmp', 'main-bundle-'));
  const build = await runScript('scripts/build.mjs', ['--out', path.join(appDir, 'dist'), '--no-renderer']);
  if (build.code !== 0) throw new Error(`build failed:\n${build.output}`);
  mkdirSync(path.join(appDir, 'dist', 'renderer'), { recursive: true });
  writeFileSync(path.join(appDir, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Kiln</title>');
  child = fork(path.join(REPO, 'test/electron/bundle/run-main-bundle.cjs'), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      KILN_TEST_BUNDLE: path.join(appDir, 'dist', 'main', 'electron.cjs'),
      KILN_TEST_APP_PATH: appDir,
      KILN_TEST_USER_DATA: path.join(appDir, 'user-data'),
    },
  });
  child.on('message', (msg: Record<string, unknown>) => {
    if (msg.type === 'sent') events.push(msg.message as WireEvent);
    const waiter = typeof msg.id === 'number' ? waiters.get(msg.id) : undefined;
    if (waiter) {
      waiters.delete(msg.id as number);
      waiter(msg);
    }
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  // Wait for the window: main.ts creates it once the (stubbed) app is ready.
  const ready = await (async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const s = await request({ type: 'status' });
      if (s.windows === 1) return s;
      if (Date.now() > deadline) throw new Error(`main bundle did not open its window:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  expect(ready.url).toBe('kiln://app/index.html');
}, 120_000);

afterAll(() => {
  child?.kill();
  if (appDir) rmSync(appDir, { recursive: true, force: true });
});

describe('main bundle under Node', () => {
  it('starts: hardened window, every contract channel, the kiln:// protocol with CSP, permissions denied', async () => {
    const status = await request({ type: 'status' });
    expect(status.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect((status.webPreferences as { preload: string }).preload).toBe(
      path.join(appDir, 'dist', 'main', 'preload.cjs'),
    );
    const channels = status.channels as string[];
    expect(channels.filter((c) => c.startsWith('kiln:')).sort()).toEqual(
      Object.keys(methods)
        .map((m) => `kiln:call:${m}`)
        .sort(),
    );
    // The only other handler is electron-log's own; no renderer can reach it, as no preload exposes ipcRenderer.
    expect(channels.filter((c) => !c.startsWith('kiln:'))).toEqual(['__ELECTRON_LOG__']);
    expect(status.protocols).toEqual(['kiln']);
    expect(status.permissionDenied).toBe(false);
    const page = await request({ type: 'fetch', url: 'kiln://app/index.html' });
    expect(page.status).toBe(200);
    expect(page.csp).toContain("default-src 'none'");
    expect((await request({ type: 'fetch', url: 'kiln://app/..%2f..%2fpackage.json' })).status).toBe(404);
  });

  it('answers appInfo as the electron host and refuses a foreign sender', async () => {
    const info = await call('appInfo', {});
    expect(info.ok).toBe(true);
    expect(info.ok && info.output).toMatchObject({ host: 'electron', version: '0.1.0-bundle-test' });
    const foreign = await call('appInfo', {}, true);
    expect(foreign.ok).toBe(false);
    expect(!foreign.ok && foreign.error.code).toBe('BAD_REQUEST');
  });

  it('flashes the virtual ESP8266 through IPC, verified, and reads the same bytes back', async () => {
    const image = new Uint8Array(readFirmware('nonos_boot_v1.7.bin'));
    const inspected = await call('inspectFirmware', { name: 'nonos_boot_v1.7.bin', bytes: image });
    if (!inspected.ok) throw new Error(JSON.stringify(inspected.error));
    const sha256 = (inspected.output as { sha256: string }).sha256;
    expect(sha256).toBe(createHash('sha256').update(image).digest('hex'));

    const started = await call('startFlash', {
      port: 'sim:esp8266',
      images: [{ sha256, offset: 0, name: 'nonos_boot_v1.7.bin' }],
    });
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    const jobId = (started.output as { jobId: string }).jobId;
    const done = await until(
      () => events.find((e) => e.event === 'jobDone' && (e.payload as { jobId: string }).jobId === jobId),
      'jobDone',
    );
    const payload = done.payload as EventPayload<'jobDone'>;
    expect(payload.error).toBeUndefined();
    expect(payload.ok).toBe(true);
    const result = payload.result as { kind: string; regions: { offset: number; verified: boolean }[] };
    expect(result.kind).toBe('flash');
    expect(result.regions.map((r) => [r.offset, r.verified])).toEqual([[0, true]]);
    expect(
      events.some((e) => e.event === 'jobProgress' && (e.payload as { jobId: string }).jobId === jobId),
    ).toBe(true);

    const read = await call('startRead', { port: 'sim:esp8266', offset: 0, size: image.length });
    if (!read.ok) throw new Error(JSON.stringify(read.error));
    const readId = (read.output as { jobId: string }).jobId;
    const readDone = (
      await until(
        () => events.find((e) => e.event === 'jobDone' && (e.payload as { jobId: string }).jobId === readId),
        'read jobDone',
      )
    ).payload as EventPayload<'jobDone'>;
    expect(readDone.ok).toBe(true);
    const saved = (readDone.result as { read: { sha256: string } }).read;
    const bytes = await call('getFirmware', { sha256: saved.sha256 });
    if (!bytes.ok) throw new Error(JSON.stringify(bytes.error));
    expect(Buffer.from((bytes.output as { bytes: Uint8Array }).bytes).equals(Buffer.from(image))).toBe(true);
  }, 90_000);

  it('shuts the service down and quits on request', async () => {
    const quit = new Promise<void>((resolve) =>
      child.on('message', (m: { type?: string }) => m.type === 'quit' && resolve()),
    );
    child.send({ type: 'quit' });
    await quit;
  });
});
