/**
 * The preload of Kiln's window. Bundled to CommonJS (`dist/main/preload.cjs`) because sandboxed preloads cannot be
 * ES modules; it may `require` only `electron` (and a few built-ins), so everything else is bundled in.
 *
 * It exposes exactly one object, `window.kiln`: a function per contract method and `on(event, cb)`. Raw
 * `ipcRenderer` never reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { readApiManifest } from './api-manifest';
import { buildKilnApi } from './bridge-api';

// The method and event names come from the main process (webPreferences.additionalArguments), see api-manifest.ts.
contextBridge.exposeInMainWorld('kiln', buildKilnApi(ipcRenderer, readApiManifest(process.argv)));
