import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAppProtocolHandler,
  ELECTRON_CSP,
  resolveAppPath,
} from '../../src-main/hosts/electron/app-protocol';

let base: string;
let root: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'kiln-proto-'));
  root = path.join(base, 'renderer');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Kiln</title>');
  await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(base, 'secret.txt'), 'outside the root');
  await symlink(path.join(base, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('resolveAppPath', () => {
  it('maps app URLs to files under the root', () => {
    expect(resolveAppPath(root, 'kiln://app/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'kiln://app/assets/app.js')).toBe(path.join(root, 'assets', 'app.js'));
    expect(resolveAppPath(root, 'kiln://app/assets/app.js?v=1#x')).toBe(path.join(root, 'assets', 'app.js'));
  });

  it.each([
    'kiln://app/../secret.txt',
    'kiln://app/%2e%2e/secret.txt',
    'kiln://app/assets/../../../secret.txt',
  ])('clamps dot segments the URL parser resolves (%s) to the root, like a web server', (url) => {
    expect(resolveAppPath(root, url)).toBe(path.join(root, 'secret.txt'));
  });

  it.each([
    'kiln://app/..%2fsecret.txt',
    'kiln://app/assets/..%2f..%2fsecret.txt',
    'kiln://app/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
    'kiln://app/..%5csecret.txt',
    'kiln://app/index.html%00.png',
    'kiln://app/%E0%A4%A',
    'kiln://evil/index.html',
    'file:///etc/passwd',
    'https://app/index.html',
  ])('refuses %s', (url) => {
    expect(resolveAppPath(root, url)).toBeNull();
  });
});

describe('protocol handler', () => {
  const handler = () => createAppProtocolHandler({ rootDir: root });

  it('serves a file with the CSP header and the right type', async () => {
    const response = await handler()(new Request('kiln://app/index.html'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(ELECTRON_CSP);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe('<!doctype html><title>Kiln</title>');
  });

  it('answers 404 for traversal attempts, missing files and symlinks leaving the root', async () => {
    for (const url of [
      'kiln://app/..%2fsecret.txt',
      'kiln://app/../secret.txt',
      'kiln://app/assets/missing.js',
      'kiln://app/assets/link.txt',
      'kiln://app/assets',
    ]) {
      const response = await handler()(new Request(url));
      expect(response.status, url).toBe(404);
      expect(await response.text()).not.toContain('outside the root');
      expect(response.headers.get('content-security-policy')).toBe(ELECTRON_CSP);
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await handler()(new Request('kiln://app/index.html', { method: 'POST', body: 'x' }));
    expect(response.status).toBe(405);
  });

  it('has a CSP that allows no remote or inline code', () => {
    const directives = Object.fromEntries(
      ELECTRON_CSP.split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(ELECTRON_CSP).not.toMatch(/unsafe-|https?:|\*/);
  });
});
