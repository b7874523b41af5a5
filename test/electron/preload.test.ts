import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./mocks/electron'));

import { contextBridge, ipcRenderer } from './mocks/electron';
import {
  EVENT_NAMES,
  IPC_CALL_PREFIX,
  IPC_EVENT_CHANNEL,
  METHOD_NAMES,
  methods,
  type KilnApi,
} from '../../src-main/service/contract';
import {
  API_ARGUMENT_PREFIX,
  encodeApiManifest,
  readApiManifest,
} from '../../src-main/hosts/electron/api-manifest';

let kiln: KilnApi;
const argv = process.argv;

beforeAll(async () => {
  // What main.ts passes through webPreferences.additionalArguments, built from the runtime contract.
  process.argv = [...argv, encodeApiManifest({ methods: METHOD_NAMES, events: EVENT_NAMES })];
  await import('../../src-main/hosts/electron/preload');
  kiln = contextBridge.exposed.get('kiln') as KilnApi;
});
afterAll(() => {
  process.argv = argv;
});

describe('preload', () => {
  it('exposes one object, window.kiln, and nothing else', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['kiln']);
    expect(Object.isFrozen(kiln)).toBe(true);
  });

  it('exposes exactly the contract methods plus on', () => {
    expect(Object.keys(kiln).sort()).toEqual([...Object.keys(methods), 'on'].sort());
    for (const value of Object.values(kiln)) expect(typeof value).toBe('function');
    // No IPC primitive leaks through.
    expect(Object.values(kiln)).not.toContain(ipcRenderer);
    expect('invoke' in kiln || 'send' in kiln || 'ipcRenderer' in kiln).toBe(false);
  });

  it('calls the method channel and unwraps a successful outcome', async () => {
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, output: { ports: [] } });
    await expect(kiln.listPorts({})).resolves.toEqual({ ports: [] });
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC_CALL_PREFIX + 'listPorts', {});
  });

  it('rejects with the error data as a plain object (contextBridge drops Error properties)', async () => {
    const error = { code: 'PORT_BUSY', message: 'held', hint: 'close it', details: { pid: 1 } };
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, error });
    const rejection = await kiln.identify({ port: '/dev/ttyUSB0' }).catch((e: unknown) => e);
    expect(rejection).toEqual(error);
    expect(rejection).not.toBeInstanceOf(Error);
  });

  it('delivers events to subscribers and detaches after unsubscribe', () => {
    const seen: unknown[] = [];
    const off = kiln.on('jobProgress', (p) => seen.push(p));
    expect(ipcRenderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(1);
    const payload = {
      jobId: 'j1',
      phase: 'writing',
      bytesDone: 4096,
      bytesTotal: 8192,
      bytesPerSecond: 1000,
    };
    ipcRenderer.emit(
      IPC_EVENT_CHANNEL,
      { sender: 'ipc-event-object' },
      { type: 'event', event: 'jobProgress', payload },
    );
    ipcRenderer.emit(IPC_EVENT_CHANNEL, {}, { type: 'event', event: 'jobLog', payload: { jobId: 'j1' } });
    expect(seen).toEqual([payload]);
    off();
    expect(ipcRenderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(0);
    ipcRenderer.emit(IPC_EVENT_CHANNEL, {}, { type: 'event', event: 'jobProgress', payload });
    expect(seen).toHaveLength(1);
  });

  it('refuses unknown events', () => {
    expect(() =>
      (kiln.on as (e: string, cb: () => void) => unknown)('ipc-internal', () => undefined),
    ).toThrow(TypeError);
  });
});

describe('API manifest (main → preload)', () => {
  it('round-trips the contract names', () => {
    const manifest = readApiManifest([
      'electron',
      encodeApiManifest({ methods: METHOD_NAMES, events: EVENT_NAMES }),
    ]);
    expect(manifest.methods).toEqual(METHOD_NAMES);
    expect(manifest.events).toEqual(EVENT_NAMES);
  });

  it.each([
    ['missing', []],
    ['not JSON', [`${API_ARGUMENT_PREFIX}{`]],
    ['no methods', [`${API_ARGUMENT_PREFIX}${JSON.stringify({ m: [], e: ['x'] })}`]],
    ['a reserved name', [`${API_ARGUMENT_PREFIX}${JSON.stringify({ m: ['on'], e: ['x'] })}`]],
    ['a prototype key', [`${API_ARGUMENT_PREFIX}${JSON.stringify({ m: ['__proto__'], e: ['x'] })}`]],
    ['a channel-like name', [`${API_ARGUMENT_PREFIX}${JSON.stringify({ m: ['kiln:call:x'], e: ['x'] })}`]],
    ['duplicates', [`${API_ARGUMENT_PREFIX}${JSON.stringify({ m: ['a', 'a'], e: ['x'] })}`]],
  ])('refuses a manifest with %s (the preload then exposes nothing)', (_label, args) => {
    expect(() => readApiManifest(['electron', ...args])).toThrow();
  });
});
