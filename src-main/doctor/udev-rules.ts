/**
 * udev rule files as udev itself sees them: the same file name in /etc/udev/rules.d overrides the one in
 * /run and /usr/lib (or /lib), and a link to /dev/null (or an empty file) masks it. We read the effective files
 * and find the rule lines that match a device's VID:PID — through ATTRS{idVendor}/{idProduct},
 * ENV{ID_VENDOR_ID}/{ID_MODEL_ID} or ENV{PRODUCT} ("1a86/7523/*", hex without leading zeros, as brltty writes it).
 */
import path from 'node:path';
import type { SystemView } from './system-view';

export const RULE_DIRS = [
  '/etc/udev/rules.d',
  '/run/udev/rules.d',
  '/usr/lib/udev/rules.d',
  '/lib/udev/rules.d',
] as const;

export interface RuleFile {
  name: string;
  /** The file udev uses for this name. */
  path: string;
  masked: boolean;
  /** Same-name files this one overrides. */
  overrides: string[];
}

export interface RuleMatch {
  file: string;
  lineNo: number;
  line: string;
  uaccess: boolean;
  mmIgnore: boolean;
}

export async function effectiveRuleFiles(view: SystemView): Promise<RuleFile[]> {
  const byName = new Map<string, RuleFile>();
  for (const dir of RULE_DIRS) {
    // /lib is often a link to /usr/lib: skip a directory we have already read under another name.
    for (const name of (await view.readDir(dir)) ?? []) {
      if (!name.endsWith('.rules')) continue;
      const p = `${dir}/${name}`;
      const existing = byName.get(name);
      if (existing) {
        const a = await view.realPath(existing.path);
        const b = await view.realPath(p);
        if (a !== b) existing.overrides.push(p);
        continue;
      }
      const target = await view.realPath(p);
      const text = target === '/dev/null' ? '' : await view.readText(p);
      byName.set(name, {
        name,
        path: p,
        masked: target === '/dev/null' || (text ?? '').trim() === '',
        overrides: [],
      });
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** udev's fnmatch with `|` alternatives, as a RegExp. */
export function udevGlob(pattern: string): RegExp {
  const alt = pattern.split('|').map((p) => {
    let re = '';
    for (let i = 0; i < p.length; i++) {
      const c = p[i]!;
      if (c === '*') re += '.*';
      else if (c === '?') re += '.';
      else if (c === '[') {
        const end = p.indexOf(']', i + 1);
        if (end < 0) re += '\\[';
        else {
          re +=
            '[' +
            p
              .slice(i + 1, end)
              .replace(/^!/, '^')
              .replace(/\\/g, '\\\\') +
            ']';
          i = end;
        }
      } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
    return re;
  });
  return new RegExp(`^(?:${alt.join('|')})$`, 'i');
}

function logicalLines(text: string): { lineNo: number; line: string }[] {
  const out: { lineNo: number; line: string }[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const start = i;
    let line = raw[i]!;
    while (line.endsWith('\\') && i + 1 < raw.length) line = line.slice(0, -1) + raw[++i]!;
    const trimmed = line.trim();
    if (trimmed && !trimmed.startsWith('#')) out.push({ lineNo: start + 1, line: trimmed });
  }
  return out;
}

function matchKeys(line: string, keys: string[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const re = new RegExp(`${k.replace(/[{}]/g, '\\$&')}\\s*==\\s*"([^"]*)"`, 'g');
    for (const m of line.matchAll(re)) out.push(m[1]!);
  }
  return out;
}

/** Does this rule line match the device? Only equality tests on the IDs count; a line without any ID test does not. */
export function lineMatchesDevice(line: string, vid: string, pid: string): boolean {
  const v = vid.toLowerCase().padStart(4, '0');
  const p = pid.toLowerCase().padStart(4, '0');
  const vendors = matchKeys(line, [
    'ATTRS{idVendor}',
    'ATTR{idVendor}',
    'ENV{ID_VENDOR_ID}',
    'ENV{ID_USB_VENDOR_ID}',
  ]);
  const products = matchKeys(line, [
    'ATTRS{idProduct}',
    'ATTR{idProduct}',
    'ENV{ID_MODEL_ID}',
    'ENV{ID_USB_MODEL_ID}',
  ]);
  const productEnv = matchKeys(line, ['ENV{PRODUCT}']);
  if (productEnv.length > 0) {
    // The kernel formats PRODUCT as "%x/%x/%x": no leading zeros.
    const value = `${parseInt(v, 16).toString(16)}/${parseInt(p, 16).toString(16)}/0`;
    const valueAnyBcd = (pat: string): boolean =>
      udevGlob(pat).test(value) || udevGlob(pat.replace(/\/[^/]*$/, '/*')).test(value);
    if (!productEnv.every(valueAnyBcd)) return false;
    if (vendors.length === 0 && products.length === 0) return true;
  }
  if (vendors.length === 0) return productEnv.length > 0;
  if (!vendors.every((pat) => udevGlob(pat).test(v))) return false;
  return products.every((pat) => udevGlob(pat).test(p));
}

export async function rulesCovering(
  view: SystemView,
  vid: string,
  pid: string,
  files?: RuleFile[],
): Promise<RuleMatch[]> {
  const out: RuleMatch[] = [];
  for (const f of files ?? (await effectiveRuleFiles(view))) {
    if (f.masked) continue;
    const text = await view.readText(f.path);
    if (text === undefined) continue;
    for (const { lineNo, line } of logicalLines(text)) {
      if (!lineMatchesDevice(line, vid, pid)) continue;
      out.push({
        file: f.path,
        lineNo,
        line,
        uaccess: /TAG\s*\+=\s*"uaccess"/.test(line),
        mmIgnore: /ENV\{ID_MM_(DEVICE|PORT)_IGNORE\}\s*=\s*"1"/.test(line),
      });
    }
  }
  return out;
}

export function isBrlttyRuleFile(name: string): boolean {
  return /brltty/i.test(path.posix.basename(name));
}
