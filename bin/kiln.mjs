#!/usr/bin/env node
// The `kiln` command. Runs the TypeScript sources through tsx (a runtime dependency), so a plain
// `npm install` (or `npm ci`) is all it needs. Exit codes: see `kiln --help` or src-main/hosts/cli/exit-codes.ts.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
register();
const { runCli } = await import(pathToFileURL(path.join(root, 'src-main/hosts/cli/main.ts')).href);
const code = await runCli(process.argv.slice(2));
// Pipes and files are written synchronously on Linux; the callback covers the other cases before leaving.
process.stdout.write('', () => process.exit(code));
