/**
 * A Tasmota-like serial console (115200 8N1), enough for provisioning: it boots with Tasmota's project banner,
 * joins the Wi-Fi it was given, connects to MQTT, and answers the commands a provisioning tool sends.
 * Sources, per behaviour (docs/SIMULATOR.md has the table):
 * - banner, `HH:MM:SS TAG: text` lines, `WIF: Connecting to AP1 <ssid> in mode 11N as <host>...`, the retry after
 *   ~7 s, the `CMD: <what was typed>` echo: capture tasmota_sonoff_basic_boot_wifi_fail_v611_tasmota3289.txt;
 * - replies logged as `MQT: stat/<topic>/RESULT = {...}`, STATUS5 = StatusNET, `{"Command":"Unknown"}`:
 *   tasmota.github.io/docs/Commands/ and /JSON-Status-Responses/;
 * - Backlog runs its commands in order; changing SSId/Password restarts the device (Commands page: "SSId<x> ...
 *   (restarts the device)" — the Wi-Fi commands are marked as restarting);
 * - failure texts: en_GB.h D_CONNECT_FAILED_WRONG_PASSWORD / _AP_NOT_REACHED; MQTT "Connect failed to %s:%d, rc %d.
 *   Retry in %d sec" (xdrv_02_mqtt), rc 5 = PubSubClient MQTT_CONNECT_UNAUTHORIZED, rc -2 = MQTT_CONNECT_FAILED.
 * [guess]: the delays (connect 2 s, MQTT 0.5 s, restart 0.2 s), the masked `****` reply to password commands, the
 * `HTP: Web server active` line's exact wording.
 */
import type { FirmwareConsole, FirmwareHost } from './firmware-console';

const WIFI_CONNECT_MS = 2000;
/** Capture: 00:00:00 connecting → 00:00:07 failed. */
const WIFI_RETRY_MS = 7000;
const MQTT_CONNECT_MS = 500;
const MQTT_RETRY_MS = 10_000;
const RESTART_MS = 200;
/** [guess] A Backlog runs a command about every 200 ms (Tasmota's default backlog delay, SetOption34 = 200). */
const BACKLOG_STEP_MS = 200;

const RESTARTING = new Set(['ssid1', 'ssid2', 'password1', 'password2', 'hostname', 'module', 'template']);
const MASKED = new Set(['password1', 'password2', 'mqttpassword']);
/** The settings a provisioning tool sets, under the names Tasmota's replies use. */
const SETTING_NAMES: Record<string, string> = {
  ssid1: 'SSId1',
  ssid2: 'SSId2',
  password1: 'Password1',
  password2: 'Password2',
  hostname: 'Hostname',
  mqtthost: 'MqttHost',
  mqttport: 'MqttPort',
  mqttuser: 'MqttUser',
  mqttpassword: 'MqttPassword',
  topic: 'Topic',
  module: 'Module',
  template: 'Template',
};

export class TasmotaFirmware implements FirmwareConsole {
  private readonly bootAt: number;
  private input = '';
  private ip: string | undefined;
  private mqttUp = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(private readonly host: FirmwareHost) {
    this.bootAt = host.clock.now();
    const id = chipId(host.macBytes);
    // The app starts on a fresh line at 115200 (the capture's line after eboot; boot-text.ts does the same).
    this.host.send(Buffer.from('\r\n'));
    this.log(
      `Project sonoff Sonoff (Topic ${this.topic()}, Fallback DVES_${id.toString(16).toUpperCase().padStart(6, '0')}, GroupTopic sonoffs) Version 6.1.1-2_3_0`,
      false,
    );
    this.connectWifi(1);
  }

  private get(name: string): string {
    return this.host.settings.get(`tasmota.${name}`) ?? '';
  }

  private topic(): string {
    return this.get('topic') || 'sonoff';
  }

  private hostname(): string {
    return (
      this.get('hostname') || `sonoff-${(chipId(this.host.macBytes) & 0x1fff).toString().padStart(4, '0')}`
    );
  }

  private log(text: string, stamped = true): void {
    const line = stamped
      ? `${formatUptime(this.host.clock.now() - this.bootAt)} ${text}`
      : `${formatUptime(0)} ${text}`;
    this.host.send(Buffer.from(`${line}\r\n`, 'utf8'));
  }

  private reply(name: string, json: unknown): void {
    this.log(`MQT: stat/${this.topic()}/${name} = ${JSON.stringify(json)}`);
  }

  private connectWifi(ap: 1 | 2): void {
    const ssid = this.get(`ssid${ap}`);
    if (!ssid) {
      const other = ap === 1 ? 2 : 1;
      if (this.get(`ssid${other}`)) this.connectWifi(other);
      return;
    }
    this.log(`WIF: Connecting to AP${ap} ${ssid} in mode 11N as ${this.hostname()}...`);
    this.host.later(WIFI_CONNECT_MS, () => {
      const r = this.host.network.join(this.host.mac, ssid, this.get(`password${ap}`));
      if (r.ok) {
        this.ip = r.ip;
        this.log('WIF: Connected');
        this.log(`HTP: Web server active on ${this.hostname()} with IP address ${r.ip}`);
        this.connectMqtt();
        return;
      }
      this.log(
        r.why === 'wrong-password'
          ? 'WIF: Connect failed with AP incorrect password'
          : 'WIF: Connect failed as AP cannot be reached',
      );
      const next = ap === 1 && this.get('ssid2') ? 2 : ap === 2 && this.get('ssid1') ? 1 : ap;
      this.host.later(WIFI_RETRY_MS - WIFI_CONNECT_MS, () => this.connectWifi(next));
    });
  }

