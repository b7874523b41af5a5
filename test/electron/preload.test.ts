import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./mocks/electron'));

import { contextBridge, ipcRenderer } from './mocks/electron';
import { events, methods, type KilnApi } from '../../src-main/service/contract';
import { IPC_CALL_PREFIX, IPC_EVENT_CHANNEL } from '../../src-main/vocabulary';

let kiln: KilnApi;

beforeAll(async () => {
  await import('../../src-main/hosts/electron/preload');
  kiln = contextBridge.exposed.get('kiln') as KilnApi;
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

describe('names (vocabulary → preload)', () => {
  it('subscribes to every contract event and to nothing else', () => {
    for (const event of Object.keys(events))
      expect(() => kiln.on(event as never, () => undefined)()).not.toThrow();
  });
});
