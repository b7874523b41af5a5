/**
 * axe-core in the page: every screen and state a browser e2e visits is audited, in the light and the dark colour
 * scheme, and any violation fails the test with axe's own words (rule, impact, the elements, how to fix). axe's
 * source is evaluated in the page by the DevTools protocol, so the page needs no change and ships nothing of it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface PageWithAxe {
  document: unknown;
  axe: { run: (context: unknown) => Promise<AxeResults> };
}

/** Runs axe on the page as it stands; returns the violations, each as one readable line. */
async function violations(page: Page): Promise<string[]> {
  // The callbacks run in the page; this file compiles without the DOM library, so the page's globals are typed here.
  const loaded = await page.evaluate(() => 'axe' in globalThis);
  // Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not govern; a <script>
  // tag with the source would be blocked and reported as a CSP violation.
  if (!loaded) await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const page = globalThis as unknown as PageWithAxe;
    return (await page.axe.run(page.document)).violations;
  });
  return found.map(
    (v) =>
      `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes
        .map(
          (n) =>
            `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ')}]` : ''}`,
        )
        .join('; ')}`,
  );
}

/**
 * Audits the current state in light and dark (restoring light afterwards) and throws when axe finds anything.
 * `state` names what is on screen, so a failure says where it happened.
 */
export async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  const problems: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const line of await violations(page)) problems.push(`[${scheme}] ${line}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (problems.length > 0)
    throw new Error(`axe-core found ${problems.length} problem(s) on "${state}":\n${problems.join('\n')}`);
}
