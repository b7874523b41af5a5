/**
 * `kiln provision`: Wi-Fi (and on Tasmota host name and MQTT) over the serial console after a flash.
 * Passwords never come from the command line (they would sit in shell history and `ps`): from a JSON file only its
 * owner can read (--wifi-file), from KILN_WIFI_PASSWORD / KILN_MQTT_PASSWORD, or from a prompt that does not echo.
 */
import { stat, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { KilnError } from '../../../core/errors';
import type { MethodInput } from '../../../service/contract';
import { usageError } from '../args';
import type { CommandContext } from '../command-context';
import { EXIT } from '../exit-codes';
import { promptHidden } from '../prompt-hidden';

type Run = (fn: (ctx: CommandContext) => Promise<number>) => Promise<void>;
type Settings = MethodInput<'provision'>['settings'];

interface ProvisionOpts {
  port: string;
  wifiFile?: string;
  ssid?: string;
  hostname?: string;
  mqttHost?: string;
  mqttPort?: string;
  mqttUser?: string;
  mqttTopic?: string;
  timeout?: string;
}

const WIFI_PASSWORD_ENV = 'KILN_WIFI_PASSWORD';
const MQTT_PASSWORD_ENV = 'KILN_MQTT_PASSWORD';

const EXAMPLE = `
The file (chmod 600) holds what the command line must not:
  {"wifi": [{"ssid": "home", "password": "..."}],
   "mqtt": {"host": "192.168.1.2", "port": 1883, "user": "tasmota", "password": "...", "topic": "plug1"},
   "hostname": "plug1"}
Options given on the command line override the file's ssid, hostname and MQTT host/port/user/topic.

Examples:
  kiln provision --port /dev/ttyUSB0 --wifi-file creds.json
  KILN_WIFI_PASSWORD=... kiln provision --port /dev/ttyUSB0 --ssid home --json
  kiln provision --port sim:esp8266?app=tasmota --wifi-file creds.json`;

export function provisionCommand(program: Command, run: Run): void {
  program
    .command('provision')
    .description('set up Wi-Fi (and MQTT on Tasmota) over the serial console, then report the address')
    .requiredOption('-p, --port <port>', 'serial port, sim:CHIP?app=tasmota or socket://HOST:PORT')
    .option(
      '--wifi-file <file>',
      'JSON file with the networks, passwords and MQTT settings (readable only by you)',
    )
    .option('--ssid <ssid>', `network name; its password from ${WIFI_PASSWORD_ENV} or a prompt`)
    .option('--hostname <name>', 'host name (Tasmota)')
    .option('--mqtt-host <host>', `MQTT broker (Tasmota); password from the file or ${MQTT_PASSWORD_ENV}`)
    .option('--mqtt-port <port>', 'MQTT port, default 1883')
    .option('--mqtt-user <user>', 'MQTT user')
    .option('--mqtt-topic <topic>', 'MQTT topic')
    .option('--timeout <seconds>', 'how long joining the Wi-Fi may take, default 30')
    .addHelpText('after', EXAMPLE)
    .action((o: ProvisionOpts) =>
      run(async (ctx) => {
        const settings = await gatherSettings(ctx, o);
        const port = ctx.portName(o.port);
        const timeoutMs = o.timeout === undefined ? undefined : seconds(o.timeout);
        const result = await (
          await ctx.service([port])
        ).call('provision', {
          port,
          settings,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        });
        const mqtt =
          result.mqtt === 'connected'
            ? ', MQTT connected'
            : result.mqtt === 'failed'
              ? `, MQTT not connected (${result.mqttDetail ?? 'failed'})`
              : result.mqtt === 'unknown'
                ? ', MQTT state unknown'
                : '';
        const name = result.hostname ? ` (${result.hostname})` : '';
        ctx.reporter.print(
          `${result.firmware === 'tasmota' ? 'Tasmota' : 'Improv'}: online at ${result.ip}${name}${mqtt}`,
        );
        if (result.url) ctx.reporter.note(`Open ${result.url}`);
        ctx.reporter.succeed('provision', { result });
        return EXIT.OK;
      }),
    );
}

function seconds(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 1 || n > 300)
    throw usageError(`--timeout ${text} is not 1 to 300 seconds.`, 'Give seconds, e.g. --timeout 60.');
  return Math.round(n * 1000);
}

async function gatherSettings(ctx: CommandContext, o: ProvisionOpts): Promise<Settings> {
  const fromFile = o.wifiFile ? await readSettingsFile(path.resolve(ctx.io.cwd, o.wifiFile)) : undefined;
  let wifi = fromFile?.wifi ?? [];
  if (o.ssid) {
    const password =
      ctx.io.env[WIFI_PASSWORD_ENV] ?? (await promptHidden(ctx.io, `Wi-Fi password for ${o.ssid}: `));
    wifi = [{ ssid: o.ssid, password }, ...wifi.slice(1)];
  }
  if (wifi.length === 0)
    throw usageError(
      'No Wi-Fi network given.',
      `Use --wifi-file FILE, or --ssid NAME with ${WIFI_PASSWORD_ENV} or a prompt.`,
    );
  const mqttHost = o.mqttHost ?? fromFile?.mqtt?.host;
  const mqttPassword = ctx.io.env[MQTT_PASSWORD_ENV] ?? fromFile?.mqtt?.password;
  const mqtt = mqttHost
    ? {
        ...fromFile?.mqtt,
        host: mqttHost,
        ...(o.mqttPort !== undefined ? { port: Number(o.mqttPort) } : {}),
        ...(o.mqttUser !== undefined ? { user: o.mqttUser } : {}),
        ...(o.mqttTopic !== undefined ? { topic: o.mqttTopic } : {}),
        ...(mqttPassword !== undefined ? { password: mqttPassword } : {}),
      }
    : undefined;
  const hostname = o.hostname ?? fromFile?.hostname;
  return {
    ...fromFile,
    wifi,
    ...(hostname !== undefined ? { hostname } : {}),
    ...(mqtt ? { mqtt } : {}),
  };
}

/** Reads the credentials file; refuses one others may read (it holds passwords), and never echoes its values. */
async function readSettingsFile(file: string): Promise<Settings> {
  const shown = path.basename(file);
  let text: string;
  try {
    if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0)
      throw new KilnError('BAD_REQUEST', `${shown} can be read by other users, and it holds passwords.`, {
        hint: `Run: chmod 600 ${file}`,
      });
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof KilnError) throw e;
    throw new KilnError(
      'BAD_REQUEST',
      `Cannot read ${shown}: ${(e as NodeJS.ErrnoException).code ?? 'error'}.`,
      {
        hint: 'Check the path given to --wifi-file.',
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KilnError('BAD_REQUEST', `${shown} is not JSON.`, {
      hint: 'See kiln provision --help for its shape.',
    });
  }
  // Loaded here, not at start: the schema brings zod.
  const { provisionSettingsSchema } = await import('../../../service/provision-contract');
  const parsed = provisionSettingsSchema.safeParse(json);
  if (!parsed.success) {
    // Paths and rules only: the values may be passwords.
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new KilnError('BAD_REQUEST', `${shown} does not hold usable settings (${where}).`, {
      hint: 'See kiln provision --help for its shape.',
    });
  }
  return parsed.data;
}
