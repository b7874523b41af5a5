/**
 * `kiln batch`: the batch station from the command line. A saved profile (JSON), explicit ports or auto mode
 * (every newly plugged port matching a VID:PID / path filter), one line per finished board, a durable JSONL
 * report. Firmware the profile names but the cache lacks is looked for next to the profile (same file name,
 * checked by SHA-256) or taken from --firmware files; anything still missing is named.
 * Ports mode ends when every board is done; auto mode runs until Ctrl-C.
 */
import path from 'node:path';
import { Command } from 'commander';
import { KilnError } from '../../../core/errors';
import { checkOutputPath } from '../../../core/named-files';
import type { KilnService } from '../../../service/service';
import type { DeviceRecord, Profile, StationSnapshot } from '../../../service/station-methods';
import { MAX_STATION_CONCURRENCY } from '../../../vocabulary';
import type { FleetSettings } from '../../../fleet/settings';
import { usageError } from '../args';
import type { CommandContext } from '../command-context';
import { EXIT } from '../exit-codes';

type Run = (fn: (ctx: CommandContext) => Promise<number>) => Promise<void>;

interface BatchOpts {
  profile: string;
  ports?: string;
  auto?: boolean;
  filter?: string;
  report?: string;
  station?: string;
  firmware: string[];
  plug: string[];
  concurrency?: string;
  broker?: string;
  fleet?: string;
  brokerUser?: string;
  brokerCa?: string;
}

export function batchCommand(program: Command, run: Run): void {
  program
    .command('batch')
    .description(
      'flash many boards with one profile: several ports at once, or every board plugged in (auto)',
    )
    .requiredOption('--profile <file>', 'station profile (JSON, as saved by the Station screen)')
    .option('--ports <list>', 'comma-separated ports to flash in parallel')
    .option('--auto', 'flash every newly plugged port that matches --filter (until Ctrl-C)')
    .option(
      '--filter <terms>',
      'auto mode: VID:PID (10c4:ea60, 1a86:*) and/or path patterns (/dev/ttyUSB*), comma-separated',
    )
    .option(
      '--report <file>',
      'JSONL report to append to (an existing report resumes: boards already verified are skipped)',
    )
    .option('--station <name>', 'station name written into every record (default: host name)')
    .option(
      '--concurrency <n>',
      `boards flashing at once, 1-${MAX_STATION_CONCURRENCY} (default: all); the others wait their turn`,
    )
    .option(
      '--firmware <file>',
      'a firmware file the profile names (repeatable; matched by SHA-256)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option(
      '--broker <url>',
      'MQTT broker of the fleet (mqtt://host:1883 or mqtts://…); password in KILN_BROKER_PASSWORD',
    )
    .option('--fleet <name>', 'fleet name: topics go under kiln/<name>/ (with --broker)')
    .option('--broker-user <user>', 'user name for the broker')
    .option('--broker-ca <file>', 'PEM file of the CA that signed an mqtts:// broker certificate')
    .option(
      '--plug <sim-url>',
      'auto mode: plug in a virtual board (repeatable), e.g. sim:esp8266?seed=3',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .addHelpText(
      'after',
      `
Examples:
  kiln batch --profile sonoff.json --ports /dev/ttyUSB0,/dev/ttyUSB1,/dev/ttyUSB2
  kiln batch --profile sonoff.json --auto --filter 1a86:7523 --report today.jsonl
  kiln batch --profile sonoff.json --ports sim:esp8266?seed=1,sim:esp8266?seed=2      (no hardware)
  kiln batch --profile sonoff.json --ports /dev/ttyUSB0,/dev/ttyUSB1,/dev/ttyUSB2,/dev/ttyUSB3 --concurrency 2

Each finished board is appended to the report (and fsync'ed) before it is shown, so a crash loses nothing.`,
    )
    .action((o: BatchOpts) => run((ctx) => batch(ctx, o)));
}

/** Adds to the cache the profile's missing files found next to the profile or among --firmware (SHA-256 must match). */
async function supplyFirmware(
  service: KilnService,
  profile: Profile,
  profileFile: string,
  extra: string[],
  cwd: string,
): Promise<void> {
  const missing = await service.station.missingFirmware(profile);
  if (missing.length === 0) return;
  const candidates = [
    ...extra.map((f) => path.resolve(cwd, f)),
    ...missing.map((m) => path.join(path.dirname(profileFile), path.basename(m.name))),
  ];
  // Loaded here, not at start: they bring the image room (every command would pay for them).
  const [{ readFirmwareCandidate }, { sha256Hex }] = await Promise.all([
    import('../firmware-input'),
    import('../../../service/firmware-cache'),
  ]);
  for (const file of candidates) {
    const bytes = await readFirmwareCandidate(file);
    if (bytes && missing.some((m) => m.sha256 === sha256Hex(bytes))) await service.firmwareCache.put(bytes);
  }
}

/** --broker/--fleet/--broker-user/--broker-ca as fleet settings (validated), or undefined without --broker. */
async function fleetOption(o: BatchOpts, cwd: string): Promise<FleetSettings | undefined> {
  if (!o.broker) {
    if (o.fleet || o.brokerUser || o.brokerCa)
      throw usageError(
        '--fleet, --broker-user and --broker-ca need --broker.',
        'e.g. --broker mqtt://broker.local:1883 --fleet shop',
      );
    return undefined;
  }
  // Loaded here, not at start: the settings' schema brings zod.
  const { parseFleetSettings } = await import('../../../fleet/settings');
  return parseFleetSettings({
    broker: o.broker,
    fleet: o.fleet,
    ...(o.brokerUser ? { user: o.brokerUser } : {}),
    ...(o.brokerCa ? { caFile: path.resolve(cwd, o.brokerCa) } : {}),
  });
}

/** `--concurrency 2` → 2; anything but a whole number from 1 to the limit is a usage error. */
function parseConcurrency(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_STATION_CONCURRENCY))
    throw usageError(
      `--concurrency "${text}" is not a number of boards from 1 to ${MAX_STATION_CONCURRENCY}.`,
      'e.g. --concurrency 4 (leave it out to flash every board at once).',
    );
  return n;
}

