/** `kiln info`, `kiln read` and `kiln erase`: the one-shot device operations. */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Command, Option } from 'commander';
import { checkOutputPath } from '../../../core/named-files';
import { writePrivateFile } from '../../../core/private-files';
import { AFTER_RESETS, BEFORE_RESETS } from '../../../vocabulary';
import { parseBaud, parseFlashNumber, parseRegion, usageError } from '../args';
import { JobFailed, runJob, type CommandContext } from '../command-context';
import { EXIT } from '../exit-codes';
import { deviceLines, formatBytes, hex } from '../format';

export type Run = (fn: (ctx: CommandContext) => Promise<number>) => Promise<void>;

export interface ConnectionOpts {
  port: string;
  baud?: number;
  before?: 'default' | 'no-reset' | 'usb-reset';
  after?: 'hard-reset' | 'no-reset';
}

export function connectionOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-p, --port <port>', 'serial port, sim:CHIP or socket://HOST:PORT')
    .option('-b, --baud <baud>', 'data baud after the stub starts', parseBaud)
    .addOption(new Option('--before <mode>', 'how to enter the bootloader').choices(BEFORE_RESETS))
    .addOption(new Option('--after <mode>', 'what to do when done').choices(AFTER_RESETS));
}

export function connection(ctx: CommandContext, o: ConnectionOpts) {
  const port = ctx.portName(o.port);
  return {
    port,
    ...(o.baud !== undefined ? { baud: o.baud } : {}),
    ...(o.before ? { before: o.before } : {}),
    ...(o.after ? { after: o.after } : {}),
  };
}

export function infoCommand(program: Command, run: Run): void {
  connectionOptions(
    program.command('info').description('show the chip, revision, features, MAC, crystal and flash'),
  )
    .addHelpText('after', '\nExamples:\n  kiln info --port /dev/ttyUSB0\n  kiln info --port sim:esp32 --json')
    .action((o: ConnectionOpts) =>
      run(async (ctx) => {
        const c = connection(ctx, o);
        const info = await (await ctx.service([c.port])).call('identify', c);
        ctx.reporter.print(deviceLines(info).join('\n'));
        ctx.reporter.succeed('info', { device: info });
        return EXIT.OK;
      }),
    );
}

interface ReadOpts extends ConnectionOpts {
  offset?: string;
  size?: string;
}

export function readCommand(program: Command, run: Run): void {
  connectionOptions(
    program.command('read').description('read flash into a file (a backup; checked by MD5 on the chip)'),
  )
    .argument('<out>', 'file to write')
    .option('--offset <offset>', 'where to start (default 0)')
    .option('--size <size>', 'how much to read (default: to the end of the flash)')
    .addHelpText(
      'after',
      '\nExamples:\n  kiln read --port /dev/ttyUSB0 backup.bin                    the whole flash\n  kiln read --port /dev/ttyUSB0 --offset 0x9000 --size 0x6000 nvs.bin',
    )
    .action((out: string, o: ReadOpts) =>
      run(async (ctx) => {
        const offset = o.offset === undefined ? 0 : parseFlashNumber(o.offset, 'The offset');
        const size = o.size === undefined ? undefined : parseFlashNumber(o.size, 'The size', { min: 1 });
        if (out === '')
          throw usageError('No output file was given.', 'Name the file to write, e.g. backup.bin.');
        // The output is checked before the board is read: a folder or an unwritable path fails now, not after.
        const file = await checkOutputPath(path.resolve(ctx.io.cwd, out), out);
        const c = connection(ctx, o);
        const service = await ctx.service([c.port]);
        const done = await runJob(ctx, service, () =>
          service.call('startRead', { ...c, offset, ...(size !== undefined ? { size } : {}) }),
        );
        if (!done.ok || done.result?.kind !== 'read') throw new JobFailed(done);
        const { bytes } = await service.call('getFirmware', { sha256: done.result.read.sha256 });
        // A flash dump holds Wi-Fi passwords: owner-only.
        await writePrivateFile(file, bytes);
        const md5 = createHash('md5').update(bytes).digest('hex');
        ctx.reporter.print(
          `Read ${formatBytes(bytes.byteLength)} from ${hex(offset, 6)} of ${done.result.device.description} into ${out} (md5 ${md5}, checked by the chip).`,
        );
        ctx.reporter.succeed('read', { ...done.result, file, md5 });
        return EXIT.OK;
      }),
    );
}

interface EraseOpts extends ConnectionOpts {
  region?: string;
}

export function eraseCommand(program: Command, run: Run): void {
  connectionOptions(program.command('erase').description('erase the whole flash, or one region'))
    .option('--region <offset:size>', 'erase only this region, e.g. 0x9000:0x6000 (sector-aligned)')
    .addHelpText(
      'after',
      '\nExamples:\n  kiln erase --port /dev/ttyUSB0                      everything (takes a while)\n  kiln erase --port /dev/ttyUSB0 --region 0x9000:0x6000',
    )
    .action((o: EraseOpts) =>
      run(async (ctx) => {
        const region = o.region === undefined ? undefined : parseRegion(o.region);
        const c = connection(ctx, o);
        const service = await ctx.service([c.port]);
        const done = await runJob(ctx, service, () =>
          service.call('startErase', { ...c, ...(region ? { region } : {}) }),
        );
        if (!done.ok || done.result?.kind !== 'erase') throw new JobFailed(done);
        ctx.reporter.print(
          region
            ? `Erased ${formatBytes(region.size)} at ${hex(region.offset, 6)} on ${done.result.device.description}.`
            : `Erased the whole flash of ${done.result.device.description}.`,
        );
        ctx.reporter.succeed('erase', { ...done.result });
        return EXIT.OK;
      }),
    );
}
