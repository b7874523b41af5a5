/**
 * The station's provisioning step: after a verified flash, the same flow a single board gets (provision/), with
 * names from the profile's patterns and the run's passwords (in memory only). Never throws: the outcome becomes the
 * record's `provision` part, without secrets.
 */
import { toErrorData } from '../core/errors';
import type { PortOpener } from '../flash';
import type { Clock } from '../core/clock';
import { expandPattern } from '../provision/patterns';
import { provision, type ProvisionSettings } from '../provision/provision';
import type { Secret } from '../provision/secret';
import type { PlugInfo } from './port-filter';
import type { DeviceRecord, ProvisionStep } from './schemas';

/** The passwords for a run: one per network of the step, in order, and the MQTT one. */
export interface ProvisionSecrets {
  wifi: Secret[];
  mqtt?: Secret;
}

/** Both firmwares' console speed. */
const CONSOLE_BAUD = 115200;

export function stepSettings(step: ProvisionStep, mac: string, secrets: ProvisionSecrets): ProvisionSettings {
  return {
    wifi: step.wifi.map((w, i) => ({ ssid: w.ssid, password: secrets.wifi[i]! })),
    ...(step.hostnamePattern ? { hostname: expandPattern(step.hostnamePattern, mac) } : {}),
    ...(step.mqtt
      ? {
          mqtt: {
            host: step.mqtt.host,
            ...(step.mqtt.port !== undefined ? { port: step.mqtt.port } : {}),
            ...(step.mqtt.user !== undefined ? { user: step.mqtt.user } : {}),
            ...(secrets.mqtt ? { password: secrets.mqtt } : {}),
            ...(step.mqtt.topicPattern ? { topic: expandPattern(step.mqtt.topicPattern, mac) } : {}),
          },
        }
      : {}),
    ...(step.module !== undefined ? { module: step.module } : {}),
  };
}

export async function provisionBoard(o: {
  step: ProvisionStep;
  mac: string;
  secrets: ProvisionSecrets | undefined;
  port: PlugInfo;
  openPort: PortOpener;
  clock: Clock;
  onLog?: (line: string) => void;
}): Promise<NonNullable<DeviceRecord['provision']>> {
  if (!o.secrets || o.secrets.wifi.length < o.step.wifi.length)
    return {
      result: 'failed',
      error: {
        code: 'BAD_REQUEST',
        message: 'The profile provisions Wi-Fi, but no password was given for this run.',
        hint: 'Start the run with the Wi-Fi password(s).',
      },
    };
  try {
    const transport = await o.openPort(o.port, CONSOLE_BAUD);
    try {
      const out = await provision({
        transport,
        clock: o.clock,
        settings: stepSettings(o.step, o.mac, o.secrets),
        timeouts: { joinMs: o.step.timeoutMs },
        ...(o.onLog ? { onLine: o.onLog } : {}),
      });
      return {
        result: 'online',
        firmware: out.firmware,
        ip: out.ip,
        ...(out.hostname ? { hostname: out.hostname } : {}),
        mqtt: out.mqtt,
      };
    } finally {
      await transport.close();
    }
  } catch (e) {
    const error = toErrorData(e);
    return {
      result: 'failed',
      error: {
        code: error.code,
        message: error.message,
        ...(error.hint !== undefined ? { hint: error.hint } : {}),
      },
    };
  }
}
