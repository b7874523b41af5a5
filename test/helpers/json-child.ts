/**
 * Child processes that answer with one JSON line: a TypeScript script run under tsx, optionally as another user
 * (root bypasses file permissions, so permission cases must run unprivileged). The child may keep running after
 * its line (a port holder); the caller ends it by its pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** The argv prefix that runs a command as `nobody` with no supplementary groups. */
export function asNobody(): string[] {
  if (spawnSync('setpriv', ['--version']).status === 0)
    return ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
  if (spawnSync('runuser', ['--version']).status === 0) return ['runuser', '-u', 'nobody', '--'];
  throw new Error('neither setpriv nor runuser is available to drop privileges');
}

/** Runs `script` with tsx (after `prefix`, e.g. asNobody()); `result` is its first stdout line, parsed. */
export function runTsxScript(
  prefix: string[],
  script: string,
  args: string[],
  cwd: string,
): { child: ChildProcess; result: Promise<unknown> } {
  const argv = [...prefix, process.execPath, '--import', 'tsx', script, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const result = new Promise<unknown>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => {
      if (!out.includes('\n')) reject(new Error(`${script} exited ${code} without a result: ${err}`));
    });
  });
  return { child, result };
}