  private connectMqtt(): void {
    const brokerHost = this.get('mqtthost');
    if (!brokerHost) return;
    this.log('MQT: Attempting connection...');
    this.host.later(MQTT_CONNECT_MS, () => {
      const port = Number(this.get('mqttport') || '1883');
      const r = this.host.network.connectBroker(
        brokerHost,
        port,
        this.get('mqttuser'),
        this.get('mqttpassword'),
      );
      if (r.ok) {
        this.mqttUp = true;
        this.log('MQT: Connected');
        this.log(`MQT: tele/${this.topic()}/LWT = Online (retained)`);
        return;
      }
      const rc = r.why === 'not-authorised' ? 5 : -2;
      this.log(
        `MQT: Connect failed to ${brokerHost}:${port}, rc ${rc}. Retry in ${MQTT_RETRY_MS / 1000} sec`,
      );
      this.host.later(MQTT_RETRY_MS, () => this.connectMqtt());
    });
  }

  receive(bytes: Buffer): void {
    this.input += bytes.toString('utf8');
    let nl: number;
    while ((nl = this.input.search(/[\r\n]/)) >= 0) {
      const line = this.input.slice(0, nl).trim();
      this.input = this.input.slice(nl + 1);
      if (line) this.busy = this.busy.then(() => this.commandLine(line));
    }
  }

  private async commandLine(line: string): Promise<void> {
    // Tasmota logs what it was given as typed, passwords included (the capture's `CMD: status 0`).
    this.log(`CMD: ${line}`);
    const m = /^backlog\d?\s+(.*)$/i.exec(line);
    const commands = m
      ? m[1]!
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean)
      : [line];
    let restart = false;
    for (const [i, c] of commands.entries()) {
      if (i > 0) await new Promise<void>((r) => this.host.later(BACKLOG_STEP_MS, r));
      restart = this.command(c) || restart;
    }
    if (restart) {
      this.log('APP: Restarting');
      this.host.later(RESTART_MS, () => this.host.restart());
    }
  }

  /** Runs one command; true when it asks for a restart. */
  private command(text: string): boolean {
    const m = /^(\S+?)(?:\s+(.*))?$/.exec(text.trim());
    const name = (m?.[1] ?? '').toLowerCase();
    const arg = m?.[2]?.trim();
    const setting = SETTING_NAMES[name];
    if (setting) {
      if (arg !== undefined) this.host.settings.set(`tasmota.${name}`, arg);
      const shown = MASKED.has(name)
        ? '****'
        : name === 'hostname'
          ? this.hostname()
          : name === 'topic'
            ? this.topic()
            : this.get(name);
      this.reply('RESULT', {
        [setting]: name === 'mqttport' || name === 'module' ? Number(shown || 0) : shown,
      });
      return arg !== undefined && RESTARTING.has(name);
    }
    if (name === 'status' && arg === '5') {
      this.reply('STATUS5', {
        StatusNET: {
          Hostname: this.hostname(),
          IPAddress: this.ip ?? '0.0.0.0',
          Gateway: this.ip ? this.host.network.gateway : '0.0.0.0',
          Subnetmask: this.ip ? '255.255.255.0' : '0.0.0.0',
          DNSServer: this.ip ? this.host.network.gateway : '0.0.0.0',
          Mac: this.host.mac.toUpperCase(),
          Webserver: 2,
          WifiConfig: 4,
        },
      });
      return false;
    }
    if (name === 'status' && arg === '6') {
      this.reply('STATUS6', {
        StatusMQT: {
          MqttHost: this.get('mqtthost'),
          MqttPort: Number(this.get('mqttport') || '1883'),
          MqttClientMask: 'DVES_%06X',
          MqttClient: `DVES_${chipId(this.host.macBytes).toString(16).toUpperCase().padStart(6, '0')}`,
          MqttUser: this.get('mqttuser'),
          MqttCount: this.mqttUp ? 1 : 0,
          MAX_PACKET_SIZE: 1000,
          KEEPALIVE: 15,
        },
      });
      return false;
    }
    if (name === 'ipaddress1' && arg === undefined) {
      this.reply('RESULT', { IPAddress1: `0.0.0.0 (${this.ip ?? '0.0.0.0'})` });
      return false;
    }
    if (name === 'restart' && arg === '1') {
      this.reply('RESULT', { Restart: 'Restarting' });
      return true;
    }
    this.reply('RESULT', { Command: 'Unknown' });
    return false;
  }
}

/** Tasmota's ESP.getChipId() on an ESP8266: the low three bytes of the station MAC. */
function chipId(mac: readonly number[]): number {
  return ((mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0;
}

/** `HH:MM:SS` since boot, as the 6.1.1 capture prints it (uptime until the clock is set by NTP). */
function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600) % 24)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}
