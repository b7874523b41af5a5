#!/usr/bin/env node
/**
 * Check 2: the output of `npm run build` is complete and keeps its security properties.
 *   node scripts/checks/build-output.mjs [distDir]
 * - dist/main/electron.cjs and dist/main/preload.cjs exist and are CommonJS; the preload requires nothing but
 *   'electron' (a sandboxed preload cannot load anything else) and stays within its size budget (a jump means the
 *   contract's zod schemas leaked into it).
 * - dist/renderer/index.html carries a CSP meta tag with default-src 'none', scripts and styles from 'self' only
 *   (no unsafe-inline/unsafe-eval), no inline scripts, and every referenced asset exists.
 * - Renderer bundle sizes are printed (raw and gzip) and held to a budget.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export const BUDGET = {
  rendererJsBytes: 350 * 1024,
  rendererCssBytes: 80 * 1024,
  preloadBytes: 16 * 1024,
};

/** Directive name → sources, from a CSP string. */
export function parseCsp(policy) {
  const out = {};
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out[name.toLowerCase()] = sources;
  }
  return out;
}

function decodeEntities(s) {
  return s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

function cspProblems(html) {
  const meta = html.match(/<meta\s+[^>]*http-equiv=["']Content-Security-Policy["'][^>]*>/i);
  if (!meta) return ['renderer: index.html has no Content-Security-Policy meta tag'];
  const content = meta[0].match(/content=(["'])(.*?)\1/i);
  if (!content) return ['renderer: the CSP meta tag has no content'];
  const csp = parseCsp(decodeEntities(content[2]));
  const problems = [];
  if (JSON.stringify(csp['default-src']) !== JSON.stringify(["'none'"]))
    problems.push(
      `renderer: CSP default-src must be 'none' (is ${csp['default-src']?.join(' ') ?? 'absent'})`,
    );
  for (const directive of ['script-src', 'style-src']) {
    const sources = csp[directive];
    if (!sources) problems.push(`renderer: CSP lacks ${directive}`);
    else if (sources.some((s) => s !== "'self'"))
      problems.push(`renderer: CSP ${directive} allows more than 'self': ${sources.join(' ')}`);
  }
  for (const [directive, sources] of Object.entries(csp)) {
    if (
      sources.some(
        (s) =>
          /unsafe-(inline|eval|hashes)|^\*$|^https?:$|^data:$/.test(s) &&
          !(directive === 'img-src' && s === 'data:'),
      )
    ) {
      problems.push(`renderer: CSP ${directive} allows ${sources.join(' ')}`);
    }
  }
  return problems;
}

function sizeLine(label, files) {
  const raw = files.reduce((n, f) => n + statSync(f).size, 0);
  const gz = files.reduce((n, f) => n + gzipSync(readFileSync(f)).length, 0);
  return {
    raw,
    text: `${label}: ${(raw / 1024).toFixed(1)} KB (${(gz / 1024).toFixed(1)} KB gzip) in ${files.length} file(s)`,
  };
}

export function checkBuildOutput(dist) {
  const problems = [];
  const report = [];
  const mainFile = path.join(dist, 'main', 'electron.cjs');
  const preloadFile = path.join(dist, 'main', 'preload.cjs');
  const htmlFile = path.join(dist, 'renderer', 'index.html');

  for (const f of [mainFile, preloadFile, htmlFile]) {
    if (!existsSync(f) || statSync(f).size === 0)
      problems.push(`missing or empty: ${path.relative(dist, f)}`);
  }
  if (problems.length) return { problems, report };

  const main = readFileSync(mainFile, 'utf8');
  if (!/require\("electron"\)/.test(main))
    problems.push('main: electron.cjs does not require electron (not the Electron entry?)');
  if (/^\s*import\s.+from\s/m.test(main) || /^export\s/m.test(main))
    problems.push('main: electron.cjs contains ES module syntax');

  const preload = readFileSync(preloadFile, 'utf8');
  const requires = [...preload.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  const foreign = requires.filter((r) => r !== 'electron');
  if (foreign.length)
    problems.push(
      `preload: requires ${[...new Set(foreign)].join(', ')} (a sandboxed preload may only require electron)`,
    );
  if (!requires.includes('electron')) problems.push('preload: does not require electron');
  if (/^\s*import\s.+from\s/m.test(preload) || /^export\s/m.test(preload))
    problems.push('preload: contains ES module syntax (sandboxed preloads must be CommonJS)');
  if (!/exposeInMainWorld\(\s*["']kiln["']/.test(preload))
    problems.push("preload: does not expose 'kiln' through contextBridge");
  const preloadSize = statSync(preloadFile).size;
  report.push(`preload: ${(preloadSize / 1024).toFixed(1)} KB (budget ${BUDGET.preloadBytes / 1024} KB)`);
  if (preloadSize > BUDGET.preloadBytes)
    problems.push(
      `preload: ${preloadSize} bytes exceeds the ${BUDGET.preloadBytes}-byte budget (schemas bundled in?)`,
    );

  const html = readFileSync(htmlFile, 'utf8');
  problems.push(...cspProblems(html));
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html))
    problems.push('renderer: index.html has an inline <script> (the CSP would block it)');
  const refs = [...html.matchAll(/(?:src|href)=["']([^"']+)["']/g)]
    .map((m) => m[1])
    .filter((r) => !/^(https?:|data:|#)/.test(r));
  for (const ref of refs) {
    if (!existsSync(path.join(dist, 'renderer', ref)))
      problems.push(`renderer: index.html references a missing file: ${ref}`);
  }
  if ([...html.matchAll(/(?:src|href)=["'](https?:[^"']+)["']/g)].length)
    problems.push('renderer: index.html loads a remote resource');

  const assetsDir = path.join(dist, 'renderer', 'assets');
  const assets = existsSync(assetsDir) ? readdirSync(assetsDir).map((f) => path.join(assetsDir, f)) : [];
  const js = sizeLine(
    'renderer JS',
    assets.filter((f) => /\.m?js$/.test(f)),
  );
  const css = sizeLine(
    'renderer CSS',
    assets.filter((f) => f.endsWith('.css')),
  );
  report.push(
    `${js.text} (budget ${BUDGET.rendererJsBytes / 1024} KB)`,
    `${css.text} (budget ${BUDGET.rendererCssBytes / 1024} KB)`,
  );
  if (js.raw === 0) problems.push('renderer: no JavaScript bundle in renderer/assets');
  if (js.raw > BUDGET.rendererJsBytes)
    problems.push(`renderer: JS ${js.raw} bytes exceeds the ${BUDGET.rendererJsBytes}-byte budget`);
  if (css.raw > BUDGET.rendererCssBytes)
    problems.push(`renderer: CSS ${css.raw} bytes exceeds the ${BUDGET.rendererCssBytes}-byte budget`);
  return { problems, report };
}

if (path.resolve(process.argv[1] ?? '') === path.resolve(new URL(import.meta.url).pathname)) {
  const dist = path.resolve(process.argv[2] ?? path.join(REPO, 'dist'));
  const { problems, report } = checkBuildOutput(dist);
  for (const line of report) console.log(`  ${line}`);
  if (problems.length) {
    console.error(`build output: ${problems.length} problem(s) in ${dist}`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  console.log('build output: main, preload and renderer bundles present; CSP and budgets hold');
}
