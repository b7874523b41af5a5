/**
 * After the flash: find out what the board runs and put it on the network.
 *   detect — an Improv "request current state" frame (an Improv responder answers with a Current State frame),
 *            then a Tasmota `Status 5` line (a Tasmota console answers with `stat/<topic>/STATUS5`); neither → the
 *            FIRMWARE_NOT_DETECTED error carries what was heard.
 *   Tasmota — one Backlog (Wi-Fi 1–2 networks, host name, MQTT, module/template, extra commands), wait for the
 *            restart and the Wi-Fi outcome, then `Status 5` for address and host name, and the MQTT outcome.
 *   Improv  — send Wi-Fi settings, follow current state to "provisioned" and read the redirect URL (its host is
 *            the address), or turn the error state into a clear error.
 * Passwords travel as Secret and are revealed only into the bytes written; every line heard is redacted
 * (console-link.ts) before anyone — outcome, error, log — sees it.
 */
import type { Clock } from '../core/clock';
import { KilnError } from '../core/errors';
import type { Transport } from '../serial/transport';
import { ConsoleLink } from './console-link';
import {
  decodeStrings,
  encodeRpcCommand,
  encodeWifiSettings,
  ImprovCommand,
  ImprovError,
  ImprovType,
  splitRpc,
  type ImprovFrame,
} from './improv-frame';
import type { Secret } from './secret';
import {
  backlogLine,
  checkBacklogValue,
  linkEventOf,
  netStatusOf,
  parseConsoleLine,
  parseResult,
  type LinkEvent,
  type NetStatus,
} from './tasmota-console';

export interface WifiNetwork {
  ssid: string;
  password: Secret;
}

export interface MqttSettings {
  host: string;
  port?: number;
  user?: string;
  password?: Secret;
  topic?: string;
}

export interface ProvisionSettings {
  /** One or two networks (Tasmota keeps two: SSId1/SSId2; Improv takes the first). */
  wifi: WifiNetwork[];
  hostname?: string;
  mqtt?: MqttSettings;
  /** Tasmota: `Module <n>` or a `Template {...}` JSON. */
  module?: string;
  template?: string;
  /** Tasmota: further console commands, appended to the Backlog. */
  extraCommands?: string[];
}

export type DetectedFirmware = 'tasmota' | 'improv';
export type MqttState = 'connected' | 'failed' | 'not-configured' | 'unknown';

export interface ProvisionOutcome {
  firmware: DetectedFirmware;
  ip: string;
  hostname?: string;
  mqtt: MqttState;
  /** Improv's redirect URL, Tasmota's web UI address. */
  url?: string;
  /** Why MQTT is not connected, as the firmware said it (Tasmota). */
  mqttDetail?: string;
  /** Every line heard, secrets replaced. */
  heard: string[];
}

export interface ProvisionTimeouts {
  /** Waiting for the firmware to answer the probes. */
  detectMs: number;
  /** From sending the settings to the Wi-Fi outcome (restart included). */
  joinMs: number;
  /** For the MQTT outcome once on Wi-Fi. */
  mqttMs: number;
}

/** [guess] Tasmota's first Wi-Fi attempt ends within ~7 s (capture tasmota3289); joins take seconds. */
export const DEFAULT_TIMEOUTS: ProvisionTimeouts = { detectMs: 3000, joinMs: 30_000, mqttMs: 15_000 };

export interface ProvisionRun {
  transport: Transport;
  clock: Clock;
  settings: ProvisionSettings;
  timeouts?: Partial<ProvisionTimeouts>;
  /** Each line heard (already redacted), for a live log. */
  onLine?: (line: string) => void;
  onStep?: (step: string) => void;
}

export function secretsOf(s: ProvisionSettings): Secret[] {
  return [...s.wifi.map((w) => w.password), ...(s.mqtt?.password ? [s.mqtt.password] : [])];
}

