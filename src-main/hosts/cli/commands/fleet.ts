/**
 * `kiln fleet`: the fleet as its broker knows it — every station online or offline with its counts and rate, the
 * latest verified boards, totals — and the merged record stream as CSV (--csv FILE). Read-only: it publishes
 * nothing but its own end-of-reading marker. The password comes from KILN_BROKER_PASSWORD, never the command line.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { checkOutputPath } from '../../../core/named-files';
import type { CommandContext } from '../command-context';
import { EXIT } from '../exit-codes';

type Run = (fn: (ctx: CommandContext) => Promise<number>) => Promise<void>;

interface FleetOpts {
  broker: string;
  fleet?: string;
  brokerUser?: string;
  brokerCa?: string;
  csv?: string;
  latest: string;
}

export function fleetCommand(program: Command, run: Run): void {
  program
    .command('fleet')
    .description('show every station of a fleet (MQTT broker): online/offline, counts, rate, latest boards')
    .requiredOption(
      '--broker <url>',
      'the fleet broker (mqtt://host:1883 or mqtts://…); password in KILN_BROKER_PASSWORD',
    )
    .option('--fleet <name>', 'fleet name (topics under kiln/<name>/)')
    .option('--broker-user <user>', 'user name for the broker')
    .option('--broker-ca <file>', 'PEM file of the CA that signed an mqtts:// broker certificate')
    .option('--csv <file>', 'write the merged records of every station as CSV')
    .option('--latest <n>', 'how many of the latest boards to list', '10')
    .addHelpText(
      'after',
      `
Examples:
  kiln fleet --broker mqtt://broker.local:1883 --fleet shop
  KILN_BROKER_PASSWORD=… kiln fleet --broker mqtts://broker.local:8883 --fleet shop --broker-user kiln --csv fleet.csv`,
    )
    .action((o: FleetOpts) => run((ctx) => fleet(ctx, o)));
}

async function fleet(ctx: CommandContext, o: FleetOpts): Promise<number> {
  const { parseFleetSettings, readFleet, fleetCsv } = await import('../../../fleet');
  const settings = parseFleetSettings({
    broker: o.broker,
    fleet: o.fleet,
    ...(o.brokerUser ? { user: o.brokerUser } : {}),
    ...(o.brokerCa ? { caFile: path.resolve(ctx.io.cwd, o.brokerCa) } : {}),
  });
  const csvFile = o.csv ? await checkOutputPath(path.resolve(ctx.io.cwd, o.csv), o.csv) : undefined;
  const password = ctx.io.env.KILN_BROKER_PASSWORD;
  const view = await readFleet(settings, password);
  if (csvFile) await writeFile(csvFile, fleetCsv(view));
  const latest = Math.max(0, Number.parseInt(o.latest, 10) || 0);
  const lines = [`Fleet "${view.fleet}" at ${settings.broker}`];
  for (const s of view.stations) {
    const rate = s.perHour !== undefined ? `  ${s.perHour} boards/hour` : '';
    lines.push(
      `  ${s.online ? '●' : '○'} ${s.station}  ${s.online ? 'online' : 'offline'}${s.status ? ` (${s.status})` : ''}  ${s.verified} verified, ${s.failed} failed, ${s.skipped} skipped${rate}`,
    );
  }
  if (view.stations.length === 0) lines.push('  (no station has reported to this fleet yet)');
  lines.push(
    `Total: ${view.totals.stations} station(s), ${view.totals.online} online; ${view.totals.verified} verified, ${view.totals.failed} failed, ${view.totals.skipped} skipped`,
  );
  if (latest > 0 && view.records.length > 0) {
    lines.push('Latest boards:');
    for (const r of view.records.slice(0, latest))
      lines.push(
        `  ${r.time}  ${r.station}  ${r.port}  ${r.mac ?? '-'}  ${r.chipDescription ?? r.chip ?? ''}`,
      );
  }
  if (csvFile) lines.push(`CSV: ${csvFile} (${view.records.length} rows)`);
  ctx.reporter.print(lines.join('\n'));
  ctx.reporter.succeed('fleet', {
    fleet: view.fleet,
    stations: view.stations,
    totals: view.totals,
    records: view.records.slice(0, latest),
    ...(csvFile ? { csvFile } : {}),
  });
  return EXIT.OK;
}
