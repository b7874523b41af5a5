/**
 * A plain-JS `electron` for running the real main-process bundle (dist/main/electron.cjs) under Node in a child
 * process: enough API for main.ts and electron-log, with windows, IPC handlers and protocol handlers recorded so the
 * driver (run-main-bundle.cjs) can call into them.
 */
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it stands in for electron's require() */
const { EventEmitter } = require('node:events');
const path = require('node:path');

const state = { windows: [], handlers: new Map(), protocols: new Map(), privileged: [], sent: [], menus: 0 };

class WebContents extends EventEmitter {
  constructor() {
    super();
    this.id = 1;
    this.mainFrame = { url: 'kiln://app/index.html', parent: null };
    this.windowOpenHandler = null;
  }
  setWindowOpenHandler(h) {
    this.windowOpenHandler = h;
  }
  send(channel, message) {
    state.sent.push(message);
    if (state.onSend) state.onSend(channel, message);
  }
  isDestroyed() {
    return false;
  }
}

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    state.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url) {
    this.url = url;
    setImmediate(() => this.emit('ready-to-show'));
  }
  show() {}
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return false;
  }
  static getAllWindows() {
    return state.windows;
  }
}

const session = {
  defaultSession: {
    setPermissionRequestHandler(h) {
      this.request = h;
    },
    setPermissionCheckHandler(h) {
      this.check = h;
    },
    setDevicePermissionHandler(h) {
      this.device = h;
    },
  },
};

class App extends EventEmitter {
  constructor() {
    super();
    this.name = 'Kiln';
    this.isPackaged = false;
    this.ready = false;
  }
  getName() {
    return 'Kiln';
  }
  getVersion() {
    return '0.1.0-bundle-test';
  }
  getAppPath() {
    return process.env.KILN_TEST_APP_PATH;
  }
  getPath(name) {
    return path.join(process.env.KILN_TEST_USER_DATA, name === 'userData' ? '' : name);
  }
  isReady() {
    return this.ready;
  }
  whenReady() {
    return new Promise((resolve) =>
      setImmediate(() => {
        this.ready = true;
        this.emit('ready');
        resolve();
      }),
    );
  }
  requestSingleInstanceLock() {
    return true;
  }
  setAboutPanelOptions() {}
  quit() {
    const event = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('before-quit', event);
    if (!event.defaultPrevented) {
      state.quit = true;
      if (state.onQuit) state.onQuit();
    }
  }
  exit(code) {
    process.exit(code);
  }
}
const app = new App();

module.exports = {
  __state: state,
  app,
  BrowserWindow,
  session,
  webContents: { getAllWebContents: () => state.windows.map((w) => w.webContents) },
  ipcMain: {
    on() {},
    handle(channel, handler) {
      if (state.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      state.handlers.set(channel, handler);
    },
    removeHandler(channel) {
      state.handlers.delete(channel);
    },
  },
  protocol: {
    registerSchemesAsPrivileged(schemes) {
      state.privileged.push(...schemes);
    },
    handle(scheme, handler) {
      state.protocols.set(scheme, handler);
    },
  },
  Menu: {
    buildFromTemplate: (t) => t,
    setApplicationMenu() {
      state.menus++;
    },
  },
  shell: { openExternal: async () => undefined, openPath: async () => '' },
  dialog: { showMessageBox: async () => ({ response: 0 }), showErrorBox() {} },
};
