/**
 * Runs a fix, and only after an explicit yes. The plan shown to `confirm` is exactly what will run: the argv
 * arrays with the staged file's real path filled in, and the file content. Commands are spawned without a
 * shell. A fix about a running process is checked again after the yes (`Fix.stillApplies`). Privileged steps
 * go through pkexec; when pkexec or a polkit agent is missing (or pkexec reports that no agent answered), the
 * runner runs nothing privileged and returns the `sudo` commands to copy instead.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { STAGED_FILE, type Fix } from './fixes';
import { privilegeSupport } from './checks/polkit';
import { listProcesses } from './processes';
import { createSystemView } from './system-view';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type SpawnFn = (argv: string[]) => Promise<CommandResult>;

export interface FixPlan {
  fix: Fix;
  /** The exact argv arrays that will run, in order. */
  commands: string[][];
  /** File to be written, shown in full before anything runs. */
  preview?: { path: string; content: string };
}

export interface StepResult extends CommandResult {
  argv: string[];
}

export type FixRunResult =
  | { status: 'declined' }
  | {
      status: 'manual';
      reason: 'advice-only' | 'pkexec-missing' | 'no-polkit-agent' | 'not-authorized';
      manual: string[];
      steps: StepResult[];
    }
  | { status: 'done'; steps: StepResult[] }
  /** Re-checked after the yes, the fix no longer applied (its process exited or let go): nothing ran. */
  | { status: 'stale'; message: string }
  | { status: 'failed'; steps: StepResult[]; message: string; manual: string[] };

export interface RunFixOptions {
  /** Must resolve true for anything to run. Receives the exact plan. */
  confirm: (plan: FixPlan) => Promise<boolean>;
  spawn?: SpawnFn;
  /** Whether pkexec is installed and a polkit agent (or a terminal for pkttyagent) is there; default: looked up. */
  privilege?: { pkexec: boolean; agent: boolean };
  /** The caller runs in a terminal: pkexec will ask there itself, no graphical agent needed. */
  interactiveTty?: boolean;
}

export const defaultSpawn: SpawnFn = (argv) =>
  new Promise((resolve) => {
    const child = nodeSpawn(argv[0]!, argv.slice(1), { shell: false, stdio: ['inherit', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => resolve({ code: 127, stdout, stderr: stderr + String(e.message) }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });

async function detectPrivilege(interactiveTty: boolean): Promise<{ pkexec: boolean; agent: boolean }> {
  const view = createSystemView();
  const processes = await listProcesses(view);
  const { pkexec, agent } = await privilegeSupport({ view, processes });
  return { pkexec, agent: agent !== undefined || interactiveTty };
}

export async function runFix(fix: Fix, opts: RunFixOptions): Promise<FixRunResult> {
  if (fix.steps.length === 0) {
    return { status: 'manual', reason: 'advice-only', manual: fix.manual, steps: [] };
  }
  if (fix.needsRoot) {
    const priv = opts.privilege ?? (await detectPrivilege(opts.interactiveTty ?? false));
    if (!priv.pkexec) return { status: 'manual', reason: 'pkexec-missing', manual: fix.manual, steps: [] };
    if (!priv.agent) return { status: 'manual', reason: 'no-polkit-agent', manual: fix.manual, steps: [] };
  }

  let stageDir: string | undefined;
  try {
    let stagedPath: string | undefined;
    if (fix.preview) {
      stageDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kiln-fix-'));
      stagedPath = path.join(stageDir, path.basename(fix.preview.path));
      await fsp.writeFile(stagedPath, fix.preview.content, { mode: 0o644 });
      await fsp.chmod(stagedPath, 0o644);
    }
    const commands = fix.steps.map((s) => s.argv.map((a) => (a === STAGED_FILE ? (stagedPath ?? a) : a)));
    if (commands.some((c) => c.includes(STAGED_FILE)))
      throw new Error(`fix ${fix.id} refers to a staged file but has no preview`);
    const plan: FixPlan = { fix, commands, ...(fix.preview ? { preview: fix.preview } : {}) };
    if (!(await opts.confirm(plan))) return { status: 'declined' };
    const changed = await fix.stillApplies?.();
    if (changed !== undefined) return { status: 'stale', message: changed };

    const run = opts.spawn ?? defaultSpawn;
    const steps: StepResult[] = [];
    for (let i = 0; i < commands.length; i++) {
      const argv = commands[i]!;
      const r = await run(argv);
      steps.push({ argv, ...r });
      if (r.code === 0 || fix.steps[i]!.mayFail) continue;
      if (argv[0] === 'pkexec' && (r.code === 126 || r.code === 127)) {
        const noAgent = /no authentication agent|cannot open display|no session for cookie/i.test(r.stderr);
        return {
          status: 'manual',
          reason: noAgent ? 'no-polkit-agent' : 'not-authorized',
          manual: fix.manual,
          steps,
        };
      }
      return {
        status: 'failed',
        steps,
        message: `${argv.join(' ')} exited with ${r.code}: ${r.stderr.trim()}`,
        manual: fix.manual,
      };
    }
    return { status: 'done', steps };
  } finally {
    if (stageDir) await fsp.rm(stageDir, { recursive: true, force: true });
  }
}
