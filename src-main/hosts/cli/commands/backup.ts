/**
 * `kiln backup` and `kiln restore`: the whole flash saved (the stock firmware, restorable) and written back. The
 * service does both (startBackup, startRestore); this file turns them into a command line and, for `--out`,
 * copies the backup from the data folder into a folder of the user's choice.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { checkOutputPath } from '../../../core/named-files';
import { openPrivateExclusive } from '../../../core/private-files';
import { KilnError } from '../../../core/errors';
import { usageError } from '../args';
import { JobFailed, runJob } from '../command-context';
import { EXIT } from '../exit-codes';
import { formatBytes } from '../format';
import { connection, connectionOptions, type ConnectionOpts, type Run } from './device-ops';
import { printFlashResult } from './flash';

interface BackupOpts extends ConnectionOpts {
  out?: string;
}

export function backupCommand(program: Command, run: Run): void {
  connectionOptions(
    program
      .command('backup')
      .description(
        'save the whole flash (to restore the original firmware later), checked by MD5 on the chip',
      ),
  )
    .option('--out <dir>', 'also put a copy in this folder (the backup is always kept in the data folder)')
    .addHelpText(
      'after',
      `
Examples:
  kiln backup --port /dev/ttyUSB0                  into <data folder>/backups/<mac>-<YYYYMMDD-HHMMSS>-full.bin
  kiln backup --port /dev/ttyUSB0 --out .          and a copy here
  kiln restore --port /dev/ttyUSB0 18fe34a1b2c3-20261206-204501-full.bin   put it back

The size read is the flash size the chip's flash id gives; the file holds Wi-Fi passwords, so it is owner-only.`,
    )
    .action((o: BackupOpts) =>
      run(async (ctx) => {
        // The folder is checked before the board is read: a typo fails now, not after a minute of reading.
        const outDir =
          o.out === undefined
            ? undefined
            : path.dirname(
                await checkOutputPath(path.join(path.resolve(ctx.io.cwd, o.out), 'backup.bin'), o.out),
              );
        const c = connection(ctx, o);
        const service = await ctx.service([c.port]);
        const done = await runJob(ctx, service, () => service.call('startBackup', c));
        if (!done.ok || done.result?.kind !== 'backup') throw new JobFailed(done);
        const { device, backup } = done.result;
        let file = backup.file;
        if (outDir) {
          const { bytes } = await service.call('getFirmware', { sha256: backup.sha256 });
          file = path.join(outDir, path.basename(backup.file));
          await writeNew(file, bytes);
        }
        ctx.reporter.print(
          [
            `Backed up the whole flash of ${device.description} (MAC ${device.mac}, ${formatBytes(device.flashSize)}) in ${(done.result.durationMs / 1000).toFixed(1)} s:`,
            `  ${file}`,
            `  md5 ${backup.md5} (checked by the chip)`,
          ].join('\n'),
        );
        ctx.reporter.succeed('backup', { ...done.result, file });
        return EXIT.OK;
      }),
    );
}

/** A copy that never replaces a file (the name carries the second it was made, so a clash is a mistake). */
async function writeNew(file: string, bytes: Uint8Array): Promise<void> {
  let handle;
  try {
    handle = await openPrivateExclusive(file);
  } catch (e) {
    throw new KilnError(
      'BAD_REQUEST',
      `Cannot write ${file}: ${(e as NodeJS.ErrnoException).code === 'EEXIST' ? 'it already exists' : String(e)}.`,
      {
        hint: 'The backup is in the data folder all the same; pick another folder for the copy.',
        details: { file },
      },
    );
  }
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface RestoreOpts extends ConnectionOpts {
  bootCheck?: boolean;
}

export function restoreCommand(program: Command, run: Run): void {
  connectionOptions(
    program
      .command('restore')
      .description('write a whole-flash backup back onto the board (at 0x0) and verify it'),
  )
    .argument('<file>', 'a whole-flash backup (kiln backup), exactly the size of the board\u2019s flash')
    .option(
      '--boot-check',
      'listen to the board after the reset (default after a hard reset on a serial port)',
    )
    .option('--no-boot-check', 'reset without listening to the boot log')
    .addHelpText(
      'after',
      `
Examples:
  kiln restore --port /dev/ttyUSB0 18fe34a1b2c3-20261206-204501-full.bin

A file that is not a whole flash is refused (NOT_A_FULL_BACKUP), and so is a backup of another flash size
(BACKUP_WRONG_SIZE), before anything is written. Blocks the chip already holds are skipped; all is MD5-verified.`,
    )
    .action((file: string, o: RestoreOpts) =>
      run(async (ctx) => {
        if (file === '') throw usageError('No backup file was given.', 'Name the file kiln backup wrote.');
        const c = connection(ctx, o);
        const service = await ctx.service([c.port]);
        // Loaded here, not at start (the image room and zod): as kiln flash does.
        const { loadWholeFile } = await import('../firmware-input');
        const backup = await loadWholeFile(service, file, ctx.io.cwd);
        ctx.reporter.note(`${backup.name}: ${formatBytes(backup.summary.size)}, restoring at 0x0…`);
        const done = await runJob(ctx, service, () =>
          service.call('startRestore', {
            ...c,
            backup: { sha256: backup.sha256, name: backup.name },
            ...(o.bootCheck !== undefined ? { bootCheck: o.bootCheck } : {}),
          }),
        );
        if (!done.ok || done.result?.kind !== 'flash') throw new JobFailed(done);
        printFlashResult(ctx, done.result);
        ctx.reporter.succeed('restore', { ...done.result });
        return EXIT.OK;
      }),
    );
}
