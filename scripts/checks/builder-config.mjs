#!/usr/bin/env node
/**
 * Check 1: electron-builder.yml is valid for the installed electron-builder, and keeps Kiln's packaging policy.
 *   node scripts/checks/builder-config.mjs [path/to/electron-builder.yml]
 * - Schema: app-builder-lib's own scheme.json, compiled with ajv. electron-builder ignores some unknown keys at
 *   build time; here a misspelt key (e.g. `afterInstal`) is an error.
 * - Policy: the security fuses, npmRebuild off, serialport's binding unpacked, NSIS not one-click, hardened runtime
 *   with the serial/usb entitlements, and every file the config names exists.
 * Exits 1 with one line per problem.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { load as loadYaml } from 'js-yaml';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  grantFileProtocolExtraPrivileges: false,
};

function schemaProblems(config) {
  const Ajv = require('ajv').default;
  const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
  // strict:false because the scheme uses keywords ajv's strict mode rejects (e.g. "tsType"), not to loosen checks.
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  const validate = ajv.compile(schema);
  if (validate(config)) return [];
  return validate.errors.map((e) => {
    const where = e.instancePath || '(root)';
    const extra = e.params?.additionalProperty ? ` "${e.params.additionalProperty}"` : '';
    return `schema: ${where} ${e.message}${extra}`;
  });
}

function policyProblems(config, baseDir) {
  const problems = [];
  const fuses = config.electronFuses ?? {};
  for (const [fuse, want] of Object.entries(REQUIRED_FUSES)) {
    if (fuses[fuse] !== want)
      problems.push(`policy: electronFuses.${fuse} must be ${want} (is ${fuses[fuse]})`);
  }
  if (config.npmRebuild !== false)
    problems.push('policy: npmRebuild must be false (serialport ships N-API prebuilds)');
  if (!(config.asarUnpack ?? []).some((p) => p.includes('@serialport/bindings-cpp'))) {
    problems.push('policy: asarUnpack must include node_modules/@serialport/bindings-cpp/**');
  }
  if (config.asar === false) problems.push('policy: asar must stay on (fuses and integrity depend on it)');
  if (config.nsis?.oneClick !== false) problems.push('policy: nsis.oneClick must be false');
  if (config.mac?.hardenedRuntime !== true) problems.push('policy: mac.hardenedRuntime must be true');
  const targets = (config.linux?.target ?? []).map((t) => (typeof t === 'string' ? t : t.target));
  for (const t of ['AppImage', 'deb', 'rpm'])
    if (!targets.includes(t)) problems.push(`policy: linux.target lacks ${t}`);

  const files = [
    ['deb.afterInstall', config.deb?.afterInstall],
    ['deb.afterRemove', config.deb?.afterRemove],
    ['rpm.afterInstall', config.rpm?.afterInstall],
    ['rpm.afterRemove', config.rpm?.afterRemove],
    ['mac.entitlements', config.mac?.entitlements],
    ['linux.icon', config.linux?.icon],
    ['mac.icon', config.mac?.icon],
    ['win.icon', config.win?.icon],
    ...(config.extraResources ?? []).map((r, i) => [
      `extraResources[${i}].from`,
      typeof r === 'string' ? r : r.from,
    ]),
  ];
  for (const [key, file] of files) {
    if (!file) problems.push(`policy: ${key} is not set`);
    else if (!existsSync(path.resolve(baseDir, file)))
      problems.push(`policy: ${key} names a missing file: ${file}`);
  }
  const entitlementsFile = config.mac?.entitlements && path.resolve(baseDir, config.mac.entitlements);
  if (entitlementsFile && existsSync(entitlementsFile)) {
    const plist = readFileSync(entitlementsFile, 'utf8');
    for (const key of ['com.apple.security.device.serial', 'com.apple.security.device.usb']) {
      if (!new RegExp(`<key>${key.replace(/\./g, '\\.')}</key>\\s*<true/>`).test(plist))
        problems.push(`policy: entitlements lack ${key}`);
    }
  }
  return problems;
}

export function checkBuilderConfig(configPath) {
  let config;
  try {
    config = loadYaml(readFileSync(configPath, 'utf8'));
  } catch (e) {
    return [`cannot read ${configPath}: ${e.message}`];
  }
  if (!config || typeof config !== 'object') return [`${configPath} is not a YAML mapping`];
  return [...schemaProblems(config), ...policyProblems(config, path.dirname(path.resolve(configPath)))];
}

if (path.resolve(process.argv[1] ?? '') === path.resolve(new URL(import.meta.url).pathname)) {
  const configPath = process.argv[2] ?? path.join(REPO, 'electron-builder.yml');
  const problems = checkBuilderConfig(configPath);
  if (problems.length > 0) {
    console.error(`electron-builder config: ${problems.length} problem(s) in ${configPath}`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  console.log(
    `electron-builder config: ${path.relative(process.cwd(), configPath) || configPath} is valid (schema + policy)`,
  );
}
