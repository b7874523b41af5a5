#!/usr/bin/env node
// `npm run web`: browser mode from the compiled bundle dist/cli/web.mjs (see scripts/build-cli.mjs); its options
// are documented in src-main/hosts/web/main.ts.
import { cliBundleUrl } from './lib/cli-bundle.mjs';

try {
  await import(await cliBundleUrl('web'));
} catch (e) {
  console.error(`Kiln: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
