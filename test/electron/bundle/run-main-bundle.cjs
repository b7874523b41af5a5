/**
 * Child-process driver: loads the real main bundle with the electron stub, then answers the parent's messages by
 * calling the registered IPC handlers as the app window would, and forwards what the main process sends the window.
 * Started with child_process.fork(..., { serialization: 'advanced' }) so Uint8Array crosses intact.
 */
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it stands in for electron's require() */
const Module = require('node:module');
const path = require('node:path');

const stubPath = path.join(__dirname, 'electron-stub.cjs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'electron') return stubPath;
  return resolve.call(this, request, ...rest);
};
const electron = require(stubPath);
const state = electron.__state;

state.onSend = (channel, message) => process.send({ type: 'sent', channel, message });
state.onQuit = () => process.send({ type: 'quit' });

require(process.env.KILN_TEST_BUNDLE);

process.on('message', async (msg) => {
  try {
    if (msg.type === 'status') {
      const w = state.windows[0];
      process.send({
        type: 'status',
        id: msg.id,
        windows: state.windows.length,
        url: w && w.url,
        webPreferences: w && w.options.webPreferences,
        channels: [...state.handlers.keys()],
        protocols: [...state.protocols.keys()],
        privileged: state.privileged,
        menus: state.menus,
        permissionDenied: await new Promise((r) =>
          electron.session.defaultSession.request(null, 'media', r, {}),
        ),
      });
    } else if (msg.type === 'call') {
      const w = state.windows[0];
      const event = msg.foreign
        ? { sender: {}, senderFrame: { url: 'https://evil.example/', parent: null } }
        : { sender: w.webContents, senderFrame: w.webContents.mainFrame };
      const outcome = await state.handlers.get('kiln:call:' + msg.method)(event, msg.input);
      process.send({ type: 'result', id: msg.id, outcome });
    } else if (msg.type === 'fetch') {
      const response = await state.protocols.get('kiln')(new Request(msg.url));
      process.send({
        type: 'fetched',
        id: msg.id,
        status: response.status,
        csp: response.headers.get('content-security-policy'),
        body: await response.text(),
      });
    } else if (msg.type === 'quit') {
      electron.app.quit();
    }
  } catch (e) {
    process.send({ type: 'error', id: msg.id, message: String((e && e.stack) || e) });
  }
});
