/**
 * `kiln doctor`: why a port cannot be opened (Linux access report), and `--fix ID` to apply one of the fixes
 * it offers. A fix shows its exact argv and any file it writes, then asks y/N; nothing runs without a yes
 * (`--yes` is that yes, given in advance for scripts).
 */
import { Command } from 'commander';
import { KilnError } from '../../../core/errors';
import type { AccessReport, Fix } from '../../../service/contract';
import { usageError } from '../args';
import { askYesNo } from '../ask';
import type { CommandContext } from '../command-context';
import { EXIT } from '../exit-codes';
import { argvLines, filePreviewLines } from '../../shared/fix-text';

type Run = (fn: (ctx: CommandContext) => Promise<number>) => Promise<void>;

interface DoctorOpts {
  port?: string;
  fix?: string;
  yes?: boolean;
}

const MARK: Record<string, string> = { ok: 'ok   ', info: 'info ', warn: 'WARN ', error: 'ERROR' };

type Finding = AccessReport['system'][number];

function findingLines(f: Finding, indent: string): string[] {
  const out = [`${indent}[${MARK[f.severity]}] ${f.title}`, `${indent}        ${f.explanation}`];
  for (const e of f.evidence) out.push(`${indent}        seen: ${e}`);
  for (const fix of f.fixes) out.push(`${indent}        fix: ${fix.title}  →  kiln doctor --fix ${fix.id}`);
  return out;
}

export function reportText(r: AccessReport): string {
  const lines = [
    `Serial port access (${r.platform})${r.user ? ` for ${r.user}` : ''}`,
    `  groups active in this login: ${r.processGroups.join(', ') || '—'}`,
    `  groups in the account database: ${r.databaseGroups.join(', ') || '—'}`,
  ];
  const system = r.system.filter((f) => f.severity !== 'ok');
  if (system.length > 0) lines.push('', 'System:', ...system.flatMap((f) => findingLines(f, '  ')));
  for (const p of r.ports) {
    lines.push('', `Port ${p.path}${p.bridge ? ` (${p.bridge})` : ''}${p.present ? '' : ' — not present'}:`);
    if (p.findings.length === 0) lines.push('  nothing to report');
    lines.push(...p.findings.flatMap((f) => findingLines(f, '  ')));
  }
  if (r.ports.length === 0)
    lines.push('', 'No USB serial port is present. Plug the board in (data cable) and run this again.');
  lines.push(
    '',
    r.ok ? 'No problem found that stops Kiln from opening a port.' : 'Problems found: see the fixes above.',
  );
  return lines.join('\n');
}

export function allFixes(r: AccessReport): Fix[] {
  const all = [...r.system, ...r.ports.flatMap((p) => p.findings)].flatMap((f) => f.fixes);
  return all.filter((f, i) => all.findIndex((g) => g.id === f.id) === i);
}

/** What a person sees before saying yes: every argv exactly, and any file in full. */
export function fixPreviewText(fix: Fix): string {
  const lines = [`Fix: ${fix.title}`, `  ${fix.explanation}`];
  if (fix.commands.length > 0) {
    lines.push(`  Kiln will run${fix.needsRoot ? ' (pkexec asks for your password once)' : ''}:`);
    lines.push(...argvLines(fix.commands));
  } else lines.push('  Nothing to run: this fix is advice. Do this:', ...fix.manual.map((m) => `    ${m}`));
  if (fix.preview) lines.push(...filePreviewLines(fix.preview));
  if (fix.warning) lines.push(`  Note: ${fix.warning}`);
  return lines.join('\n');
}

export function doctorCommand(program: Command, run: Run): void {
  program
    .command('doctor')
    .description('find out why a serial port cannot be opened, and fix it')
    .option('-p, --port <port>', 'check this port (default: every USB serial port present)')
    .option('--fix <id>', 'apply a fix the report offers (shows what it runs, then asks y/N)')
    .option('-y, --yes', 'with --fix: answer yes to the question (for scripts)')
    .addHelpText(
      'after',
      '\nExamples:\n  kiln doctor\n  kiln doctor --port /dev/ttyUSB0\n  kiln doctor --port /dev/ttyUSB0 --fix add-user-to-group\n\nWhen a flash fails to connect, `kiln flash` prints its own diagnosis (wiring, boot mode, echo...).',
    )
    .action((o: DoctorOpts) => run((ctx) => doctor(ctx, o)));
}

async function doctor(ctx: CommandContext, o: DoctorOpts): Promise<number> {
  if (o.yes && !o.fix)
    throw usageError('--yes only goes with --fix ID.', 'e.g. kiln doctor --fix add-user-to-group --yes');
  const port = o.port === undefined ? undefined : ctx.portName(o.port);
  const service = await ctx.service(port ? [port] : []);
  const report = await service.call('doctorReport', port ? { port } : {});
  if (!o.fix) {
    ctx.reporter.print(reportText(report));
    ctx.reporter.succeed('doctor', { report });
    return EXIT.OK;
  }

  const fix = allFixes(report).find((f) => f.id === o.fix);
  if (!fix) {
    const offered = allFixes(report).map((f) => f.id);
    throw usageError(
      `The doctor does not offer the fix "${o.fix}" here.`,
      offered.length
        ? `Fixes offered now: ${offered.join(', ')}.`
        : 'No fix is offered now: run `kiln doctor` to see the report.',
    );
  }
  ctx.reporter.event('fix', { fix });
  ctx.io.stderr.write(`${fixPreviewText(fix)}\n`);
  const yes =
    o.yes || (await askYesNo(ctx.io, fix.commands.length > 0 ? 'Run it? [y/N] ' : 'Mark as read? [y/N] '));
  if (!yes)
    throw new KilnError('CANCELLED', 'Nothing was run: the fix was not confirmed.', {
      hint: 'Run it again and answer y, or use the manual commands shown.',
    });
  const r = await service.call('runFix', { fixId: fix.id, confirmed: true });
  if (r.output) ctx.reporter.note(r.output);
  if (r.status === 'manual' && r.manual?.length)
    ctx.reporter.note(
      ['Kiln could not run it itself. Run by hand:', ...r.manual.map((m) => `  ${m}`)].join('\n'),
    );
  if (r.status === 'failed') {
    const e = r.error ?? { code: 'INTERNAL' as const, message: 'The fix failed.' };
    throw new KilnError(e.code, e.message, {
      hint: r.manual?.length ? `Run by hand: ${r.manual.join('; ')}` : 'Run the commands shown by hand.',
    });
  }
  ctx.reporter.print(
    r.status === 'done' ? `Done: ${fix.title}.` : `Not applied automatically (${r.status}).`,
  );
  ctx.reporter.succeed('doctor', { fix: fix.id, ...r });
  return EXIT.OK;
}
