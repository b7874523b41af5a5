/**
 * main.ts wiring, against the electron mock: single-instance lock, what happens once the app is ready, and the clean
 * shutdown on quit. The service is a fake (the real one is tested in test/service); electron-log is a recorder.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./mocks/electron'));
vi.mock('electron-log/main', () => {
  const scoped = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  return {
    default: {
      initialize: vi.fn(),
      transports: {
        file: { level: 'info', maxSize: 0, getFile: () => ({ path: '/tmp/kiln-mock/logs/main.log' }) },
        console: { level: 'info' },
      },
      errorHandler: { startCatching: vi.fn() },
      scope: vi.fn(() => scoped),
    },
  };
});
const fakeService = {
  invoke: vi.fn(async (method: string) =>
    method === 'openLogFolder' ? { path: '/tmp/kiln-mock/logs', opened: false } : {},
  ),
  subscribe: vi.fn(() => () => undefined),
  shutdown: vi.fn(async () => undefined),
};
const createService = vi.fn<(deps: unknown, config: unknown) => typeof fakeService>(() => fakeService);
vi.mock('../../src-main/service/service', () => ({
  createService: (deps: unknown, config: unknown) => createService(deps, config),
}));
vi.mock('../../src-main/service/default-deps', () => ({ defaultDeps: () => ({ fake: true }) }));

import { methods, type CallOutcome } from '../../src-main/service/contract';
import { IPC_CALL_PREFIX } from '../../src-main/vocabulary';

type MockElectron = typeof import('./mocks/electron');
const flush = () => new Promise((r) => setTimeout(r, 0));

/** A fresh electron mock and a fresh main.ts (which runs its lifecycle code on import). */
async function loadMain(setup: (electron: MockElectron) => void = () => undefined): Promise<MockElectron> {
  vi.resetModules();
  const electron = (await import('electron')) as unknown as MockElectron;
  electron.resetElectronMock();
  setup(electron);
  await import('../../src-main/hosts/electron/main');
  await flush();
  return electron;
}

beforeEach(() => {
  fakeService.shutdown.mockClear();
  createService.mockClear();
});

describe('main process lifecycle', () => {
  it('hands over to the running instance when the single-instance lock is taken', async () => {
    const electron = await loadMain((e) => {
      e.app.singleInstance = false;
    });
    expect(electron.app.quit).toHaveBeenCalledTimes(1);
    expect(createService).not.toHaveBeenCalled();
    expect(electron.BrowserWindow.instances).toHaveLength(0);
  });

  it('on ready: serves the renderer, denies permissions, binds the contract, logs the renderer, opens the hardened window', async () => {
    const electron = await loadMain();
    expect(electron.protocol.privileged).toHaveLength(1);
    expect(electron.protocol.handlers.has('kiln')).toBe(true);
    expect(electron.session.defaultSession.permissionRequestHandler).not.toBeNull();
    expect(createService).toHaveBeenCalledTimes(1);
    expect(createService.mock.calls[0]![1]).toMatchObject({
      host: 'electron',
      appName: 'Kiln',
      logDir: '/tmp/kiln-mock/logs',
    });
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual(
      Object.keys(methods)
        .map((m) => IPC_CALL_PREFIX + m)
        .sort(),
    );

    const [window] = electron.BrowserWindow.instances;
    expect(window!.loadedUrl).toBe('kiln://app/index.html');
    const prefs = (window!.options as { webPreferences: Record<string, unknown> }).webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: '/tmp/kiln-mock/app/dist/main/preload.cjs',
    });
    // The preload takes the contract's names from the vocabulary it bundles; nothing travels on argv.
    expect(prefs.additionalArguments).toBeUndefined();
    // The guards of app 'web-contents-created' apply to the window's contents.
    electron.app.emit('web-contents-created', {}, window!.webContents);
    expect(window!.webContents.navigate('will-navigate', 'https://example.com/')).toBe(false);
    // Renderer console output lands in the log, at its level, with its source line.
    const log = (await import('electron-log/main')).default as unknown as {
      scope(): { warn: ReturnType<typeof vi.fn> };
    };
    window!.webContents.emit('console-message', {
      level: 'warning',
      message: 'port vanished',
      sourceId: 'kiln://app/assets/index.js',
      lineNumber: 3,
    });
    expect(log.scope().warn).toHaveBeenCalledWith('port vanished (kiln://app/assets/index.js:3)');
  });

  it('opens the log folder through the contract method, from the service-owned path', async () => {
    const electron = await loadMain();
    const [window] = electron.BrowserWindow.instances;
    const event = { sender: window!.webContents, senderFrame: window!.webContents.mainFrame };
    const outcome = (await electron.ipcMain.invoke(
      IPC_CALL_PREFIX + 'openLogFolder',
      event,
      {},
    )) as CallOutcome;
    expect(outcome).toEqual({ ok: true, output: { path: '/tmp/kiln-mock/logs', opened: true } });
    expect(electron.shell.openPath).toHaveBeenCalledWith('/tmp/kiln-mock/logs');
  });

  it('shuts the service down before quitting', async () => {
    const electron = await loadMain();
    const first = electron.makeEvent();
    electron.app.emit('before-quit', first);
    expect(first.defaultPrevented).toBe(true);
    expect(fakeService.shutdown).toHaveBeenCalledTimes(1);
    await flush();
    expect(electron.app.quit).toHaveBeenCalledTimes(1);
    // The second before-quit (from that app.quit) goes through.
    const second = electron.makeEvent();
    electron.app.emit('before-quit', second);
    expect(second.defaultPrevented).toBe(false);
    expect(fakeService.shutdown).toHaveBeenCalledTimes(1);
  });
});
