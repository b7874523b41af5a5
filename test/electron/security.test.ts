import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./mocks/electron'));

import { app, FakeSession, FakeWebContents, makeEvent } from './mocks/electron';
import { EXTERNAL_LINKS, isAllowedExternalLink } from '../../src-main/hosts/electron/external-links';
import {
  denyAllPermissions,
  guardWebContents,
  hardenApp,
  registerAppScheme,
} from '../../src-main/hosts/electron/security';
import type { Session, WebContents } from 'electron';

describe('navigation and new-window guards', () => {
  let contents: FakeWebContents;
  const openExternal = vi.fn<(url: string) => Promise<void>>(async () => undefined);

  beforeEach(() => {
    openExternal.mockClear();
    contents = new FakeWebContents();
    guardWebContents(contents as unknown as WebContents, openExternal);
  });

  it('allows navigation inside the app', () => {
    expect(contents.navigate('will-navigate', 'kiln://app/index.html')).toBe(true);
    expect(contents.navigate('will-navigate', 'kiln://app/index.html#/doctor')).toBe(true);
  });

  it.each([
    'https://example.com/',
    'http://127.0.0.1:8080/',
    'file:///etc/passwd',
    'kiln://other/index.html',
    'kiln://user:pw@app/index.html',
    'javascript:alert(1)',
    'data:text/html,<script>1</script>',
    'not a url',
  ])('prevents navigation to %s', (url) => {
    expect(contents.navigate('will-navigate', url)).toBe(false);
    expect(contents.navigate('will-redirect', url)).toBe(false);
  });

  it('prevents attaching a <webview>', () => {
    const event = makeEvent();
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
  });

  it('denies every new window', () => {
    for (const url of ['https://example.com/', 'kiln://app/index.html', EXTERNAL_LINKS[0]!, 'about:blank']) {
      expect(contents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
  });

  it('opens only the fixed https help links in the system browser', () => {
    contents.windowOpenHandler!({ url: EXTERNAL_LINKS[0]! });
    contents.windowOpenHandler!({ url: 'https://example.com/' });
    contents.windowOpenHandler!({ url: EXTERNAL_LINKS[0]!.replace('https:', 'http:') });
    contents.windowOpenHandler!({ url: EXTERNAL_LINKS[0]! + '?next=https://evil.example' });
    contents.windowOpenHandler!({ url: 'file:///usr/bin/xcalc' });
    expect(openExternal.mock.calls).toEqual([[EXTERNAL_LINKS[0]]]);
  });

  it('allows only https links from the list', () => {
    expect(EXTERNAL_LINKS.length).toBeGreaterThan(0);
    for (const link of EXTERNAL_LINKS) {
      expect(link.startsWith('https://')).toBe(true);
      expect(isAllowedExternalLink(link)).toBe(true);
    }
    expect(
      isAllowedExternalLink('https://user@www.silabs.com/developers/usb-to-uart-bridge-vcp-drivers'),
    ).toBe(false);
    expect(isAllowedExternalLink('smb://server/share')).toBe(false);
  });

  it('is installed on every WebContents the app creates', () => {
    hardenApp(app as never, openExternal);
    const late = new FakeWebContents();
    app.emit('web-contents-created', {}, late);
    expect(late.windowOpenHandler).not.toBeNull();
    expect(late.navigate('will-navigate', 'https://example.com/')).toBe(false);
  });
});

describe('permissions', () => {
  it('denies every permission request and check', () => {
    const session = new FakeSession();
    denyAllPermissions(session as unknown as Session);
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'serial',
      'usb',
      'hid',
      'clipboard-read',
      'openExternal',
    ]) {
      const cb = vi.fn();
      session.permissionRequestHandler!({}, permission, cb, {});
      expect(cb).toHaveBeenCalledExactlyOnceWith(false);
      expect(session.permissionCheckHandler!({}, permission, 'kiln://app', {})).toBe(false);
    }
    expect(session.devicePermissionHandler!({ deviceType: 'serial' })).toBe(false);
  });
});

describe('app scheme', () => {
  it('is registered as a standard secure scheme (own origin, no mixed-content downgrade)', () => {
    const calls: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (s) => calls.push(...s) });
    expect(calls).toEqual([
      {
        scheme: 'kiln',
        privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
      },
    ]);
  });
});
