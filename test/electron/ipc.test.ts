import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./mocks/electron'));

import type { BrowserWindow as ElectronWindow, IpcMain } from 'electron';
import { BrowserWindow, FakeFrame, FakeWebContents, ipcMain } from './mocks/electron';
import { KilnError } from '../../src-main/core/errors';
import { methods, type CallOutcome } from '../../src-main/service/contract';
import { EVENT_NAMES, IPC_CALL_PREFIX, IPC_EVENT_CHANNEL } from '../../src-main/vocabulary';
import {
  bindContract,
  forwardEvents,
  type ServiceInvoke,
  type ServiceSubscribe,
} from '../../src-main/hosts/electron/ipc';
import { parseCall } from '../../src-main/service/validate';

describe('IPC binding', () => {
  let window: BrowserWindow;
  let invoke: ReturnType<typeof vi.fn>;
  let handler: ReturnType<typeof vi.fn<(method: string, input: unknown) => Promise<unknown>>>;
  let unbind: () => void;

  const call = (channel: string, event: unknown, input: unknown) =>
    ipcMain.invoke(IPC_CALL_PREFIX + channel, event, input) as Promise<CallOutcome>;
  const fromWindow = () => ({ sender: window.webContents, senderFrame: window.webContents.mainFrame });

  beforeEach(() => {
    unbind?.();
    window = new BrowserWindow();
    // The service's own door, as service.invoke has it: the contract's schema (parseCall), then the handler.
    handler = vi.fn(async (method: string, input: unknown) => ({ method, input }));
    invoke = vi.fn(async (method: string, input: unknown) => handler(method, parseCall(method, input)));
    unbind = bindContract({
      ipcMain: ipcMain as unknown as IpcMain,
      getWindow: () => window as unknown as ElectronWindow,
      invoke: invoke as unknown as ServiceInvoke,
    });
  });

  it('binds exactly one channel per contract method', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(
      Object.keys(methods)
        .map((m) => IPC_CALL_PREFIX + m)
        .sort(),
    );
  });

  it("passes the app window's input to the service, which validates it and fills in defaults", async () => {
    const outcome = await call('startRead', fromWindow(), { port: '/dev/ttyUSB0' });
    expect(outcome).toEqual({
      ok: true,
      output: { method: 'startRead', input: { port: '/dev/ttyUSB0', offset: 0 } },
    });
    expect(invoke).toHaveBeenCalledWith('startRead', { port: '/dev/ttyUSB0' });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it.each([
    [
      'another window',
      () => ({ sender: new FakeWebContents(), senderFrame: new FakeFrame('kiln://app/index.html') }),
    ],
    [
      'a sub-frame of the app window',
      () => ({
        sender: window.webContents,
        senderFrame: new FakeFrame('kiln://app/index.html', window.webContents.mainFrame),
      }),
    ],
    ['a destroyed frame', () => ({ sender: window.webContents, senderFrame: null })],
  ])('rejects a call from %s without reaching the service', async (_label, makeEvent) => {
    const outcome = await call('listPorts', makeEvent(), {});
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.code).toBe('BAD_REQUEST');
    expect(invoke).not.toHaveBeenCalled();
  });

  it.each([
    'https://evil.example/',
    'file:///tmp/page.html',
    'kiln://evil/index.html',
    'devtools://devtools/',
  ])('rejects the main frame when it shows %s', async (url) => {
    window.webContents.mainFrame.url = url;
    const outcome = await call('listPorts', fromWindow(), {});
    expect(outcome.ok).toBe(false);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('rejects calls once the window is gone', async () => {
    window.destroyed = true;
    const outcome = await call('appInfo', fromWindow(), {});
    expect(outcome.ok).toBe(false);
    expect(invoke).not.toHaveBeenCalled();
  });

  it.each([
    ['monitorOpen', { port: '/dev/ttyUSB0', baud: 12345 }, 'baud'],
    ['monitorOpen', { port: '/etc/../etc/passwd', baud: 115200 }, 'port'],
    ['identify', { port: 42 }, 'port'],
    ['inspectFirmware', { name: 'a.bin', bytes: [1, 2, 3] }, 'bytes'],
    ['runFix', { fixId: 'add-group', confirmed: false }, 'confirmed'],
  ])(
    'answers a bad %s payload with BAD_REQUEST data and never reaches a service handler',
    async (method, input, field) => {
      const outcome = await call(method, fromWindow(), input);
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.error.code).toBe('BAD_REQUEST');
      expect(outcome.error.details?.method).toBe(method);
      expect((outcome.error.details?.issues as string[]).some((i) => i.startsWith(field))).toBe(true);
      // Plain data, so it survives structured cloning with every field intact.
      expect(outcome.error).not.toBeInstanceOf(Error);
      expect(structuredClone(outcome)).toEqual(outcome);
      expect(handler).not.toHaveBeenCalled();
    },
  );

  it('returns service errors as catalogue data, keeping the code, hint and details', async () => {
    handler.mockRejectedValueOnce(
      new KilnError('PORT_BUSY', 'held by minicom', { hint: 'Close minicom.', details: { pid: 77 } }),
    );
    const outcome = await call('identify', fromWindow(), { port: '/dev/ttyUSB0' });
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'PORT_BUSY', message: 'held by minicom', hint: 'Close minicom.', details: { pid: 77 } },
    });
  });

  it('turns an unexpected exception into INTERNAL data, not a thrown Error', async () => {
    handler.mockRejectedValueOnce(new TypeError('boom'));
    const outcome = await call('listPorts', fromWindow(), {});
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.code).toBe('INTERNAL');
  });

  it('removes every handler on unbind', () => {
    unbind();
    expect(ipcMain.handlers.size).toBe(0);
    unbind = () => undefined;
  });
});

describe('event forwarding', () => {
  it('sends service events to the window as WireEvents, drops them without a window, and stops after unsubscribe', () => {
    const window = new BrowserWindow();
    let listener: ((event: string, payload: unknown) => void) | null = null;
    const subscribe = ((l: (event: string, payload: unknown) => void) => {
      listener = l;
      return () => {
        listener = null;
      };
    }) as unknown as ServiceSubscribe;
    const stop = forwardEvents(subscribe, () => window as unknown as ElectronWindow);

    const data = new Uint8Array([0xc0, 0x01]);
    listener!('monitorData', { monitorId: 'm1', data });
    listener!('not-a-contract-event', { secret: 1 });
    expect(window.webContents.sent).toEqual([
      {
        channel: IPC_EVENT_CHANNEL,
        args: [{ type: 'event', event: 'monitorData', payload: { monitorId: 'm1', data } }],
      },
    ]);

    window.destroyed = true;
    listener!('jobLog', { jobId: 'j', level: 'info', message: 'x', time: 0 });
    expect(window.webContents.sent).toHaveLength(1);

    stop();
    expect(listener).toBeNull();
    expect(EVENT_NAMES).toContain('monitorData');
  });
});
