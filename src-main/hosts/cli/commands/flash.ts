/** `kiln flash`: write one or more images (or a manifest's build for the detected chip), verify, reset. */
import { Command, Option } from 'commander';
import type { FlashDefaults, JobResult } from '../../../service/contract';
import {
  AFTER_RESETS,
  BEFORE_RESETS,
  BOARD_PRESETS,
  boardPreset,
  FLASH_FREQS,
  FLASH_MODES,
  FLASH_SIZES,
  wiringCard,
  type BoardPreset,
} from '../../../vocabulary';
import { parseBaud, parseFileArg, parseSeconds, usageError } from '../args';
import { askYesNo } from '../ask';
import { JobFailed, runJob, type CommandContext } from '../command-context';
import { bootCheckText } from '../boot-check-text';
import { EXIT } from '../exit-codes';
import type { ChosenImage } from '../firmware-input';
import { formatBytes, hex } from '../format';

export interface FlashOpts {
  port: string;
  baud?: number;
  before?: (typeof BEFORE_RESETS)[number];
  /** With --before manual: seconds to listen for the power-up before concluding. */
  listen?: number;
  /** A board preset id (vocabulary/board-presets.ts): its reset, flash mode and size, baud and wiring card. */
  board?: string;
  after?: 'hard-reset' | 'no-reset';
  flashMode: FlashDefaults['flashMode'];
  flashFreq: FlashDefaults['flashFreq'];
  flashSize: FlashDefaults['flashSize'];
  /** undefined = neither --erase-all nor --no-erase-all: a manifest's `new_install_prompt_erase` may ask. */
  eraseAll?: boolean;
  skip: boolean;
  backup?: boolean;
  /** undefined = the service's default (on after a hard reset on a serial port). */
  bootCheck?: boolean;
}

const EXAMPLES = `
Examples:
  kiln flash --port /dev/ttyUSB0 firmware.bin            one image at the chip's default offset
  kiln flash --port /dev/ttyUSB0 boot.bin@0x1000 partitions.bin@0x8000 app.bin@0x10000
  kiln flash --port /dev/ttyACM0 --baud 921600 manifest.json   ESP Web Tools manifest: the build for the chip found
  kiln flash --port sim:esp8266 firmware.bin              a simulated board, no hardware needed
  kiln flash --port socket://127.0.0.1:4000 --json app.bin@0x10000
  kiln flash --port /dev/ttyUSB0 --before manual --flash-mode dout tasmota.bin
                                                          a Sonoff/ESP-01 without auto-reset: Kiln says when to
                                                          hold the button and power up, and listens (Ctrl-C stops)

Offsets are hex (0x10000) or decimal (65536). Blocks the chip already holds are skipped (--no-skip writes all).
Every region is checked by MD5 on the chip before Kiln reports success. After a hard reset on a serial port Kiln
listens to the boot log (--no-boot-check skips it) and warns of a boot loop or a flash mode the board cannot read.`;

