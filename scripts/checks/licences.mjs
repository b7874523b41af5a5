#!/usr/bin/env node
/**
 * Check 4: every production dependency (what ships inside the app) has a licence that allows redistribution in a
 * closed binary bundle alongside Kiln's MIT code.
 *   node scripts/checks/licences.mjs [projectRoot] [--allowlist file.json]
 * Accepted: permissive SPDX licences (below). An SPDX expression passes when one OR-branch passes entirely (every
 * AND-part accepted). Refused: GPL/LGPL/AGPL/SSPL/..., anything unknown, missing or unparseable — unless the package
 * is in scripts/checks/licence-allowlist.json with a written reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { productionPackages } from '../lib/prod-deps.mjs';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export const PERMISSIVE = new Set([
  'MIT',
  'MIT-0',
  'ISC',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'Apache-2.0',
  'Zlib',
  'CC0-1.0',
  'Unlicense',
  'BlueOak-1.0.0',
  'Python-2.0',
  'CC-BY-4.0',
  'BSL-1.0',
  'X11',
]);

/** Splits an SPDX expression into OR-branches of AND-terms. Returns null when it cannot be read. */
export function parseSpdx(expression) {
  if (typeof expression !== 'string' || expression.trim() === '') return null;
  const cleaned = expression.replace(/[()]/g, ' ').replace(/\s+/g, ' ').trim();
  if (/\bWITH\b/.test(cleaned)) return null; // exceptions need a human look
  return cleaned
    .split(/ OR /i)
    .map((branch) => branch.split(/ AND /i).map((t) => t.trim().replace(/\+$/, '')));
}

export function isRedistributable(expression) {
  const branches = parseSpdx(expression);
  if (!branches) return false;
  return branches.some((terms) => terms.every((t) => PERMISSIVE.has(t)));
}

export function checkLicences(root, allowlistPath) {
  const allow = existsSync(allowlistPath)
    ? (JSON.parse(readFileSync(allowlistPath, 'utf8')).packages ?? {})
    : {};
  const packages = productionPackages(root);
  const problems = [];
  const accepted = [];
  for (const p of packages) {
    if (!p.installed) {
      problems.push(`${p.name}@${p.version}: listed in package-lock.json but not installed (run npm ci)`);
      continue;
    }
    if (isRedistributable(p.license)) continue;
    const reason = allow[`${p.name}@${p.version}`] ?? allow[p.name];
    if (typeof reason === 'string' && reason.trim().length >= 10) {
      accepted.push(`${p.name}@${p.version} (${p.license ?? 'no licence'}): allowlisted — ${reason}`);
      continue;
    }
    problems.push(
      `${p.name}@${p.version}: licence ${JSON.stringify(p.license)} is not accepted for redistribution`,
    );
  }
  return { count: packages.length, problems, accepted };
}

if (path.resolve(process.argv[1] ?? '') === path.resolve(new URL(import.meta.url).pathname)) {
  const args = process.argv.slice(2);
  const allowIndex = args.indexOf('--allowlist');
  const allowlistPath =
    allowIndex >= 0
      ? path.resolve(args[allowIndex + 1])
      : path.join(REPO, 'scripts/checks/licence-allowlist.json');
  const root = path.resolve(args.find((a, i) => !a.startsWith('--') && i !== allowIndex + 1) ?? REPO);
  const { count, problems, accepted } = checkLicences(root, allowlistPath);
  for (const a of accepted) console.log(`  accepted: ${a}`);
  if (problems.length) {
    console.error(`licences: ${problems.length} problem(s) among ${count} production packages`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  console.log(`licences: ${count} production packages, all redistributable`);
}
