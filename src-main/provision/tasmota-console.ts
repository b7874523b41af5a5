/**
 * Reading and writing Tasmota's serial console. Sources:
 * - Commands and Backlog: https://tasmota.github.io/docs/Commands/ ("Backlog <command>; <command>; ..." runs up to
 *   30 commands in one line, separated by `;`; SSId1/SSId2, Password1/Password2, Hostname, MqttHost, MqttPort,
 *   MqttUser, MqttPassword, Topic, Module, Template).
 * - Status 5 reply: https://tasmota.github.io/docs/JSON-Status-Responses/ (`{"StatusNET":{"Hostname":...,
 *   "IPAddress":...,"Mac":...}}`), logged on the console as `MQT: stat/<topic>/STATUS5 = {...}`.
 * - Log line shape `HH:MM:SS <TAG>: text`: the Sonoff Basic capture in fixtures/real-world
 *   (tasmota_sonoff_basic_boot_wifi_fail_v611_tasmota3289.txt); newer builds add `.mmm` to the time.
 * - Wi-Fi and MQTT outcome texts: Tasmota's language file en_GB.h (D_CONNECTED "Connected", D_CONNECT_FAILED_*:
 *   "Connect failed with AP incorrect password", "... as AP cannot be reached", "... with AP timeout",
 *   "... as no IP address received") and xdrv_02_mqtt ("Connect failed to %s:%d, rc %d. Retry in %d sec").
 */

export interface ConsoleLine {
  /** As printed, e.g. "00:00:21" or "00:00:21.347". */
  time: string;
  /** Three-letter source: CMD, MQT, RSL, WIF, APP, HTP... */
  tag: string;
  text: string;
}

const LINE = /^(\d{2}:\d{2}:\d{2}(?:\.\d{3})?) ([A-Z0-9]{3}): (.*)$/;
const RESULT = /^(\S+) = (.*)$/;

export function parseConsoleLine(raw: string): ConsoleLine | undefined {
  const m = LINE.exec(raw.replace(/\r$/, ''));
  return m ? { time: m[1]!, tag: m[2]!, text: m[3]! } : undefined;
}

export interface ConsoleResult {
  /** `stat/<topic>/RESULT`, `stat/<topic>/STATUS5`, `tele/<topic>/LWT`... */
  topic: string;
  /** The JSON object when the payload is one, else undefined (e.g. `Online`). */
  json?: Record<string, unknown>;
  payload: string;
}

/** A reply as logged: `MQT: <topic> = <payload>` (RSL: instead of MQT: when MQTT is off, newer builds). */
export function parseResult(line: ConsoleLine): ConsoleResult | undefined {
  if (line.tag !== 'MQT' && line.tag !== 'RSL') return undefined;
  const m = RESULT.exec(line.text);
  if (!m) return undefined;
  const payload = m[2]!.replace(/ \(retained\)$/, '');
  let json: Record<string, unknown> | undefined;
  if (payload.startsWith('{')) {
    try {
      const v: unknown = JSON.parse(payload);
      if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
    } catch {
      json = undefined;
    }
  }
  return { topic: m[1]!, payload, ...(json ? { json } : {}) };
}

export interface NetStatus {
  hostname?: string;
  ip?: string;
  mac?: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** A usable station address: dotted quad, not 0.0.0.0 (Tasmota's "none yet"). */
export function isUsableIp(ip: string | undefined): ip is string {
  const m = ip ? IPV4.exec(ip) : null;
  return !!m && m.slice(1).every((p) => Number(p) <= 255) && ip !== '0.0.0.0';
}

/**
 * The network facts in a reply: `Status 5`'s StatusNET, or the `IPAddress1` command's reply, which shows the
 * configured address and, with DHCP (configured 0.0.0.0), the one in use in brackets: `"0.0.0.0 (192.168.2.45)"`.
 */
export function netStatusOf(json: Record<string, unknown>): NetStatus | undefined {
  const net = json.StatusNET;
  if (net && typeof net === 'object') {
    const n = net as Record<string, unknown>;
    const str = (k: string) => (typeof n[k] === 'string' ? (n[k] as string) : undefined);
    const ip = str('IPAddress');
    return {
      ...(str('Hostname') ? { hostname: str('Hostname') } : {}),
      ...(isUsableIp(ip) ? { ip } : {}),
      ...(str('Mac') ? { mac: str('Mac') } : {}),
    };
  }
  if (typeof json.IPAddress1 === 'string') {
    const m = /^(\S+)(?: \((\S+)\))?$/.exec(json.IPAddress1);
    const inUse = m?.[2] ?? m?.[1];
    return isUsableIp(inUse) ? { ip: inUse } : {};
  }
  return undefined;
}

export type LinkEvent =
  | { link: 'wifi'; ok: true }
  | { link: 'wifi'; ok: false; reason: string }
  | { link: 'mqtt'; ok: true }
  | { link: 'mqtt'; ok: false; reason: string }
  | { link: 'restart' };

/** What a log line says about the Wi-Fi and MQTT links (or a restart), if anything. */
export function linkEventOf(line: ConsoleLine): LinkEvent | undefined {
  if (line.tag === 'WIF') {
    if (/^Connected\b/.test(line.text)) return { link: 'wifi', ok: true };
    if (/^Connect failed\b/.test(line.text)) return { link: 'wifi', ok: false, reason: line.text };
  }
  if (line.tag === 'MQT') {
    if (/^Connected\b/.test(line.text)) return { link: 'mqtt', ok: true };
    if (/^Connect failed\b/.test(line.text)) return { link: 'mqtt', ok: false, reason: line.text };
  }
  if (line.tag === 'APP' && /^Restarting\b/.test(line.text)) return { link: 'restart' };
  return undefined;
}

/** Backlog separates commands with `;`: a value containing one (or a line break) would split the command. */
export function checkBacklogValue(name: string, value: string): string | undefined {
  if (/[;\r\n]/.test(value))
    return `${name} contains ";" or a line break, which Tasmota's Backlog cannot carry.`;
  return undefined;
}

/** Tasmota's limit: "Backlog" takes up to 30 commands (Commands page). */
export const BACKLOG_MAX_COMMANDS = 30;

export function backlogLine(commands: readonly string[]): string {
  if (commands.length === 0 || commands.length > BACKLOG_MAX_COMMANDS)
    throw new RangeError(`A Backlog holds 1 to ${BACKLOG_MAX_COMMANDS} commands, not ${commands.length}`);
  return `Backlog ${commands.join('; ')}`;
}

/** Splits a Backlog line the way the console does (the simulator's side of backlogLine). */
export function splitBacklog(line: string): string[] | undefined {
  const m = /^backlog\d?\s+(.*)$/i.exec(line.trim());
  if (!m) return undefined;
  return m[1]!
    .split(';')
    .map((c) => c.trim())
    .filter(Boolean);
}