const SKIP_WORDS: Record<string, string> = {
  'duplicate-mac': 'already flashed in this report',
  'duplicate-mac-fleet': 'already flashed at another station of the fleet',
};

function recordLine(r: DeviceRecord): string {
  const who = [r.port, r.mac, r.chipDescription ?? r.chip].filter(Boolean).join('  ');
  const secs = `${(r.durationMs / 1000).toFixed(1)} s`;
  if (r.result === 'verified')
    return `✓ ${who}  verified  ${secs}${r.bootCheck ? `  boot: ${r.bootCheck.verdict}` : ''}${r.backup ? `  backup: ${r.backup.file}` : ''}`;
  if (r.result === 'skipped') return `- ${who}  skipped (${SKIP_WORDS[r.skipReason ?? ''] ?? r.skipReason})`;
  const diag = r.diagnosis
    ? `\n    ${r.diagnosis.title}${r.diagnosis.steps?.[0] ? ` — ${r.diagnosis.steps[0]}` : ''}`
    : '';
  return `✗ ${who}  ${r.error?.code}: ${r.error?.message}${r.error?.hint ? `\n    ${r.error.hint}` : ''}${diag}`;
}

/** Boards, each counted once by its latest attempt (the service's summary); the attempts only when retries added some. */
function summaryLine(s: StationSnapshot): string {
  const m = s.summary;
  const boards = `${m.boards} ${m.boards === 1 ? 'board' : 'boards'}${m.attempts > m.boards ? ` (${m.attempts} attempts)` : ''}`;
  return `${boards}: ${m.verified} verified, ${m.failed} failed, ${m.skipped} skipped (${m.perHour} boards/hour)${s.haltReason ? `\n${s.haltReason}` : ''}\nReport: ${s.reportFile}`;
}

