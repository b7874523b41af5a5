/** `kiln ports`: the serial ports on this machine, then the virtual (simulated) boards. */
import { Command } from 'commander';
import type { PortEntry } from '../../../service/contract';
import type { CommandContext } from '../command-context';
import { EXIT } from '../exit-codes';

type Run = (fn: (ctx: CommandContext) => Promise<number>) => Promise<void>;

export function portTable(ports: PortEntry[]): string {
  const real = ports.filter((p) => p.group !== 'virtual');
  const virtual = ports.filter((p) => p.group === 'virtual');
  const lines: string[] = [];
  if (real.length === 0) {
    lines.push(
      'No serial ports found. Plug the board in with a data cable; if it still does not show, run: kiln doctor',
    );
  } else {
    const rows = [
      ['PATH', 'BRIDGE', 'VID:PID', 'SERIAL', 'BY-ID'],
      ...real.map((p) => [
        p.path,
        p.bridge ?? '-',
        p.usbId ?? '-',
        p.serialNumber ?? '-',
        p.byId?.replace(/^\/dev\/serial\/by-id\//, '') ?? '-',
      ]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows)
      lines.push(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  }
  if (virtual.length > 0) {
    lines.push('', 'Virtual devices (simulated boards, no hardware needed):');
    const w = Math.max(...virtual.map((p) => p.path.length));
    for (const p of virtual) lines.push(`  ${p.path.padEnd(w)}  ${p.label}`);
    lines.push('  Options: sim:esp8266?fault=swap-txrx, sim:esp8266?board=sonoff, sim:esp32?flash=8MB');
  }
  return lines.join('\n');
}

export function portsCommand(program: Command, run: Run): void {
  program
    .command('ports')
    .description('list serial ports (bridge chip, VID:PID, serial number, by-id name), then virtual devices')
    .addHelpText('after', '\nExamples:\n  kiln ports\n  kiln ports --json')
    .action(() =>
      run(async (ctx) => {
        const { ports } = await (await ctx.service()).call('listPorts', {});
        ctx.reporter.print(portTable(ports));
        ctx.reporter.succeed('ports', { ports });
        return EXIT.OK;
      }),
    );
}
