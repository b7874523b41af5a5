/**
 * Browser mode's logger: one line per entry appended to `<logDir>/web.log` (the folder "Open log folder"
 * shows), warnings and errors also on stderr. Deliberately small: the Electron host uses electron-log.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import type { Logger } from '../../service/deps';

type Level = 'debug' | 'info' | 'warn' | 'error';

export function createFileLogger(
  logDir: string,
  opts: { echo?: Level[]; fileName?: string } = {},
): Logger & { file: string } {
  mkdirSync(logDir, { recursive: true });
  const file = path.join(logDir, opts.fileName ?? 'web.log');
  const echo = new Set<Level>(opts.echo ?? ['warn', 'error']);
  const write = (level: Level, message: string, rest: unknown[]) => {
    const extra = rest
      .map((r) => (r instanceof Error ? (r.stack ?? r.message) : inspect(r, { depth: 4 })))
      .join(' ');
    const line = `[${new Date().toISOString()}] [${level}] ${message}${extra ? ` ${extra}` : ''}`;
    try {
      appendFileSync(file, line + '\n');
    } catch {
      // A full disk must not take the server down; the console still gets warnings.
    }
    if (echo.has(level)) process.stderr.write(line + '\n');
  };
  return {
    file,
    debug: (m, ...r) => write('debug', m, r),
    info: (m, ...r) => write('info', m, r),
    warn: (m, ...r) => write('warn', m, r),
    error: (m, ...r) => write('error', m, r),
  };
}
