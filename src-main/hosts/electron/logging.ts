/**
 * electron-log in the main process. Files go to the platform's standard log folder (Linux
 * `~/.config/Kiln/logs/main.log`, macOS `~/Library/Logs/Kiln/main.log`, Windows `%APPDATA%\Kiln\logs\main.log`),
 * rotated at 5 MB (one `main.old.log` kept).
 *
 * Renderer messages reach the same file from the window's 'console-message' event (the renderer logs with console.*),
 * not through electron-log's own preload: that preload would expose a second object (`__electronLog`) and an
 * unchecked `ipcRenderer.send` channel to the page, next to the one narrow `window.kiln`.
 */
import path from 'node:path';
import type { App, WebContentsConsoleMessageEventParams } from 'electron';
import log from 'electron-log/main';
import type { Logger } from '../../service/deps';

export interface Logging {
  /** A logger whose lines are tagged with `scope` (e.g. `[service]`). */
  scope(name: string): Logger;
  /** The folder holding main.log. */
  folder(): string;
}

export function setupLogging(): Logging {
  log.initialize({ preload: false });
  log.transports.file.level = 'info';
  log.transports.file.maxSize = 5 * 1024 * 1024;
  log.transports.console.level = 'warn';
  // Uncaught exceptions in the main process go to the file instead of a modal error box.
  log.errorHandler.startCatching({ showDialog: false });
  return {
    scope: (name) => log.scope(name),
    folder: () => path.dirname(log.transports.file.getFile().path),
  };
}

const LEVELS = { debug: 'debug', info: 'info', warning: 'warn', error: 'error' } as const;

/** Writes every renderer console message (level, text, source line) to the log through `logger`. */
export function captureRendererConsole(app: Pick<App, 'on'>, logger: Logger): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('console-message', (details) => {
      const { level, message, sourceId, lineNumber } =
        details as unknown as WebContentsConsoleMessageEventParams;
      const method = LEVELS[level] ?? 'info';
      logger[method](`${message} (${sourceId}:${lineNumber})`);
    });
  });
}