/** Settings that cannot be sent are refused before anything goes to the device. */
export function checkSettings(s: ProvisionSettings): void {
  const bad = (message: string, hint: string) => new KilnError('BAD_REQUEST', message, { hint });
  if (s.wifi.length < 1 || s.wifi.length > 2)
    throw bad(
      `${s.wifi.length} Wi-Fi networks given.`,
      'Give one network, or two (the second is a fallback).',
    );
  for (const [i, w] of s.wifi.entries()) {
    if (!w.ssid || Buffer.byteLength(w.ssid) > 32)
      throw bad(`Wi-Fi network ${i + 1} has no usable SSID.`, 'An SSID is 1 to 32 bytes.');
    const problem =
      checkBacklogValue(`SSID ${i + 1}`, w.ssid) ??
      checkBacklogValue(`Password ${i + 1}`, w.password.reveal());
    if (problem) throw bad(problem, 'Change the value, or set it in the device’s web UI.');
    if (Buffer.byteLength(w.password.reveal()) > 64)
      throw bad(
        `The password of Wi-Fi network ${i + 1} is longer than 64 bytes.`,
        'WPA2 passwords are 8 to 63 characters.',
      );
  }
  if (s.hostname !== undefined && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(s.hostname))
    throw bad(
      `"${s.hostname}" is not a host name.`,
      'Letters, digits and hyphens, 1–63 characters (RFC 1123).',
    );
  const m = s.mqtt;
  if (m) {
    for (const [name, v] of [
      ['MQTT host', m.host],
      ['MQTT user', m.user ?? ''],
      ['MQTT topic', m.topic ?? ''],
      ['MQTT password', m.password?.reveal() ?? ''],
    ] as const) {
      const problem =
        checkBacklogValue(name, v) ??
        (/\s/.test(v) && name !== 'MQTT password' ? `${name} contains a space.` : undefined);
      if (problem) throw bad(problem, 'Change the value.');
    }
    if (m.port !== undefined && (!Number.isInteger(m.port) || m.port < 1 || m.port > 65535))
      throw bad(`MQTT port ${m.port} is not a port number.`, 'Use 1–65535 (1883 is MQTT’s).');
  }
  for (const c of s.extraCommands ?? []) {
    const problem = checkBacklogValue('An extra command', c);
    if (problem) throw bad(problem, 'Give each command as its own entry.');
  }
}

/** The Tasmota commands for the settings, in Backlog order (Commands page names). */
export function tasmotaCommands(s: ProvisionSettings): string[] {
  const out: string[] = [];
  if (s.module) out.push(`Module ${s.module}`);
  if (s.template) out.push(`Template ${s.template}`);
  if (s.hostname) out.push(`Hostname ${s.hostname}`);
  const m = s.mqtt;
  if (m) {
    out.push(`MqttHost ${m.host}`, `MqttPort ${m.port ?? 1883}`);
    if (m.user) out.push(`MqttUser ${m.user}`);
    if (m.password) out.push(`MqttPassword ${m.password.reveal()}`);
    if (m.topic) out.push(`Topic ${m.topic}`);
  }
  out.push(...(s.extraCommands ?? []));
  // Wi-Fi last: changing it restarts the device once the Backlog has run.
  s.wifi.forEach((w, i) => out.push(`SSId${i + 1} ${w.ssid}`, `Password${i + 1} ${w.password.reveal()}`));
  return out;
}

export async function provision(run: ProvisionRun): Promise<ProvisionOutcome> {
  checkSettings(run.settings);
  const t = { ...DEFAULT_TIMEOUTS, ...run.timeouts };
  const link = new ConsoleLink(run.transport, run.clock, secretsOf(run.settings), run.onLine);
  try {
    run.onStep?.('detect');
    const firmware = await detect(link, t.detectMs);
    if (firmware === 'improv') return await provisionImprov(link, run, t);
    return await provisionTasmota(link, run, t);
  } finally {
    link.close();
  }
}

function heardTail(link: ConsoleLink, n = 12): string[] {
  return link.lines.slice(-n);
}

/** The authors' client re-sends its probe every second while a device boots (sdk-serial-js initialize()). */
const PROBE_EVERY_MS = 1000;

