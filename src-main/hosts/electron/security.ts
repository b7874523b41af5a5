import type { App, Protocol, Session, WebContents } from 'electron';
import { APP_SCHEME, createAppProtocolHandler, isAppUrl } from './app-protocol';
import { isAllowedExternalLink } from './external-links';

/**
 * Guards applied to every WebContents the app creates (Kiln has one window, but a guard on
 * 'web-contents-created' also covers anything a future change or a bug might open).
 */
export function guardWebContents(contents: WebContents, openExternal: (url: string) => Promise<void>): void {
  // Navigation away from the app would hand the preload's API to a foreign page.
  contents.on('will-navigate', (event, legacyUrl) => {
    const url = (event as { url?: string }).url ?? legacyUrl;
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, legacyUrl) => {
    const url = (event as { url?: string }).url ?? legacyUrl;
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // No new windows ever; a few known https help pages open in the user's browser instead.
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalLink(url)) void openExternal(url).catch(() => undefined);
    return { action: 'deny' };
  });
}

/** Kiln needs no web permission: serial access goes through the main process, not Web Serial. */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** Must run before `app.whenReady()`: privileges of a scheme can only be declared at startup. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    // standard: relative URLs and a real origin; secure: treated like https (no mixed-content downgrade); corsEnabled:
    // the renderer's `<script type="module" crossorigin>` is fetched in CORS mode, which Chromium allows only for
    // schemes that opt in.
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
    },
  ]);
}

/** Serves `rendererDir` on `kiln://app/` (with CSP) after the app is ready. */
export function serveRenderer(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ rootDir: rendererDir }));
}

/** Installs the guards on every WebContents, present and future. */
export function hardenApp(app: Pick<App, 'on'>, openExternal: (url: string) => Promise<void>): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, openExternal));
}