export function flashCommand(
  program: Command,
  run: (fn: (ctx: CommandContext) => Promise<number>) => Promise<void>,
): void {
  program
    .command('flash')
    .description('write firmware to the board and verify it')
    .argument('<files...>', 'FILE[@OFFSET] ... or one manifest.json')
    .requiredOption('-p, --port <port>', 'serial port, sim:CHIP or socket://HOST:PORT')
    .option(
      '-b, --baud <baud>',
      'data baud after the stub starts (default: the adapter\u2019s best)',
      parseBaud,
    )
    .addOption(
      new Option(
        '--board <preset>',
        'a known board: sets --before, --flash-mode, --flash-size and --baud unless given, and shows its wiring',
      ).choices(BOARD_PRESETS.map((p) => p.id)),
    )
    .addOption(new Option('--before <mode>', 'how to enter the bootloader').choices(BEFORE_RESETS))
    .option(
      '--listen <seconds>',
      'with --before manual: listen this long for the power-up, then say what was (not) heard (default: until Ctrl-C)',
      parseSeconds,
    )
    .addOption(new Option('--after <mode>', 'what to do when done').choices(AFTER_RESETS))
    .addOption(
      new Option('--flash-mode <mode>', 'SPI mode written into the image header')
        .choices(FLASH_MODES)
        .default('keep'),
    )
    .addOption(
      new Option('--flash-freq <freq>', 'SPI frequency written into the header')
        .choices(FLASH_FREQS)
        .default('keep'),
    )
    .addOption(
      new Option('--flash-size <size>', 'flash size written into the header (detect = the chip\u2019s)')
        .choices(FLASH_SIZES)
        .default('keep'),
    )
    .option('--erase-all', 'erase the whole flash first')
    .option(
      '--no-erase-all',
      'do not erase the whole flash, and do not ask when a manifest suggests it (the answer for scripts)',
    )
    .option('--no-skip', 'write every block, even those the chip already holds')
    .option(
      '--backup',
      'save the bytes this flash overwrites into the data folder first (not a full backup: see kiln backup)',
    )
    .option(
      '--boot-check',
      'after the reset, listen to the board and report whether it boots (default after a hard reset on a serial port)',
    )
    .option('--no-boot-check', 'reset without listening to the boot log')
    .addHelpText('after', EXAMPLES)
    .action((files: string[], opts: FlashOpts) => run((ctx) => flash(ctx, files, opts)));
}

/** The preset's settings where the command line left the default. */
function withPreset(opts: FlashOpts, p: BoardPreset): FlashOpts {
  return {
    ...opts,
    before: opts.before ?? p.reset,
    baud: opts.baud ?? p.safeBaud,
    flashMode: opts.flashMode === 'keep' ? p.flashMode : opts.flashMode,
    flashSize: opts.flashSize === 'keep' ? p.flashSize : opts.flashSize,
  };
}

async function flash(ctx: CommandContext, files: string[], given: FlashOpts): Promise<number> {
  const preset = given.board === undefined ? undefined : boardPreset(given.board);
  const opts = preset ? withPreset(given, preset) : given;
  const args = files.map(parseFileArg); // usage errors before anything opens
  if (preset?.wiring.length) ctx.reporter.note(wiringCard(preset).join('\n'));
  const port = ctx.portName(opts.port);
  const service = await ctx.service([port]);
  const connection = {
    port,
    ...(opts.baud !== undefined ? { baud: opts.baud } : {}),
    ...(opts.before ? { before: opts.before } : {}),
    ...(opts.after ? { after: opts.after } : {}),
    ...(opts.listen !== undefined ? { listenSeconds: opts.listen } : {}),
  };
  if (opts.listen !== undefined && opts.before !== 'manual')
    throw usageError('--listen only applies with --before manual.', 'Add --before manual, or drop --listen.');

  // Loaded here, not at start: manifests bring the image room and zod (`kiln --version` stays quick).
  const { isManifestArg, loadImages, loadManifest, loadManifestBuild } = await import('../firmware-input');
  let images: ChosenImage[];
  let eraseAll = opts.eraseAll;
  if (isManifestArg(args)) {
    const m = await loadManifest(service, args[0]!.file, ctx.io.cwd);
    ctx.reporter.event('manifest', {
      name: m.manifest.name,
      version: m.manifest.version,
      families: m.manifest.builds.map((b) => b.chipFamily),
      ...(m.manifest.newInstallPromptErase !== undefined
        ? { newInstallPromptErase: m.manifest.newInstallPromptErase }
        : {}),
    });
    ctx.reporter.note(
      `Manifest "${m.manifest.name}"${m.manifest.version ? ` ${m.manifest.version}` : ''}: builds for ${m.manifest.builds.map((b) => b.chipFamily).join(', ')}.`,
    );
    // Asked before the port opens, so the board does not wait in its loader for an answer.
    if (m.manifest.newInstallPromptErase === true && eraseAll === undefined)
      eraseAll = await eraseAsManifestSuggests(ctx);
    ctx.reporter.note('Detecting the chip…');
    // The build depends on the chip, so identify first; stay in the loader (no reset) for the flash that follows.
    const info = await service.call('identify', { ...connection, after: 'no-reset' });
    ctx.reporter.event('device', { device: info });
    ctx.reporter.note(`Found ${info.description} (${info.chip}).`);
    images = await loadManifestBuild(service, m, info.chip);
  } else {
    images = await loadImages(service, files, ctx.io.cwd);
  }
  for (const img of images) {
    const info = img.summary.info;
    ctx.reporter.event('firmware', {
      name: img.name,
      sha256: img.sha256,
      size: img.summary.size,
      offset: img.offset,
      info,
      warnings: img.summary.warnings,
    });
    const where =
      img.offset !== undefined
        ? `at ${hex(img.offset)}`
        : info.suggestedOffset !== undefined
          ? `(default offset)`
          : '';
    ctx.reporter.note(
      `${img.name}: ${formatBytes(img.summary.size)}, ${info.description ?? info.format} ${where}`.trimEnd(),
    );
    for (const w of img.summary.warnings) ctx.reporter.note(`warning: ${img.name}: ${w.message}`);
  }

  const done = await runJob(ctx, service, () =>
    service.call('startFlash', {
      ...connection,
      images: images.map((i) =>
        i.offset === undefined
          ? { sha256: i.sha256, name: i.name }
          : { sha256: i.sha256, name: i.name, offset: i.offset },
      ),
      options: {
        eraseAll: !!eraseAll,
        flashMode: opts.flashMode,
        flashFreq: opts.flashFreq,
        flashSize: opts.flashSize,
        skipUnchanged: opts.skip,
        backupFirst: !!opts.backup,
        ...(opts.bootCheck !== undefined ? { bootCheck: opts.bootCheck } : {}),
      },
    }),
  );
  if (!done.ok || done.result?.kind !== 'flash') {
    // The wiring card again: after a failure is when it is read.
    if (preset?.wiring.length) ctx.reporter.note(wiringCard(preset).join('\n'));
    throw new JobFailed(done);
  }
  printFlashResult(ctx, done.result);
  ctx.reporter.succeed('flash', { ...done.result });
  return EXIT.OK;
}

