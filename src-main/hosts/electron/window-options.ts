import type { BrowserWindowConstructorOptions } from 'electron';

export interface MainWindowInputs {
  /** Absolute path of the bundled CommonJS preload (`dist/main/preload.cjs`). */
  preloadPath: string;
  /** Window/taskbar icon; omitted on macOS where the bundle icon is used. */
  iconPath?: string;
}

/**
 * Options of Kiln's only window, as a pure function so a test can assert every security flag.
 *
 * Each flag is written out even where it equals Electron's current default: defaults have changed between Electron
 * versions (sandbox became the default in 20), and an explicit value is what a reviewer and electronegativity check.
 */
export function mainWindowOptions({
  preloadPath,
  iconPath,
}: MainWindowInputs): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    title: 'Kiln',
    // Shown on 'ready-to-show' so the user never sees an empty white frame.
    show: false,
    autoHideMenuBar: true,
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      preload: preloadPath,
      // The renderer's JS world is separate from the preload's: the page only sees what contextBridge exposes.
      contextIsolation: true,
      // The renderer process runs in Chromium's OS-level sandbox; the preload gets a reduced `require`.
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      // No <webview> tags, no experimental Blink features, no remote module-era escape hatches.
      webviewTag: false,
      experimentalFeatures: false,
      enableBlinkFeatures: '',
      // Middle-click opens links through a path that predates setWindowOpenHandler in some versions; turn it off.
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
      // Firmware travels as bytes read by the File API; spellcheck would send typed text to a dictionary service.
      spellcheck: false,
      safeDialogs: true,
    },
  };
}
