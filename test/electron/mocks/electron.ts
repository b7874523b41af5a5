/**
 * A small stand-in for the `electron` module (no Electron binary can be installed on the build machines). Tests
 * install it with `vi.mock('electron', () => import('./mocks/electron'))`. It models only what Kiln's host uses,
 * with enough behaviour to check guards: event emitters for WebContents/app, a handler registry for ipcMain, a
 * record of what contextBridge exposed, and the session's permission handlers.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

let nextId = 1;

export class FakeFrame {
  parent: FakeFrame | null;
  url: string;
  constructor(url: string, parent: FakeFrame | null = null) {
    this.url = url;
    this.parent = parent;
  }
}

/** A navigation-style event whose preventDefault is observable. */
export function makeEvent(
  fields: Record<string, unknown> = {},
): { defaultPrevented: boolean; preventDefault(): void } & Record<string, unknown> {
  const event = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  mainFrame: FakeFrame;
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  destroyed = false;
  constructor(url = 'kiln://app/index.html') {
    super();
    this.mainFrame = new FakeFrame(url);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Emits a navigation-like event the way Electron 45 does (details object first, deprecated url second). */
  navigate(kind: 'will-navigate' | 'will-redirect', url: string): boolean {
    const event = makeEvent({ url });
    this.emit(kind, event, url);
    return !event.defaultPrevented;
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  readonly options: unknown;
  readonly webContents: FakeWebContents;
  destroyed = false;
  loadedUrl: string | null = null;
  constructor(options: unknown = {}) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents();
    BrowserWindow.instances.push(this);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
  }
  show = vi.fn();
  focus = vi.fn();
  restore = vi.fn();
  isMinimized = vi.fn(() => false);
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.instances.filter((w) => !w.destroyed);
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What Electron does on `ipcRenderer.invoke`: find the handler and await it. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
}
export const ipcMain = new FakeIpcMain();

class FakeIpcRenderer extends EventEmitter {
  readonly invoke = vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(async () => ({
    ok: true,
    output: {},
  }));
}
export const ipcRenderer = new FakeIpcRenderer();

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    if (contextBridge.exposed.has(key))
      throw new Error(`Cannot bind an API on top of an existing property: ${key}`);
    contextBridge.exposed.set(key, api);
  },
};

export const shell = {
  openExternal: vi.fn<(url: string) => Promise<void>>(async () => undefined),
  openPath: vi.fn<(path: string) => Promise<string>>(async () => ''),
};

export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    protocol.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    protocol.handlers.set(scheme, handler);
  },
};

export class FakeSession {
  permissionRequestHandler:
    ((wc: unknown, permission: string, cb: (granted: boolean) => void, details: unknown) => void) | null =
    null;
  permissionCheckHandler:
    ((wc: unknown, permission: string, origin: string, details: unknown) => boolean) | null = null;
  devicePermissionHandler: ((details: unknown) => boolean) | null = null;
  setPermissionRequestHandler(h: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = h;
  }
  setDevicePermissionHandler(h: FakeSession['devicePermissionHandler']): void {
    this.devicePermissionHandler = h;
  }
}
export const session = { defaultSession: new FakeSession() };

class FakeApp extends EventEmitter {
  readonly paths: Record<string, string> = {
    logs: '/tmp/kiln-mock/logs',
    userData: '/tmp/kiln-mock/userData',
  };
  appPath = '/tmp/kiln-mock/app';
  singleInstance = true;
  whenReady = vi.fn(async () => undefined);
  quit = vi.fn();
  exit = vi.fn();
  setAboutPanelOptions = vi.fn();
  getPath(name: string): string {
    const p = this.paths[name];
    if (!p) throw new Error(`Failed to get '${name}' path`);
    return p;
  }
  getAppPath(): string {
    return this.appPath;
  }
  getVersion(): string {
    return '0.1.0';
  }
  getName(): string {
    return 'Kiln';
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstance;
  }
}
export const app = new FakeApp();

export const dialog = { showMessageBox: vi.fn(async () => ({ response: 0, checkboxChecked: false })) };
export const Menu = { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn((t: unknown) => t) };

export default {
  app,
  BrowserWindow,
  contextBridge,
  dialog,
  ipcMain,
  ipcRenderer,
  Menu,
  protocol,
  session,
  shell,
};

/**
 * Clears all recorded state, for tests that load main.ts more than once. They reach it through the mocked
 * 'electron' module, a path knip cannot follow, hence the tag.
 * @public
 */
export function resetElectronMock(): void {
  ipcMain.handlers.clear();
  ipcRenderer.removeAllListeners();
  ipcRenderer.invoke.mockClear();
  contextBridge.exposed.clear();
  protocol.privileged.length = 0;
  protocol.handlers.clear();
  session.defaultSession = new FakeSession();
  BrowserWindow.instances.length = 0;
  app.removeAllListeners();
  app.singleInstance = true;
  app.quit.mockClear();
  app.exit.mockClear();
  app.whenReady.mockClear();
  shell.openExternal.mockClear();
  shell.openPath.mockClear();
}
