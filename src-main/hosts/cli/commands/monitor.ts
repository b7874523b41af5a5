/**
 * `kiln monitor`: a plain serial console. On a terminal stdin goes raw and every key goes to the board, except
 * two escapes: Ctrl-T R resets the board (Ctrl-T B into the bootloader, Ctrl-T Ctrl-T sends a Ctrl-T) and
 * Ctrl-] quits. Without a terminal, stdin is forwarded as is and Ctrl-C (SIGINT) quits.
 */
import { Command } from 'commander';
import { KilnError, type ErrorDetails } from '../../../core/errors';
import type { EventPayload } from '../../../service/contract';
import { parseBaud } from '../args';
import type { CommandContext } from '../command-context';
import { EXIT } from '../exit-codes';

type Run = (fn: (ctx: CommandContext) => Promise<number>) => Promise<void>;

const CTRL_T = 0x14;
const CTRL_RIGHT_BRACKET = 0x1d;

export type KeyAction = { send: Uint8Array } | { reset: 'run' | 'bootloader' } | { quit: true };

/** The escape handling, as a pure step function (state = "Ctrl-T was the last key"). */
export function keyActions(chunk: Uint8Array, state: { escape: boolean }): KeyAction[] {
  const out: KeyAction[] = [];
  let plain: number[] = [];
  const flush = () => {
    if (plain.length > 0) out.push({ send: Uint8Array.from(plain) });
    plain = [];
  };
  for (const b of chunk) {
    if (state.escape) {
      state.escape = false;
      if (b === 0x72 || b === 0x52 || b === 0x12) {
        flush();
        out.push({ reset: 'run' });
      } else if (b === 0x62 || b === 0x42) {
        flush();
        out.push({ reset: 'bootloader' });
      } else if (b === CTRL_T) plain.push(CTRL_T);
      else if (b === 0x71 || b === 0x51 || b === CTRL_RIGHT_BRACKET) {
        flush();
        out.push({ quit: true });
        return out;
      }
      continue;
    }
    if (b === CTRL_RIGHT_BRACKET) {
      flush();
      out.push({ quit: true });
      return out;
    }
    if (b === CTRL_T) {
      state.escape = true;
      continue;
    }
    plain.push(b);
  }
  flush();
  return out;
}

interface MonitorOpts {
  port: string;
  baud: number;
  reset?: boolean;
}

export function monitorCommand(program: Command, run: Run): void {
  program
    .command('monitor')
    .description('serial console (Ctrl-T R resets the board, Ctrl-] quits)')
    .requiredOption('-p, --port <port>', 'serial port, sim:CHIP or socket://HOST:PORT')
    .option('-b, --baud <baud>', 'console baud (74880 shows the ESP8266 boot ROM text)', parseBaud, 115200)
    .option('--reset', 'reset the board once the console is open')
    .addHelpText(
      'after',
      '\nExamples:\n  kiln monitor --port /dev/ttyUSB0\n  kiln monitor --port /dev/ttyUSB0 --baud 74880 --reset',
    )
    .action((o: MonitorOpts) => run((ctx) => monitor(ctx, o)));
}

async function monitor(ctx: CommandContext, o: MonitorOpts): Promise<number> {
  const port = ctx.portName(o.port);
  const service = await ctx.service([port]);
  const { monitorId } = await service.call('monitorOpen', { port, baud: o.baud });
  let received = 0;
  let finish!: (r: { lost?: EventPayload<'monitorClosed'>['error'] }) => void;
  const ended = new Promise<{ lost?: EventPayload<'monitorClosed'>['error'] }>(
    (resolve) => (finish = resolve),
  );
  const unsubscribe = service.subscribe((event, payload) => {
    if (event === 'monitorData') {
      const p = payload as EventPayload<'monitorData'>;
      if (p.monitorId !== monitorId) return;
      received += p.data.byteLength;
      if (ctx.reporter.json)
        ctx.reporter.event('data', {
          text: Buffer.from(p.data).toString('latin1'),
          hex: Buffer.from(p.data).toString('hex'),
        });
      else ctx.io.stdout.write(p.data); // raw: the terminal decodes UTF-8 itself
    } else if (event === 'monitorClosed') {
      const p = payload as EventPayload<'monitorClosed'>;
      if (p.monitorId === monitorId) finish(p.error ? { lost: p.error } : {});
    }
  });
  ctx.reporter.event('open', { port, baud: o.baud });
  ctx.reporter.note(`Connected to ${port} at ${o.baud} baud. Ctrl-T R resets the board, Ctrl-] quits.`);
  if (o.reset) await service.call('monitorReset', { monitorId, mode: 'run' });

  const stdin = ctx.io.stdin;
  const raw = !!stdin.isTTY && typeof stdin.setRawMode === 'function';
  const state = { escape: false };
  const onKeys = (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    const actions: KeyAction[] = raw ? keyActions(bytes, state) : [{ send: bytes }];
    for (const a of actions) {
      if ('quit' in a) finish({});
      else if ('reset' in a)
        void service.call('monitorReset', { monitorId, mode: a.reset }).catch(() => undefined);
      else void service.call('monitorWrite', { monitorId, data: a.send }).catch(() => undefined);
    }
  };
  if (raw) stdin.setRawMode!(true);
  stdin.on('data', onKeys);
  stdin.resume();
  void ctx.untilInterrupted().then(() => finish({}));

  const result = await ended;
  stdin.off('data', onKeys);
  if (raw) stdin.setRawMode!(false);
  stdin.pause();
  unsubscribe();
  await service.call('monitorClose', { monitorId }).catch(() => undefined);
  if (result.lost) {
    const opts: ConstructorParameters<typeof KilnError>[2] = {};
    if (result.lost.hint) opts.hint = result.lost.hint;
    if (result.lost.details) opts.details = result.lost.details as ErrorDetails;
    throw new KilnError(result.lost.code, result.lost.message, opts);
  }
  ctx.reporter.note('\nMonitor closed.');
  ctx.reporter.succeed('monitor', { port, baud: o.baud, bytesReceived: received });
  return EXIT.OK;
}
