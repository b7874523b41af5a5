/**
 * The CLI's way to the service (DESIGN §3: the CLI calls `service/` directly). What differs from the GUI hosts:
 * - the person typed the port path, so a path that exists as a device node is acceptable even when the port
 *   listing does not show it (a socat pty, a by-path link): it is added to the listing the service checks;
 * - a path outside /dev (a socat `link=` in /tmp) is opened as the device node it points at, because the
 *   contract accepts only device-looking paths;
 * - the data folder is `$KILN_DATA_DIR`, else `$XDG_DATA_HOME/kiln`, else `~/.local/share/kiln`.
 */
import { realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger, PortInfo, ServiceDeps } from '../../service/deps';
import type { KilnService } from '../../service/service';
import { isPortName } from '../../vocabulary';
import { socketTarget } from '../../service/socket-targets';
import type { CliIo } from './io';

export const CLI_VERSION = '0.1.0';

export function dataDirFor(env: CliIo['env']): string {
  if (env.KILN_DATA_DIR) return path.resolve(env.KILN_DATA_DIR);
  const xdg = env.XDG_DATA_HOME || path.join(env.HOME || os.homedir(), '.local', 'share');
  return path.join(xdg, 'kiln');
}

function isCharDevice(p: string): boolean {
  try {
    return statSync(p).isCharacterDevice();
  } catch {
    return false;
  }
}

/**
 * The name the service should get for a typed port: sim: and socket:// pass through, a path relative to the
 * working directory is made absolute, and a path the contract would refuse is replaced by the device node a
 * symlink points at. Returns the typed name when nothing better exists (the service then says why it fails).
 */
export function servicePortName(typed: string, cwd: string): string {
  if (typed.startsWith('sim:') || typed.startsWith('socket://') || /^(\\\\\.\\)?COM\d+$/i.test(typed))
    return typed;
  const abs = path.resolve(cwd, typed);
  if (isPortName(abs)) return abs;
  try {
    const real = realpathSync(abs);
    if (isPortName(real)) return real;
  } catch {
    // Missing: keep the typed path so the error names what the person wrote.
  }
  return abs;
}

/** A device node named on this command line that no listing shows (a socat pty): flashed at 115200 by default. */
function namedNode(named: string[], p: string): PortInfo | undefined {
  return p.startsWith('/') && named.includes(p) && isCharDevice(p)
    ? { path: p, defaultBaud: 115200 }
    : undefined;
}

/** ServiceDeps whose listing and look-up also show the device nodes named on this command line. */
export function withNamedPorts(base: ServiceDeps, named: string[]): ServiceDeps {
  return {
    ...base,
    async listPorts() {
      const listed = await base.listPorts();
      const extra = named
        .filter((p) => !listed.some((l) => l.path === p || l.byId === p))
        .map((p) => namedNode(named, p))
        .filter((p): p is PortInfo => p !== undefined);
      return [...listed, ...extra];
    },
    async findPort(p) {
      return (await base.findPort?.(p)) ?? namedNode(named, p);
    },
  };
}

export function stderrLogger(io: CliIo): Logger {
  const at =
    (level: string) =>
    (message: string, ...rest: unknown[]) =>
      io.stderr.write(
        `[${level}] ${message}${rest.length ? ` ${rest.map((r) => (r instanceof Error ? r.message : String(r))).join(' ')}` : ''}\n`,
      );
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface CliServiceOptions {
  io: CliIo;
  /** Device nodes the person named (already through `servicePortName`). */
  namedPorts: string[];
  verbose: boolean;
}

/** Makes the service a command talks to; may load it lazily (the CLI does, so `kiln --version` stays quick). */
export type ServiceFactory = (o: CliServiceOptions) => KilnService | Promise<KilnService>;

export const createCliService: ServiceFactory = async ({ io, namedPorts, verbose }) => {
  // Loaded on first use: the service brings zod, serialport, the engine and the doctor with it.
  const [{ defaultDeps }, { silentLogger }, { createService }] = await Promise.all([
    import('../../service/default-deps'),
    import('../../service/deps'),
    import('../../service/service'),
  ]);
  const dataDir = dataDirFor(io.env);
  const logger: Logger = verbose ? stderrLogger(io) : silentLogger;
  const deps = withNamedPorts(defaultDeps({ logger }), namedPorts);
  return createService(deps, {
    host: 'cli',
    appName: 'Kiln',
    appVersion: CLI_VERSION,
    dataDir,
    logDir: path.join(dataDir, 'logs'),
    logger,
    // No page here: the only caller is `kiln doctor --fix ID`, which showed the exact commands in this terminal
    // and got the person's y (or --yes) before it asks the service to run the fix.
    confirmFix: async () => true,
    // A socket:// target is allowed when the person typed it on this command line.
    confirmSocketTarget: async (target) => namedPorts.some((p) => socketTarget(p) === target),
  });
};
