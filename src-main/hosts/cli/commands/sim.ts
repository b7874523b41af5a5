/**
 * `kiln sim`: serves one simulated board on a real endpoint (a TCP port or a pty pair) until Ctrl-C, so any
 * client — this CLI, esptool, a terminal — can talk to it like hardware. The simulator is product code
 * (DESIGN §2), served here directly rather than through the service: nothing is flashed by this process.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { preciseClock } from '../../../core/clock';
import { FAULT_NAMES } from '../../../sim/faults';
import { FLASH_WIRINGS } from '../../../sim/flash-wiring';
import type { SimOptions } from '../../../sim/index';
import { parseListenAddress, usageError } from '../args';
import type { CommandContext } from '../command-context';
import { EXIT } from '../exit-codes';

type Run = (fn: (ctx: CommandContext) => Promise<number>) => Promise<void>;

const BOARDS: Record<string, string> = {
  nodemcu: 'nodemcu',
  sonoff: 'sonoff',
  'usb-jtag': 'usb-jtag-serial',
};
/** Faults that mean the chip must come up running firmware rather than in download mode. */
const NORMAL_BOOT_FAULTS = new Set(['not-in-download-mode', 'app-running']);

interface SimCliOpts {
  chip: string;
  tcp?: string;
  pty?: boolean;
  fault: string[];
  flashSize: string;
  board?: string;
  flashWiring?: string;
  bridge?: string;
  latency?: string;
  loadFlash?: string;
  saveFlash?: string;
}

/** The `sim:` URL equivalent of the options, validated by the simulator's own parser. */
export function simUrlFor(
  o: Pick<SimCliOpts, 'chip' | 'fault' | 'flashSize' | 'board' | 'flashWiring' | 'bridge' | 'latency'>,
): string {
  const q = new URLSearchParams();
  for (const f of o.fault) q.append('fault', f);
  if (o.board) q.set('board', BOARDS[o.board] ?? o.board);
  q.set('flash', o.flashSize);
  if (o.flashWiring) q.set('wiring', o.flashWiring);
  if (o.bridge) q.set('bridge', o.bridge);
  if (o.latency) q.set('latency', o.latency);
  return `sim:${o.chip}?${q.toString()}`;
}

export function simCommand(program: Command, run: Run): void {
  program
    .command('sim')
    .description('serve a simulated board on a TCP port or a pty (runs until Ctrl-C)')
    .addOption(
      new Option('--chip <chip>', 'chip to simulate')
        .choices(['esp8266', 'esp32', 'esp32c3', 'esp32s3', 'esp32c6'])
        .makeOptionMandatory(),
    )
    .option('--tcp <host:port>', 'serve as a raw serial-over-TCP bridge (connect with socket://HOST:PORT)')
    .option('--pty', 'serve on a pseudo-terminal pair (needs socat); prints the path to open')
    .option(
      '--fault <name>',
      `inject a fault (repeatable): ${FAULT_NAMES.join(', ')}`,
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--flash-size <size>', 'flash capacity', '4MB')
    .addOption(
      new Option('--board <board>', 'reset wiring: nodemcu (auto-reset), sonoff (none), usb-jtag').choices(
        Object.keys(BOARDS),
      ),
    )
    .addOption(
      new Option(
        '--flash-wiring <modes>',
        'read modes the flash answers: qio (all), dio, dout (an ESP8285/Sonoff)',
      ).choices([...FLASH_WIRINGS]),
    )
    .option('--bridge <bridge>', 'USB bridge to model (latency, highest baud): ft232r, cp2102n, ch340, …')
    .option('--latency <ms>', 'FTDI latency timer in ms (16 default, 1 low-latency)')
    .option('--load-flash <file>', 'initial flash contents (written at 0)')
    .option('--save-flash <file>', 'write the flash contents to this file on exit')
    .addHelpText(
      'after',
      `
Examples:
  kiln sim --chip esp8266 --tcp 127.0.0.1:4000      then: kiln flash --port socket://127.0.0.1:4000 fw.bin
  kiln sim --chip esp32 --pty                       then: kiln info --port <the printed path>
  kiln sim --chip esp8266 --tcp :0 --fault swap-txrx   see what a wiring fault looks like

Over TCP each new connection power-cycles the board into download mode (no DTR/RTS on a socket).`,
    )
    .action((o: SimCliOpts) => run((ctx) => sim(ctx, o)));
}

async function sim(ctx: CommandContext, o: SimCliOpts): Promise<number> {
  if (!!o.tcp === !!o.pty)
    throw usageError(
      'Choose one endpoint: --tcp HOST:PORT or --pty.',
      'e.g. kiln sim --chip esp8266 --tcp 127.0.0.1:4000',
    );
  const listen = o.tcp ? parseListenAddress(o.tcp) : undefined;
  // The simulator is loaded by this command only (it is most of what `kiln` would otherwise load at start).
  const { parseSimUrl, serveTcp, servePty, SimulatedDevice } = await import('../../../sim/index');
  const url = simUrlFor(o);
  const parsed = parseSimUrl(url);
  const options: SimOptions = { chip: parsed.chip, clock: preciseClock, faults: parsed.faults };
  if (parsed.board) options.board = parsed.board;
  if (parsed.flashSize !== undefined) options.flashSize = parsed.flashSize;
  if (parsed.flashWiring !== undefined) options.flashWiring = parsed.flashWiring;
  if (parsed.usbPath !== undefined) options.usbPath = parsed.usbPath;
  if (parsed.firmware) options.firmware = parsed.firmware;
  if (o.loadFlash) options.flashImage = await readFile(path.resolve(ctx.io.cwd, o.loadFlash));
  const device = new SimulatedDevice(options);
  const bootMode = o.fault.some((f) => NORMAL_BOOT_FAULTS.has(f.split(':')[0]!)) ? 'normal' : 'download';

  let endpoint: string;
  let close: () => Promise<void>;
  if (listen) {
    const server = await serveTcp({ device, host: listen.host, port: listen.port, bootMode });
    endpoint = `socket://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${server.port}`;
    close = () => server.close();
  } else {
    const server = await servePty({ device, bootMode });
    endpoint = server.hostPath;
    close = () => server.close();
  }
  ctx.reporter.event('listening', {
    endpoint,
    chip: parsed.chip,
    mac: device.mac,
    flashSize: device.flash.byteLength,
    url,
  });
  ctx.reporter.print(`Simulated ${parsed.chip} (MAC ${device.mac}) listening on ${endpoint}`);
  ctx.reporter.note(`Try: kiln info --port ${endpoint}    (Ctrl-C stops the simulator)`);

  const signal = await ctx.untilInterrupted();
  await close();
  if (o.saveFlash) await writeFile(path.resolve(ctx.io.cwd, o.saveFlash), device.flash);
  ctx.reporter.note(`Simulator stopped (${signal}).${o.saveFlash ? ` Flash saved to ${o.saveFlash}.` : ''}`);
  ctx.reporter.succeed('sim', {
    endpoint,
    stats: device.stats,
    ...(o.saveFlash ? { savedFlash: o.saveFlash } : {}),
  });
  return EXIT.OK;
}
