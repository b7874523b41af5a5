/**
 * The preload of Kiln's window. Bundled to CommonJS (`dist/main/preload.cjs`) because sandboxed preloads cannot be
 * ES modules; it may `require` only `electron` (and a few built-ins), so everything else is bundled in: the method
 * and event names come from src-main/vocabulary (plain strings), never from the zod contract.
 *
 * It exposes exactly one object, `window.kiln`: a function per contract method and `on(event, cb)`. Raw
 * `ipcRenderer` never reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { buildKilnApi } from './bridge-api';

contextBridge.exposeInMainWorld('kiln', buildKilnApi(ipcRenderer));
