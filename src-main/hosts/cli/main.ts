/**
 * The `kiln` command line: commander wiring, the global options (--json, --verbose), and the single place
 * where a failure becomes output plus an exit code (exit-codes.ts). `runCli` never calls process.exit; the
 * entry point (bin/kiln.mjs) does, with the code returned.
 */
import { Command, CommanderError } from 'commander';
import { cancelled, isKilnError, toErrorData, type KilnErrorData } from '../../core/errors';
import type { Diagnosis } from '../../service/contract';
import { createCliService, CLI_VERSION, type ServiceFactory } from './cli-service';
import { createCommandContext, JobFailed, type CommandContext } from './command-context';
import { flashCommand } from './commands/flash';
import { doctorCommand } from './commands/doctor';
import { eraseCommand, infoCommand, readCommand } from './commands/device-ops';
import { backupCommand, restoreCommand } from './commands/backup';
import { monitorCommand } from './commands/monitor';
import { portsCommand } from './commands/ports';
import { simCommand } from './commands/sim';
import { batchCommand } from './commands/batch';
import { provisionCommand } from './commands/provision';
import { fleetCommand } from './commands/fleet';
import { EXIT, exitCodeFor, exitCodeHelp } from './exit-codes';
import { processIo, type CliIo } from './io';
import { createReporter } from './reporter';

export interface RunCliOptions {
  io?: CliIo;
  createService?: ServiceFactory;
  forceExit?: (code: number) => void;
}

const INTRO = `
Getting started:
  kiln ports                                    find your board's port
  kiln info --port /dev/ttyUSB0                 check that Kiln can talk to it
  kiln flash --port /dev/ttyUSB0 firmware.bin   flash it (verified by MD5)
  kiln flash --port sim:esp8266 firmware.bin    try it without hardware (a simulated board)
  kiln doctor                                   when the port will not open

Every command takes --json: one JSON event per line, then a final {"ok": ...} object.
Run kiln <command> --help for its options and examples.

${exitCodeHelp()}`;

/** Failures where the access doctor has more to say. */
const ACCESS_CODES = new Set(['PORT_PERMISSION_DENIED', 'PORT_BUSY', 'PORT_NOT_FOUND', 'PORT_OPEN_FAILED']);

function diagnosisOf(e: unknown): Diagnosis | undefined {
  if (e instanceof JobFailed) return e.done.diagnosis;
  const d = isKilnError(e) ? e.details?.diagnosis : undefined;
  return d && typeof d === 'object' && 'title' in d ? (d as unknown as Diagnosis) : undefined;
}

export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  // Known before parsing, so that even a usage error answers in the voice that was asked for.
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const reporter = createReporter(io, { json, verbose });
  const ctx: CommandContext = createCommandContext({
    io,
    reporter,
    verbose,
    createService: options.createService ?? createCliService,
    forceExit: options.forceExit ?? ((code) => process.exit(code)),
  });
  let command = 'kiln';
  let exitCode: number = EXIT.OK;
  // Ctrl-C outside a job (identify, reading files, a usage message): say so in the voice asked for, close, leave.
  const offTopLevel = ctx.onInterrupt(() => {
    reporter.fail(command, cancelled('Cancelled (Ctrl-C).').toData(), EXIT.CANCELLED);
    void ctx.dispose().finally(() => ctx.forceExit(EXIT.CANCELLED));
  });
  const run = async (fn: (c: CommandContext) => Promise<number>) => {
    exitCode = await fn(ctx);
  };

  const program = new Command('kiln')
    .description('Flash ESP8266 and ESP32-family boards, and find out why it fails when it does.')
    .version(CLI_VERSION, '-V, --version')
    .option('--json', 'machine-readable output: JSON events, one per line, then a final result object')
    .option('-v, --verbose', 'show debug logs')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', INTRO)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => {
        if (!json) io.stderr.write(s);
      },
      outputError: (s, write) => {
        if (!json) write(s);
      },
    })
    .hook('preAction', (_root, actionCommand) => {
      command = actionCommand.name();
    });
  for (const add of [
    portsCommand,
    infoCommand,
    flashCommand,
    readCommand,
    eraseCommand,
    backupCommand,
    restoreCommand,
    monitorCommand,
    simCommand,
    doctorCommand,
    batchCommand,
    provisionCommand,
    fleetCommand,
  ])
    add(program, run);
  for (const c of program.commands)
    c.exitOverride()
      .option('--json', 'JSON lines output (see kiln --help)')
      .option('-v, --verbose', 'show debug logs');

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    exitCode = failure(e);
  } finally {
    offTopLevel();
    reporter.close();
    await ctx.dispose().catch(() => undefined);
  }
  return exitCode;

  function failure(e: unknown): number {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return EXIT.OK;
      if (e.code === 'commander.executeSubCommandAsync') return EXIT.OK;
      const error: KilnErrorData = {
        code: 'BAD_REQUEST',
        message: e.message.replace(/^error:\s*/, ''),
        hint: `Run kiln ${command === 'kiln' ? '' : `${command} `}--help for usage.`,
      };
      if (json) reporter.fail(command, error, EXIT.USAGE);
      return EXIT.USAGE;
    }
    const data = toErrorData(e);
    const code = exitCodeFor(data.code);
    reporter.fail(command, data, code, diagnosisOf(e));
    const port = data.details?.port;
    if (ACCESS_CODES.has(data.code) && typeof port === 'string' && port.startsWith('/')) {
      reporter.note(`For a full check of this port: kiln doctor --port ${port}`);
    }
    return code;
  }
}
