/**
 * `npm run web`: Kiln in browser mode. Builds the renderer when `dist/renderer` is missing, starts the service
 * with the real engine, serial layer, simulator and doctor, serves the UI on 127.0.0.1 and prints the URL with
 * its token. Ctrl-C cancels running jobs and closes ports before exiting.
 *
 * Options: --port N (default: a free port), --host ADDR (default 127.0.0.1; anything else exposes the flasher
 * to the network, token-protected), --data-dir DIR, --renderer-dir DIR, --no-build.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDeps } from '../../service/default-deps';
import { createService } from '../../service/service';
import { socketTargetRequest } from '../../service/socket-targets';
import { createFileLogger } from './file-logger';
import { defaultDataDir, repoRoot } from './paths';
import { startWebServer } from './server';
import { stopBrowserMode } from './shutdown';
import { terminalFixConfirmation } from './terminal-confirm';
import { rendererBuilt } from './static-files';

function buildRenderer(root: string): boolean {
  console.log('Kiln: building the user interface (dist/renderer is missing)…');
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  return r.status === 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      'renderer-dir': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const root = repoRoot();
  const rendererDir = path.resolve(values['renderer-dir'] ?? path.join(root, 'dist', 'renderer'));
  if (!rendererBuilt(rendererDir) && !values['no-build'] && !values['renderer-dir']) {
    if (!buildRenderer(root))
      console.error(
        'Kiln: the renderer build failed; the page will say so. Run `npm run build:renderer` to see why.',
      );
  }

  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  const logDir = path.join(dataDir, 'logs');
  const logger = createFileLogger(logDir);
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
    .version;

  // Decisions the page may not make are asked here, in the terminal that runs Kiln.
  const askTerminal = terminalFixConfirmation({ input: process.stdin, output: process.stdout });
  const service = createService(defaultDeps({ logger }), {
    host: 'web',
    appName: 'Kiln',
    appVersion: version,
    dataDir,
    logDir,
    logger,
    confirmFix: askTerminal,
    confirmSocketTarget: (target) => askTerminal(socketTargetRequest(target)),
  });
  const port = values.port !== undefined ? Number(values.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port ${values.port} is not a port number`);
  const server = await startWebServer({ service, rendererDir, host: values.host, port, logger });
  if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
    console.warn(
      `Kiln: listening on ${values.host}: anyone on the network who has the token can flash boards on this machine.`,
    );
  }
  console.log(`Kiln browser mode: ${server.url}`);
  console.log(`(data: ${dataDir}; log: ${logger.file}; Ctrl-C to stop)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`web: ${signal}, shutting down`);
    await stopBrowserMode(server, service);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(`Kiln: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