/**
 * A manifest with `new_install_prompt_erase: true` asks the person whether to erase the whole flash first, as
 * ESP Web Tools does (its install dialog's "Erase device" page, whose checkbox starts unticked: no is the default).
 * On a terminal Kiln asks the same; with --json or no terminal on stdin there is nobody to ask, so the flash is
 * not erased (the manifest suggests, the person decides) and a note says so and how to choose.
 */
async function eraseAsManifestSuggests(ctx: CommandContext): Promise<boolean> {
  if (!ctx.reporter.json && ctx.io.stdin.isTTY)
    return askYesNo(
      ctx.io,
      'The manifest suggests erasing the whole flash first (settings and data kept on the board are lost).\nErase the whole flash first? [y/N] ',
    );
  const message =
    'The manifest suggests erasing the whole flash first; not erased, as there is no terminal to ask on. Add --erase-all to erase it, or --no-erase-all to keep it without this note.';
  ctx.reporter.event('note', { message });
  ctx.reporter.note(message);
  return false;
}

export function printFlashResult(ctx: CommandContext, r: Extract<JobResult, { kind: 'flash' }>): void {
  const lines = [
    `Flashed and verified ${r.device.description} (MAC ${r.device.mac}) at ${r.baud} baud in ${(r.durationMs / 1000).toFixed(1)} s${r.retriedAtBaud ? ` (retried at ${r.retriedAtBaud})` : ''}:`,
  ];
  for (const g of r.regions) {
    const skipped =
      g.blocksSkipped > 0 ? `, ${g.blocksSkipped} of ${g.blocksTotal} blocks already there` : '';
    lines.push(
      `  ${hex(g.offset, 6)}  ${g.name ?? ''}  ${formatBytes(g.size)}  md5 ${g.md5}  sent ${formatBytes(g.bytesSent)}${skipped}  ${g.verified ? 'verified' : 'NOT VERIFIED'}`,
    );
  }
  for (const b of r.backup ?? [])
    lines.push(`  backup of ${hex(b.offset, 6)}+${formatBytes(b.size)}: ${b.file}`);
  if (r.boot) lines.push(bootCheckText(r.boot));
  ctx.reporter.print(lines.join('\n'));
}