async function detect(link: ConsoleLink, ms: number): Promise<DetectedFirmware> {
  const end = link.now() + ms;
  // Each round asks both ways; the firmware may still be booting after the flash, so rounds repeat until the end.
  while (link.now() < end) {
    await link.send(encodeRpcCommand(ImprovCommand.requestCurrentState));
    const half = Math.min(PROBE_EVERY_MS / 2, Math.max(1, end - link.now()));
    if (
      await link.wait(
        () => (link.frames.some((f) => f.type === ImprovType.currentState) ? true : undefined),
        half,
      )
    )
      return 'improv';
    const from = link.lines.length;
    await link.send(Buffer.from('Status 5\n'));
    const replied = () => (link.lines.slice(from).some((l) => /\/STATUS5 = \{/.test(l)) ? true : undefined);
    if (await link.wait(replied, Math.min(PROBE_EVERY_MS / 2, Math.max(1, end - link.now()))))
      return 'tasmota';
  }
  const heard = heardTail(link);
  throw new KilnError(
    'FIRMWARE_NOT_DETECTED',
    heard.length
      ? `No Tasmota console or Improv responder answered. Last lines heard:\n${heard.join('\n')}`
      : 'No Tasmota console or Improv responder answered, and the board said nothing at 115200 baud.',
    {
      hint: 'Check that the flash finished and the board was reset into its firmware (not held in download mode). A firmware without a serial console (or with it turned off) cannot be set up this way.',
      details: { heard },
    },
  );
}

async function provisionTasmota(
  link: ConsoleLink,
  run: ProvisionRun,
  t: ProvisionTimeouts,
): Promise<ProvisionOutcome> {
  const s = run.settings;
  run.onStep?.('send-settings');
  const from = link.lines.length;
  await link.send(Buffer.from(`${backlogLine(tasmotaCommands(s))}\n`, 'utf8'));
  run.onStep?.('join-wifi');
  const events = (start: number): LinkEvent[] =>
    link.lines.slice(start).flatMap((l) => {
      const p = parseConsoleLine(l);
      const e = p && linkEventOf(p);
      return e ? [e] : [];
    });
  const wifi = await link.wait(() => {
    const ev = events(from);
    // Outcomes before the restart belong to the old settings.
    const restartAt = ev.findIndex((e) => e.link === 'restart');
    return ev.slice(restartAt + 1).find((e) => e.link === 'wifi');
  }, t.joinMs);
  if (!wifi)
    throw new KilnError(
      'TIMEOUT',
      `Tasmota did not report joining "${s.wifi[0]!.ssid}" within ${t.joinMs / 1000} s.`,
      {
        hint: 'Is the network in range and 2.4 GHz? The lines heard are in the log.',
        details: { heard: heardTail(link) },
      },
    );
  if (wifi.link === 'wifi' && !wifi.ok)
    throw new KilnError('WIFI_JOIN_FAILED', `Tasmota: ${wifi.reason}.`, {
      hint: /password/i.test(wifi.reason)
        ? 'Check the Wi-Fi password and send the settings again.'
        : 'Check the network name (SSID) and that the access point is in range and 2.4 GHz, then send again.',
      details: { heard: heardTail(link) },
    });
  run.onStep?.('read-address');
  const before = link.lines.length;
  await link.send(Buffer.from('Status 5\n'));
  const net = await link.wait((): NetStatus | undefined => {
    for (const l of link.lines.slice(before)) {
      const p = parseConsoleLine(l);
      const r = p && parseResult(p);
      const n = r?.json && netStatusOf(r.json);
      if (n?.ip) return n;
    }
    return undefined;
  }, t.mqttMs);
  if (!net?.ip)
    throw new KilnError('TIMEOUT', 'Tasmota joined the Wi-Fi but did not report an address (Status 5).', {
      hint: 'Try again; the lines heard are in the log.',
      details: { heard: heardTail(link) },
    });
  let mqtt: MqttState = 'not-configured';
  let mqttDetail: string | undefined;
  if (s.mqtt) {
    run.onStep?.('connect-mqtt');
    const ev = await link.wait(
      () =>
        events(from)
          .filter((e) => e.link === 'mqtt')
          .pop(),
      t.mqttMs,
    );
    mqtt = !ev ? 'unknown' : ev.link === 'mqtt' && ev.ok ? 'connected' : 'failed';
    if (ev && ev.link === 'mqtt' && !ev.ok) mqttDetail = ev.reason;
  }
  return {
    firmware: 'tasmota',
    ip: net.ip,
    ...(net.hostname ? { hostname: net.hostname } : {}),
    mqtt,
    ...(mqttDetail ? { mqttDetail } : {}),
    url: `http://${net.ip}/`,
    heard: [...link.lines],
  };
}

const IMPROV_ERRORS: Record<number, { message: string; hint: string }> = {
  [ImprovError.unableToConnect]: {
    message: 'The device could not connect to the Wi-Fi network (Improv error 0x03 "unable to connect").',
    hint: 'Check the network name and password, then send again.',
  },
  [ImprovError.notAuthorized]: {
    message: 'The device is not accepting credentials yet (Improv error 0x04 "not authorized").',
    hint: 'Press the button on the device that authorises provisioning (if it has one), then send again.',
  },
  [ImprovError.invalidRpc]: {
    message: 'The device refused the packet as malformed (Improv error 0x01).',
    hint: 'Report this.',
  },
  [ImprovError.unknownRpc]: {
    message: 'The device does not know the command (Improv error 0x02).',
    hint: 'Update the firmware.',
  },
  [ImprovError.badHostname]: {
    message: 'The device refused the host name (Improv error 0x05).',
    hint: 'Use letters, digits and hyphens.',
  },
};

async function provisionImprov(
  link: ConsoleLink,
  run: ProvisionRun,
  t: ProvisionTimeouts,
): Promise<ProvisionOutcome> {
  const from = link.frames.length;
  const network = run.settings.wifi[0]!;
  run.onStep?.('send-settings');
  await link.send(encodeWifiSettings(network.ssid, network.password.reveal()));
  run.onStep?.('join-wifi');
  type Step = { url: string } | { error: number };
  const step = await link.wait((): Step | undefined => {
    for (const f of link.frames.slice(from)) {
      const e = errorOf(f);
      if (e !== undefined && e !== ImprovError.none) return { error: e };
      if (f.type === ImprovType.rpcResult) {
        const rpc = splitRpc(f.data);
        if (rpc?.command === ImprovCommand.sendWifiSettings)
          return { url: decodeStrings(rpc.payload)?.[0] ?? '' };
      }
    }
    return undefined;
  }, t.joinMs);
  if (!step)
    throw new KilnError('TIMEOUT', `The device did not report "provisioned" within ${t.joinMs / 1000} s.`, {
      hint: 'Is the network in range and 2.4 GHz? Send again to retry.',
      details: { heard: heardTail(link), state: lastState(link) ?? null },
    });
  if ('error' in step) {
    const known = IMPROV_ERRORS[step.error];
    throw new KilnError(
      step.error === ImprovError.unableToConnect ? 'WIFI_JOIN_FAILED' : 'DEVICE_ERROR',
      known?.message ?? `The device reported Improv error 0x${step.error.toString(16)}.`,
      { hint: known?.hint ?? 'Send again.', details: { heard: heardTail(link) } },
    );
  }
  const ip = hostOf(step.url);
  if (!ip)
    throw new KilnError(
      'PROTOCOL_ERROR',
      `The device is provisioned but sent no usable address ("${step.url}").`,
      {
        hint: 'Find it in your router’s client list.',
      },
    );
  return {
    firmware: 'improv',
    ip,
    mqtt: 'not-configured',
    ...(step.url ? { url: step.url } : {}),
    heard: [...link.lines],
  };
}

function errorOf(f: ImprovFrame): number | undefined {
  return f.type === ImprovType.errorState ? f.data[0] : undefined;
}

function lastState(link: ConsoleLink): number | undefined {
  return link.frames.filter((f) => f.type === ImprovType.currentState).pop()?.data[0];
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}
