/**
 * The provisioning flow against the simulator's firmware consoles, in process on a VirtualClock: a Tasmota-like
 * console and an Improv responder, each with the right password, a wrong one, and a timeout. The simulated network
 * is the test's own, so addresses are known.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src-main/core/clock';
import { KilnError } from '../../src-main/core/errors';
import { provision, type ProvisionSettings } from '../../src-main/provision/provision';
import { Secret } from '../../src-main/provision/secret';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { SimulatedDevice } from '../../src-main/sim/device';
import type { SimFirmware } from '../../src-main/sim/firmware-marker';
import { SIM_LAB, SimNetwork } from '../../src-main/sim/sim-network';

const WIFI = SIM_LAB.accessPoints[0]!;
const BROKER = SIM_LAB.broker;

function board(firmware: SimFirmware | undefined, mac = 'de:ad:be:ef:00:01') {
  const clock = new VirtualClock();
  const network = new SimNetwork();
  const pair = createMemoryPair({ baudRate: 115200 });
  const device = new SimulatedDevice({
    chip: 'esp8266',
    clock,
    mac,
    network,
    ...(firmware ? { firmware } : {}),
  });
  const wire: Buffer[] = [];
  pair.host.onData((c) => wire.push(c));
  device.attach(pair.device);
  return { clock, transport: pair.host, device, network, wire: () => Buffer.concat(wire).toString('latin1') };
}

function settings(password = WIFI.password, mqttPassword = BROKER.password): ProvisionSettings {
  return {
    wifi: [{ ssid: WIFI.ssid, password: new Secret(password) }],
    hostname: 'sonoff-0001ab',
    mqtt: {
      host: BROKER.host,
      port: BROKER.port,
      user: BROKER.user,
      password: new Secret(mqttPassword),
      topic: 'sonoff_0001ab',
    },
  };
}

async function failure(p: Promise<unknown>): Promise<KilnError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KilnError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('Tasmota-like console', () => {
  it('sends one Backlog, follows the restart, reads the address and the MQTT state', async () => {
    const b = board('tasmota');
    const steps: string[] = [];
    const out = await provision({
      transport: b.transport,
      clock: b.clock,
      settings: settings(),
      onStep: (s) => steps.push(s),
    });
    expect(out).toMatchObject({
      firmware: 'tasmota',
      ip: '192.168.77.100',
      hostname: 'sonoff-0001ab',
      mqtt: 'connected',
      url: 'http://192.168.77.100/',
    });
    expect(steps).toEqual(['detect', 'send-settings', 'join-wifi', 'read-address', 'connect-mqtt']);
    // What the console echoed carried the passwords; what we kept does not.
    expect(b.wire()).toContain(`Password1 ${WIFI.password}`);
    const heard = out.heard.join('\n');
    expect(heard).toContain(
      'CMD: Backlog Hostname sonoff-0001ab; MqttHost 192.168.77.2; MqttPort 1883; MqttUser kiln; MqttPassword [secret]; Topic sonoff_0001ab; SSId1 kiln-lab; Password1 [secret]',
    );
    expect(heard).toContain('APP: Restarting');
    expect(heard).toContain('WIF: Connected');
    expect(heard).toContain('MQT: Connected');
    expect(heard).not.toContain(WIFI.password);
    expect(heard).not.toContain(BROKER.password);
    expect(JSON.stringify(out)).not.toContain(WIFI.password);
  });

  it('a wrong Wi-Fi password ends with the firmware’s own failure line and no password', async () => {
    const b = board('tasmota');
    const e = await failure(
      provision({ transport: b.transport, clock: b.clock, settings: settings('wrong-password-1') }),
    );
    expect(e.code).toBe('WIFI_JOIN_FAILED');
    expect(e.message).toBe('Tasmota: Connect failed with AP incorrect password.');
    expect(e.hint).toMatch(/password/);
    expect(JSON.stringify(e.details)).not.toContain('wrong-password-1');
    expect(JSON.stringify(e.details)).toContain('WIF: Connect failed with AP incorrect password');
  });

  it('a wrong MQTT password: online, MQTT failed with rc 5', async () => {
    const b = board('tasmota');
    const out = await provision({
      transport: b.transport,
      clock: b.clock,
      settings: settings(WIFI.password, 'nope-mqtt'),
    });
    expect(out).toMatchObject({ ip: '192.168.77.100', mqtt: 'failed' });
    expect(out.mqttDetail).toBe('Connect failed to 192.168.77.2:1883, rc 5. Retry in 10 sec');
  });

  it('gives up after the join timeout with TIMEOUT', async () => {
    const b = board('tasmota');
    const e = await failure(
      provision({ transport: b.transport, clock: b.clock, settings: settings(), timeouts: { joinMs: 500 } }),
    );
    expect(e.code).toBe('TIMEOUT');
  });

  it('the settings survive the restart: a second run finds the board online at the same address', async () => {
    const b = board('tasmota');
    await provision({ transport: b.transport, clock: b.clock, settings: settings() });
    b.device.powerCycle();
    const again = await provision({ transport: b.transport, clock: b.clock, settings: settings() });
    expect(again.ip).toBe('192.168.77.100');
  });
});

describe('Improv responder', () => {
  it('follows the state machine to provisioned and reads the redirect URL', async () => {
    const b = board('improv');
    const out = await provision({ transport: b.transport, clock: b.clock, settings: settings() });
    expect(out).toMatchObject({
      firmware: 'improv',
      ip: '192.168.77.100',
      url: 'http://192.168.77.100',
      mqtt: 'not-configured',
    });
  });

  it('wrong password: Improv error 0x03 "unable to connect"', async () => {
    const b = board('improv');
    const e = await failure(
      provision({ transport: b.transport, clock: b.clock, settings: settings('bad-improv-pw') }),
    );
    expect(e.code).toBe('WIFI_JOIN_FAILED');
    expect(e.message).toMatch(/0x03 "unable to connect"/);
  });

  it('times out when the device never gets there', async () => {
    const b = board('improv');
    const e = await failure(
      provision({ transport: b.transport, clock: b.clock, settings: settings(), timeouts: { joinMs: 200 } }),
    );
    expect(e.code).toBe('TIMEOUT');
  });
});

describe('neither', () => {
  it('says what was heard', async () => {
    const b = board(undefined);
    b.device.flashMemory.load(0, Uint8Array.of(0xe9, 0x01, 0x02, 0x20, 0x00, 0x10, 0x10, 0x40));
    b.device.powerCycle();
    const e = await failure(provision({ transport: b.transport, clock: b.clock, settings: settings() }));
    expect(e.code).toBe('FIRMWARE_NOT_DETECTED');
    expect(e.message).toMatch(/Last lines heard/);
  });

  it('refuses settings Backlog cannot carry before sending anything', async () => {
    const b = board('tasmota');
    const s = settings('semi;colon');
    const e = await failure(provision({ transport: b.transport, clock: b.clock, settings: s }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).not.toContain('semi;colon');
  });
});
