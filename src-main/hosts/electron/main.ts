/**
 * Electron main process: app lifecycle, the one window, the service and its IPC binding, logging, the menu with
 * About and "Open log folder", and a clean shutdown. Bundled to `dist/main/electron.cjs` (package.json "main").
 * Everything with a decision in it lives in the small modules beside this file, which are unit-tested against an
 * `electron` mock; this file only wires them together.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  type MenuItemConstructorOptions,
} from 'electron';
import { createService, type KilnService } from '../../service/service';
import { defaultDeps } from '../../service/default-deps';
import { socketTargetRequest } from '../../service/socket-targets';
import { aboutContent } from './about';
import { nativeFixConfirmation } from './fix-confirm';
import { APP_ENTRY_URL } from './app-protocol';
import { withElectronAbilities } from './host-methods';
import { bindContract, forwardEvents } from './ipc';
import { captureRendererConsole, setupLogging, type Logging } from './logging';
import { denyAllPermissions, hardenApp, registerAppScheme, serveRenderer } from './security';
import { mainWindowOptions } from './window-options';

/** How long quitting waits for jobs to cancel and ports to close before giving up. */
const SHUTDOWN_TIMEOUT_MS = 5000;

let mainWindow: BrowserWindow | null = null;
let service: KilnService | null = null;
let logging: Logging | null = null;
let shutdownState: 'running' | 'stopping' | 'stopped' = 'running';

const openExternal = (url: string) => shell.openExternal(url);

function appFile(...parts: string[]): string {
  return path.join(app.getAppPath(), ...parts);
}

/** THIRD_PARTY_NOTICES.md ships as a plain file in resources/ (so the system viewer can open it). */
function noticesPath(): string {
  return app.isPackaged
    ? path.join(process.resourcesPath, 'THIRD_PARTY_NOTICES.md')
    : appFile('THIRD_PARTY_NOTICES.md');
}

function createWindow(): void {
  const options = mainWindowOptions({
    preloadPath: appFile('dist', 'main', 'preload.cjs'),
  });
  // The critical flags are restated where the window is built: electronegativity checks each file on its own and
  // cannot follow mainWindowOptions(), and an edit to that function can then never weaken them silently.
  const window = new BrowserWindow({
    ...options,
    webPreferences: {
      ...options.webPreferences,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  mainWindow = window;
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  void window.loadURL(APP_ENTRY_URL);
}

async function openLogFolder(): Promise<void> {
  if (!logging) return;
  const failure = await shell.openPath(logging.folder());
  if (failure) logging.scope('main').warn(`could not open the log folder: ${failure}`);
}

async function showAbout(): Promise<void> {
  const notices = await readFile(noticesPath(), 'utf8').catch(() => null);
  const content = aboutContent({
    version: app.getVersion(),
    electron: process.versions.electron ?? '?',
    platform: `${process.platform} ${process.arch}`,
    notices,
  });
  const options = {
    type: 'info' as const,
    title: content.title,
    message: content.message,
    detail: content.detail,
    buttons: ['Close', 'Third-party notices', 'Open log folder'],
    defaultId: 0,
    cancelId: 0,
  };
  const { response } = mainWindow
    ? await dialog.showMessageBox(mainWindow, options)
    : await dialog.showMessageBox(options);
  if (response === 1) await shell.openPath(noticesPath());
  if (response === 2) await openLogFolder();
}

function buildMenu(): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        // Developer tools only in unpackaged runs: a packaged app has no reason to offer a console into the page.
        ...(app.isPackaged
          ? []
          : [
              { type: 'separator' as const },
              { role: 'reload' as const },
              { role: 'toggleDevTools' as const },
            ]),
      ],
    },
    {
      role: 'help',
      submenu: [
        { label: 'About Kiln', click: () => void showAbout() },
        { label: 'Open log folder', click: () => void openLogFolder() },
        { label: 'Third-party notices', click: () => void shell.openPath(noticesPath()) },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}

async function start(): Promise<void> {
  logging = setupLogging();
  captureRendererConsole(app, logging.scope('renderer'));
  const log = logging.scope('main');
  log.info(
    `Kiln ${app.getVersion()} starting (Electron ${process.versions.electron}, ${process.platform} ${process.arch})`,
  );

  denyAllPermissions(session.defaultSession);
  serveRenderer(protocol, appFile('dist', 'renderer'));

  // Decisions the page may not make are asked in the main process's own dialog.
  const nativeConfirm = nativeFixConfirmation(dialog, () => mainWindow);
  service = createService(defaultDeps({ logger: logging.scope('serial') }), {
    host: 'electron',
    appName: 'Kiln',
    appVersion: app.getVersion(),
    dataDir: app.getPath('userData'),
    logDir: logging.folder(),
    logger: logging.scope('service'),
    platform: process.platform,
    confirmFix: nativeConfirm,
    confirmSocketTarget: (target) => nativeConfirm(socketTargetRequest(target)),
  });
  const running = service;
  bindContract({
    ipcMain,
    getWindow: () => mainWindow,
    invoke: withElectronAbilities((method, input) => running.invoke(method, input), {
      openPath: (p) => shell.openPath(p),
    }),
    log: logging.scope('ipc'),
  });
  forwardEvents(
    (listener) => running.subscribe(listener),
    () => mainWindow,
  );

  app.setAboutPanelOptions({
    applicationName: 'Kiln',
    applicationVersion: app.getVersion(),
    copyright: 'Kiln developers, MIT licence',
  });
  Menu.setApplicationMenu(buildMenu());
  createWindow();
}

/** Cancels jobs and closes ports before the process exits; bounded so a stuck port cannot block quitting. */
async function shutdown(): Promise<void> {
  const log = logging?.scope('main');
  const stopping = service?.shutdown() ?? Promise.resolve();
  const timeout = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), SHUTDOWN_TIMEOUT_MS).unref(),
  );
  const outcome = await Promise.race([stopping.then(() => 'done' as const), timeout]).catch((e: unknown) => {
    log?.error('shutdown failed', e);
    return 'failed' as const;
  });
  if (outcome === 'timeout')
    log?.warn(`service did not stop within ${SHUTDOWN_TIMEOUT_MS} ms; quitting anyway`);
  else log?.info('service stopped');
}

// --- lifecycle ------------------------------------------------------------------------------------------------------

// Scheme privileges can only be declared before the app is ready.
registerAppScheme(protocol);

if (!app.requestSingleInstanceLock()) {
  // A second Kiln would fight the first over the same serial ports: hand over to the running one.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  hardenApp(app, openExternal);
  app.whenReady().then(start, (e: unknown) => {
    console.error('Kiln failed to start', e);
    app.exit(1);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (shutdownState === 'running' && service && !mainWindow) createWindow();
  });
  // Ctrl-C in a terminal or a service manager's stop: quit through 'before-quit' so jobs and ports close cleanly.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());
  app.on('before-quit', (event) => {
    if (shutdownState === 'stopped') return;
    event.preventDefault();
    if (shutdownState === 'stopping') return;
    shutdownState = 'stopping';
    void shutdown().finally(() => {
      shutdownState = 'stopped';
      app.quit();
    });
  });
}
