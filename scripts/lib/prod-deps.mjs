/**
 * The production dependency tree, as shipped inside the packaged app: every package-lock.json entry that is not
 * dev-only, read from the installed node_modules (its package.json licence field and licence file). Shared by the
 * licence check and the notices generator so both see the same list.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const LICENCE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown))?$|^licen[cs]e[-_.]/i;

function licenceField(pkg) {
  if (typeof pkg.license === 'string') return pkg.license;
  if (pkg.license && typeof pkg.license.type === 'string') return pkg.license.type;
  if (Array.isArray(pkg.licenses)) {
    const types = pkg.licenses.map((l) => (typeof l === 'string' ? l : l?.type)).filter(Boolean);
    if (types.length) return types.length === 1 ? types[0] : `(${types.join(' OR ')})`;
  }
  return null;
}

function repositoryUrl(pkg) {
  const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  if (!repo) return pkg.homepage ?? null;
  const url = repo
    .replace(/^git\+/, '')
    .replace(/\.git$/, '')
    .replace(/^git:\/\//, 'https://')
    .replace(/^ssh:\/\/git@github\.com\//, 'https://github.com/')
    .replace(/^git@github\.com:/, 'https://github.com/');
  if (/^[\w.-]+\/[\w.-]+$/.test(url)) return `https://github.com/${url}`;
  if (url.startsWith('github:')) return `https://github.com/${url.slice(7)}`;
  return url;
}

/**
 * @param {string} root project folder holding package-lock.json and node_modules
 * @returns {{name:string, version:string, location:string, license:string|null, licenseFile:string|null,
 *   licenseText:string|null, url:string|null, installed:boolean}[]} sorted by name then version, unique by both
 */
export function productionPackages(root) {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  if (!lock.packages)
    throw new Error('package-lock.json has no "packages" map (lockfileVersion 2 or newer needed)');
  const seen = new Map();
  for (const [location, entry] of Object.entries(lock.packages)) {
    if (location === '' || entry.dev || entry.devOptional || entry.link) continue;
    const dir = path.join(root, location);
    const installed = existsSync(path.join(dir, 'package.json'));
    // Optional platform packages that are not installed here are not shipped from here either.
    if (!installed && entry.optional) continue;
    const pkg = installed ? JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) : {};
    const name =
      pkg.name ??
      entry.name ??
      location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const version = pkg.version ?? entry.version ?? '?';
    const key = `${name}@${version}`;
    if (seen.has(key)) continue;
    let licenseFile = null;
    let licenseText = null;
    if (installed) {
      const file = readdirSync(dir)
        .filter((f) => LICENCE_FILE.test(f))
        .sort()[0];
      if (file) {
        licenseFile = path.join(location, file);
        licenseText = readFileSync(path.join(dir, file), 'utf8').replace(/\r\n/g, '\n').trim();
      }
    }
    seen.set(key, {
      name,
      version,
      location,
      license: licenceField(pkg) ?? entry.license ?? null,
      licenseFile,
      licenseText,
      url: repositoryUrl(pkg),
      installed,
    });
  }
  return [...seen.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
  );
}