async function batch(ctx: CommandContext, o: BatchOpts): Promise<number> {
  if (!!o.ports === !!o.auto)
    throw usageError(
      'Give either --ports A,B,... or --auto.',
      'e.g. kiln batch --profile p.json --ports /dev/ttyUSB0,/dev/ttyUSB1',
    );
  if (o.filter && !o.auto)
    throw usageError('--filter only applies to --auto.', 'Add --auto, or list the ports with --ports.');
  if (o.plug.length > 0 && !o.auto)
    throw usageError('--plug only applies to --auto.', 'List virtual boards with --ports instead.');
  const concurrency = o.concurrency !== undefined ? parseConcurrency(o.concurrency) : undefined;
  const profileFile = path.resolve(ctx.io.cwd, o.profile);
  const ports = o.ports
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => ctx.portName(p));
  if (ports && ports.length === 0)
    throw usageError('--ports lists no port.', 'e.g. --ports /dev/ttyUSB0,/dev/ttyUSB1');
  const service = await ctx.service(ports ?? []);
  const profile = await service.station.loadProfile(profileFile);
  await supplyFirmware(service, profile, profileFile, o.firmware, ctx.io.cwd);

  const records: DeviceRecord[] = [];
  let fleetTrouble: string | undefined;
  const unsubscribe = service.subscribe((event, payload) => {
    if (event === 'stationUpdate') {
      // The fleet's trouble is said once per kind; the station goes on flashing either way.
      const error = (payload as StationSnapshot).fleet?.error;
      if (error && error.code !== fleetTrouble) {
        if (ctx.reporter.json) ctx.reporter.event('fleet', { error });
        ctx.reporter.note(`fleet: ${error.code}: ${error.message}${error.hint ? `\n    ${error.hint}` : ''}`);
      }
      fleetTrouble = error?.code;
      return;
    }
    if (event !== 'stationRecord') return;
    const r = (payload as { record: DeviceRecord }).record;
    records.push(r);
    if (ctx.reporter.json) ctx.reporter.event('record', { record: r });
    else ctx.reporter.print(recordLine(r));
  });
  const station = service.station;
  try {
    const start: Parameters<typeof station.start>[0] = { profile };
    if (ports) start.ports = ports;
    if (o.auto) start.auto = o.filter ? { filter: o.filter } : {};
    if (o.report) start.reportFile = await checkOutputPath(path.resolve(ctx.io.cwd, o.report), o.report);
    if (o.station) start.stationName = o.station;
    if (concurrency !== undefined) start.concurrency = concurrency;
    const fleet = await fleetOption(o, ctx.io.cwd);
    if (fleet) start.fleet = fleet;
    const snap = await station.start(start);
    ctx.reporter.note(
      `Station "${snap.station}" running profile "${profile.name}" ${ports ? `on ${ports.length} port(s)` : `in auto mode (${o.filter ?? 'every new port'})`}${concurrency ? `, ${concurrency} at a time` : ''}; report: ${snap.reportFile}`,
    );

    let interrupted = false;
    const interrupt = ctx.untilInterrupted().then(() => {
      interrupted = true;
      ctx.reporter.note('Stopping the station (running boards are cancelled and recorded)…');
    });
    if (o.auto) {
      for (const url of o.plug) {
        if (!url.startsWith('sim:'))
          throw usageError(`--plug ${url} is not a sim: URL.`, 'e.g. --plug sim:esp8266?seed=3');
        service.virtualDevice(url);
        station.plug({ path: url });
        await station.whenIdle();
      }
      await interrupt;
    } else {
      await Promise.race([station.whenIdle(), interrupt]);
    }
    const final = await station.stop();
    if (!ctx.reporter.json) ctx.reporter.print(summaryLine(final));
    const failed = records.filter((r) => r.result === 'failed' && r.error?.code !== 'CANCELLED');
    if (interrupted && !o.auto)
      throw new KilnError(
        'CANCELLED',
        `The batch was stopped: ${final.summary.verified} verified, ${final.summary.failed} failed.`,
        { hint: `Run the same command with --report ${final.reportFile} to continue where it stopped.` },
      );
    if (failed.length > 0 && !o.auto) {
      // The last failure's code decides the exit code, so scripts can tell a wiring problem from a bad image.
      const last = failed[failed.length - 1]!;
      throw new KilnError(
        last.error?.code ?? 'INTERNAL',
        `${failed.length} of ${records.length} board(s) failed; last: ${last.port}: ${last.error?.message}`,
        {
          hint: last.error?.hint ?? 'See the report for each board.',
          details: {
            reportFile: final.reportFile ?? '',
            verified: final.summary.verified,
            failed: final.summary.failed,
            skipped: final.summary.skipped,
          },
        },
      );
    }
    ctx.reporter.succeed('batch', {
      summary: final.summary,
      reportFile: final.reportFile,
      status: final.status,
      ...(final.haltReason ? { haltReason: final.haltReason } : {}),
    });
    return EXIT.OK;
  } finally {
    await station.stop().catch(() => undefined);
    unsubscribe();
  }
}
