/**
 * A port held by another process and a port this user may not open: each has its own error code and exit
 * code, and neither is ever reported as a sync failure (the doctor relies on that split).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, realpathSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/hosts/cli/exit-codes';
import { runInProcess, spawnKiln, tempDir, type KilnChild } from '../cli/helpers/cli-run';
import { createPtyPair, type PtyPair } from '../serial/helpers/pty-pair';

/** Runs a command as `nobody` (root, which runs these tests, bypasses file permissions). */
function asNobody(): string[] {
  if (spawnSync('setpriv', ['--version']).status === 0)
    return ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
  if (spawnSync('runuser', ['--version']).status === 0) return ['runuser', '-u', 'nobody', '--'];
  throw new Error('neither setpriv nor runuser is available to drop privileges');
}

let pairs: PtyPair[] = [];
let children: KilnChild[] = [];
afterEach(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  for (const p of pairs) await p.cleanup();
  pairs = [];
  children = [];
});

describe('port errors through the CLI', () => {
  it('a port held by another process: PORT_BUSY, exit 4, the holder named with its pid', async () => {
    const pair = await createPtyPair();
    pairs.push(pair);
    const holder = spawnKiln(['monitor', '--port', pair.a, '--json']);
    children.push(holder);
    await holder.waitForLine((l) => l.includes('"event":"open"'));

    const r = await runInProcess(['info', '--port', pair.a, '--json']);
    expect(r.code).toBe(EXIT.PORT_BUSY);
    expect(r.final.error?.code).toBe('PORT_BUSY');
    expect(r.final.error?.message).toContain(realpathSync(pair.a));
    expect(r.final.error?.details?.holders).toEqual(
      expect.arrayContaining([expect.stringContaining(`(pid ${holder.child.pid})`)]),
    );
    expect(r.final.exitCode).toBe(EXIT.PORT_BUSY);

    // Human voice: the holder is in the hint.
    const human = await runInProcess(['info', '--port', pair.a]);
    expect(human.code).toBe(EXIT.PORT_BUSY);
    expect(human.stderr).toContain('error PORT_BUSY');
    expect(human.stderr).toContain(`pid ${holder.child.pid}`);
    expect(human.stderr).not.toContain('SYNC_FAILED');
    expect(human.stderr).toContain(`kiln doctor --port ${realpathSync(pair.a)}`);

    // The holder (a monitor) stops cleanly on SIGTERM.
    holder.child.kill('SIGTERM');
    const end = await holder.done;
    expect(end.code).toBe(0);
    expect(end.final).toMatchObject({ ok: true, command: 'monitor' });
  }, 30_000);

  it('a port this user may not open: PORT_PERMISSION_DENIED, exit 5, the owning group named', async () => {
    const pair = await createPtyPair(',group=dialout,mode=660');
    pairs.push(pair);
    chmodSync(pair.dir, 0o755);
    const dataDir = tempDir('kiln-data-');
    chmodSync(dataDir, 0o777);
    const run = spawnKiln(['info', '--port', pair.a, '--json'], {
      prefix: asNobody(),
      dataDir,
      env: { HOME: dataDir },
    });
    children.push(run);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(EXIT.PORT_PERMISSION);
    expect(r.final.error?.code).toBe('PORT_PERMISSION_DENIED');
    expect(r.final.error?.message).toBe(`Permission denied opening ${realpathSync(pair.a)}.`);
    expect(r.final.error?.details).toMatchObject({ group: 'dialout', mode: '0660' });
    expect(r.final.error?.hint).toContain('usermod -aG dialout');
  }, 30_000);

  it('a port that does not exist: PORT_NOT_FOUND, exit 3', async () => {
    const r = await runInProcess(['info', '--port', '/dev/ttyUSB97', '--json']);
    expect(r.code).toBe(EXIT.PORT_NOT_FOUND);
    expect(r.final.error?.code).toBe('PORT_NOT_FOUND');
    expect(r.final.error?.message).toContain('/dev/ttyUSB97');
  });
});
