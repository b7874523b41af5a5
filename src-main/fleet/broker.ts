/**
 * One place that turns fleet settings into an MQTT.js connection and MQTT.js failures into Kiln errors. A broker
 * that refuses the login ends the connection for good (BROKER_AUTH): retrying a wrong password only fills the
 * broker's log and may lock the account. An unreachable broker is retried every few seconds by MQTT.js.
 * The password goes to MQTT.js and nowhere else: no log line, error message or report ever contains it.
 */
import { readFile } from 'node:fs/promises';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { KilnError } from '../core/errors';
import type { FleetSettings } from './settings';

/** CONNACK refusals that mean "wrong credentials" (MQTT 3.1.1 return codes 4, 5; MQTT 5 reason codes 0x86, 0x87). */
const AUTH_REFUSALS = new Set([4, 5, 134, 135]);

/** Seconds between reconnection attempts to an unreachable broker. */
const RECONNECT_MS = 1000;
/** How long one connection attempt may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 5000;

export interface BrokerLogin {
  settings: FleetSettings;
  clientId: string;
  password?: string;
  /** PEM text of the broker's CA, given by a client that cannot name a file here (the Fleet tab); wins over caFile. */
  ca?: string;
  will?: { topic: string; payload: string };
}

export async function connectBroker(login: BrokerLogin): Promise<MqttClient> {
  const o: IClientOptions = {
    clientId: login.clientId,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: RECONNECT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // An offline publish waits in MQTT.js's store and goes out on reconnect; the outbox covers a restart.
    queueQoSZero: false,
  };
  if (login.settings.user !== undefined) o.username = login.settings.user;
  if (login.password !== undefined) o.password = login.password;
  if (login.will)
    o.will = { topic: login.will.topic, payload: Buffer.from(login.will.payload), qos: 1, retain: true };
  if (login.ca !== undefined) o.ca = login.ca;
  else if (login.settings.caFile) {
    try {
      o.ca = await readFile(login.settings.caFile);
    } catch (e) {
      throw new KilnError('NOT_FOUND', `The broker's CA file ${login.settings.caFile} could not be read.`, {
        hint: 'Name the PEM file of the CA that signed the broker certificate.',
        details: { reason: e instanceof Error ? e.message : String(e) },
      });
    }
  }
  return mqtt.connect(login.settings.broker, o);
}

/** Whether an MQTT.js error is the broker refusing the login. */
export function isLoginRefused(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' && AUTH_REFUSALS.has(code);
}

export function brokerError(err: Error, settings: FleetSettings): KilnError {
  if (isLoginRefused(err))
    return new KilnError(
      'BROKER_AUTH',
      `The MQTT broker ${settings.broker} refused the login${settings.user ? ` of user "${settings.user}"` : ''}: ${err.message.replace(/^Connection refused: /, '')}.`,
      {
        hint: 'Check the user and KILN_BROKER_PASSWORD. The station keeps flashing and keeps its report; records are published once the login works.',
        details: { broker: settings.broker },
      },
    );
  return new KilnError(
    'BROKER_UNREACHABLE',
    `The MQTT broker ${settings.broker} cannot be reached: ${err.message}.`,
    {
      hint: 'Kiln retries by itself; records wait in the report until the broker is back.',
      details: { broker: settings.broker },
    },
  );
}
