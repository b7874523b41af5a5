#!/usr/bin/env node
// The `kiln` command. Runs the compiled bundle dist/cli/kiln.mjs (built by `npm ci` through `prepare`, and rebuilt
// here when a source is newer), so it needs only the production dependencies.
// Exit codes: see `kiln --help` or src-main/hosts/cli/exit-codes.ts.
import { cliBundleUrl } from '../scripts/lib/cli-bundle.mjs';

let runCli;
try {
  ({ runCli } = await import(await cliBundleUrl('kiln')));
} catch (e) {
  process.stderr.write(`kiln: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
const code = await runCli(process.argv.slice(2));
// Pipes and files are written synchronously on Linux; the callback covers the other cases before leaving.
process.stdout.write('', () => process.exit(code));
