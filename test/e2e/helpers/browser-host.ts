/**
 * What the browser e2e tests share: the Chromium they drive, a production build of the renderer, a browser-mode
 * service with its web server in this process (so a test can read the virtual boards' flash), and the headless
 * browser itself. Each test file keeps its own page handlers and assertions.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { silentLogger, type ServiceDeps } from '../../../src-main/service/deps';
import { createService, type KilnService } from '../../../src-main/service/service';
import { startWebServer, type WebServer } from '../../../src-main/hosts/web/server';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/**
 * Where the e2e tests save their screenshots: docs/screenshots/ only when asked (KILN_UPDATE_SCREENSHOTS=1), so
 * `npm test` leaves the checkout as it found it; otherwise a fresh folder under the system temp dir, kept for a
 * look (its path is printed) because a screenshot is only worth something when someone can see it.
 */
export const screenshotDir = chooseScreenshotDir();

function chooseScreenshotDir(): string {
  if (process.env.KILN_UPDATE_SCREENSHOTS === '1') return path.join(repoRoot, 'docs', 'screenshots');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-screenshots-'));
  console.info(`screenshots: ${dir} (KILN_UPDATE_SCREENSHOTS=1 writes docs/screenshots/ instead)`);
  return dir;
}

/** Builds the renderer with the repository's vite config into `outDir`; throws with vite's output on failure. */
function buildRenderer(outDir: string): void {
  const vite = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const build = spawnSync(
    process.execPath,
    [vite, 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  if (build.status !== 0) throw new Error(`renderer build failed:\n${build.stdout}\n${build.stderr}`);
}

/** A browser-mode service on `deps`, keeping its data and logs under `dataDir`, served over HTTP + WebSocket. */
export async function startWebHost(
  deps: ServiceDeps,
  dataDir: string,
  rendererDir: string,
): Promise<{ service: KilnService; server: WebServer }> {
  const service = createService(deps, {
    host: 'web',
    appName: 'Kiln',
    appVersion: '0.0.0-e2e',
    dataDir,
    logDir: path.join(dataDir, 'logs'),
    logger: silentLogger,
  });
  const server = await startWebServer({ service, rendererDir, logger: silentLogger });
  return { service, server };
}

/**
 * The page address for a screen: the token rides in the fragment (`#station&token=…`), as Kiln prints it; the
 * page takes it into memory and removes it from the address bar.
 */
export function pageUrl(server: WebServer, screen?: string): string {
  const u = new URL(server.url);
  return `${u.origin}/#${screen ? `${screen}&` : ''}token=${server.token}`;
}

/** Headless Chromium with a throw-away profile in `profileDir`, light colour scheme; returns its first page. */
async function launchChromium(
  profileDir: string,
  viewport: { width: number; height: number },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport,
    colorScheme: 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** One e2e session: a temp folder (renderer build, data, browser profile), the web host and the browser page. */
export interface BrowserHost {
  tmp: string;
  rendererDir: string;
  service: KilnService;
  server: WebServer;
  context: BrowserContext;
  page: Page;
  /** Closes the browser, the server and the service, and removes the temp folder. */
  close(): Promise<void>;
}

/** Builds the renderer, starts a web host on `deps` and opens Chromium on a page (not yet navigated). */
export async function openBrowserHost(o: {
  tmpPrefix: string;
  deps: ServiceDeps;
  viewport: { width: number; height: number };
}): Promise<BrowserHost> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), o.tmpPrefix));
  const rendererDir = path.join(tmp, 'renderer');
  let web: { service: KilnService; server: WebServer } | undefined;
  let browser: { context: BrowserContext; page: Page } | undefined;
  const close = async () => {
    await browser?.context.close();
    await web?.server.close();
    await web?.service.shutdown();
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    buildRenderer(rendererDir);
    web = await startWebHost(o.deps, path.join(tmp, 'data'), rendererDir);
    browser = await launchChromium(path.join(tmp, 'profile'), o.viewport);
  } catch (e) {
    await close();
    throw e;
  }
  return { tmp, rendererDir, ...web, ...browser, close };
}
