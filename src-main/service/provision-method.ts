/**
 * The service's `provision` method: opens the port at the firmware's 115200 baud, runs provision/ on it and closes
 * it. Passwords become Secret here, the moment they leave the validated input.
 */
import type { Clock } from '../core/clock';
import type { PortOpener } from '../flash';
import { provision, type ProvisionOutcome, type ProvisionSettings } from '../provision/provision';
import { Secret } from '../provision/secret';
import type { ParsedInput } from './contract';

/** Both firmwares' console speed (Tasmota and ESPHome default). */
const CONSOLE_BAUD = 115200;

export function settingsWithSecrets(s: ParsedInput<'provision'>['settings']): ProvisionSettings {
  return {
    wifi: s.wifi.map((w) => ({ ssid: w.ssid, password: new Secret(w.password) })),
    ...(s.hostname !== undefined ? { hostname: s.hostname } : {}),
    ...(s.mqtt
      ? {
          mqtt: {
            host: s.mqtt.host,
            ...(s.mqtt.port !== undefined ? { port: s.mqtt.port } : {}),
            ...(s.mqtt.user !== undefined ? { user: s.mqtt.user } : {}),
            ...(s.mqtt.password !== undefined ? { password: new Secret(s.mqtt.password) } : {}),
            ...(s.mqtt.topic !== undefined ? { topic: s.mqtt.topic } : {}),
          },
        }
      : {}),
    ...(s.module !== undefined ? { module: s.module } : {}),
    ...(s.template !== undefined ? { template: s.template } : {}),
    ...(s.extraCommands ? { extraCommands: s.extraCommands } : {}),
  };
}

export async function provisionOnPort(o: {
  port: { path: string; usbId?: string | undefined };
  openPort: PortOpener;
  clock: Clock;
  settings: ProvisionSettings;
  timeoutMs?: number | undefined;
}): Promise<ProvisionOutcome> {
  const transport = await o.openPort(o.port, CONSOLE_BAUD);
  try {
    return await provision({
      transport,
      clock: o.clock,
      settings: o.settings,
      ...(o.timeoutMs !== undefined ? { timeouts: { joinMs: o.timeoutMs } } : {}),
    });
  } finally {
    await transport.close();
  }
}
