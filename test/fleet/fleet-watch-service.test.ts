/**
 * The Fleet tab's service methods against Debian's real mosquitto: fleetWatch streams the fleet view as a station
 * (another service, as another bench would be) flashes and publishes; fleetExportCsv is the merged stream; a wrong
 * password is one BROKER_AUTH refusal, in words, naming neither the user nor the password; a bad address is refused
 * before any connection. Nothing the watcher sends or logs carries the user name or the password.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KilnError } from '../../src-main/core/errors';
import { defaultDeps } from '../../src-main/service/default-deps';
import type { EventName } from '../../src-main/service/contract';
import type { Logger } from '../../src-main/service/deps';
import { createService, type KilnService } from '../../src-main/service/service';
import { parseProfile, parseReport } from '../../src-main/station';
import { simService } from '../service/helpers/sim-service';
import { sha256, smallImage } from '../station/virtual-bench';
import mqtt from 'mqtt';
import { Mosquitto } from './helpers/mosquitto';

let broker: Mosquitto;
let dir: string;
let watcher: KilnService;
const logged: string[] = [];
const events: { event: EventName; payload: unknown }[] = [];
const savedPassword = process.env.KILN_BROKER_PASSWORD;

const logger: Logger = {
  debug: (m) => logged.push(m),
  info: (m) => logged.push(m),
  warn: (m) => logged.push(m),
  error: (m) => logged.push(m),
};

beforeEach(async () => {
  broker = new Mosquitto();
  await broker.start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-fleet-watch-'));
  // The watcher runs on the real clock (its updates are coalesced with timers), like the GUI's service.
  watcher = createService(defaultDeps({ logger }), {
    host: 'web',
    appName: 'Kiln',
    appVersion: 'test',
    dataDir: dir,
    logDir: dir,
    logger,
  });
  watcher.subscribe((event, payload) => events.push({ event, payload }));
});

afterEach(async () => {
  await watcher.shutdown();
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
  logged.length = 0;
  events.length = 0;
  if (savedPassword === undefined) delete process.env.KILN_BROKER_PASSWORD;
  else process.env.KILN_BROKER_PASSWORD = savedPassword;
});

/** A station in a service of its own, flashing virtual boards and publishing to the fleet "shop". */
async function runStation(name: string, seeds: number[]) {
  process.env.KILN_BROKER_PASSWORD = broker.password;
  const { service } = simService();
  const fw = smallImage(41);
  await service.firmwareCache.put(fw);
  const profile = parseProfile({
    name: 'watched line',
    baud: 921600,
    images: [{ sha256: sha256(fw), offset: 0, name: 'fw.bin' }],
  });
  const reportFile = path.join(dir, `${name}.jsonl`);
  await service.station.start({
    profile,
    ports: seeds.map((s) => `sim:esp8266?seed=${s}`),
    reportFile,
    stationName: name,
    fleet: { broker: broker.url, fleet: 'shop', user: broker.user },
  });
  await service.station.whenIdle();
  await service.station.fleetDrained();
  await service.station.stop();
  await service.shutdown();
  return parseReport(readFileSync(reportFile, 'utf8')).records;
}

function lastUpdate() {
  const updates = events.filter((e) => e.event === 'fleetUpdate');
  return updates.at(-1)?.payload as
    { view?: { totals: { verified: number; stations: number } }; connection?: string } | undefined;
}

describe('fleet watch service methods (real mosquitto)', { timeout: 60_000 }, () => {
  it('streams the fleet view while a station publishes; the CSV export is the merged stream', async () => {
    const first = await watcher.call('fleetWatch', {
      broker: broker.url,
      fleet: 'shop',
      user: broker.user,
      password: broker.password,
    });
    expect(first).toMatchObject({
      watching: true,
      broker: broker.url,
      fleet: 'shop',
      connection: 'online',
      view: { stations: [], records: [], totals: { stations: 0, verified: 0 } },
    });

    const records = await runStation('bench-w', [1, 2, 3]);
    expect(records.map((r) => r.result)).toEqual(['verified', 'verified', 'verified']);
    await expect.poll(() => lastUpdate()?.view?.totals.verified, { timeout: 10_000 }).toBe(3);

    const status = await watcher.call('fleetStatus', {});
    expect(status.view!.stations).toMatchObject([
      { station: 'bench-w', online: false, status: 'stopped', verified: 3, failed: 0 },
    ]);
    expect(status.view!.records.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());

    const csv = await watcher.call('fleetExportCsv', {});
    expect(csv.name).toMatch(/^fleet-shop-\d{8}-\d{6}\.csv$/);
    expect(csv.rows).toBe(3);
    const rows = csv.csv.trimEnd().split('\r\n');
    expect(rows).toHaveLength(4);
    for (const r of records) expect(rows.filter((row) => row.includes(r.mac!))).toHaveLength(1);

    // Neither the user name nor the password went back to a client or into the log.
    const said = JSON.stringify(events) + JSON.stringify(status) + logged.join('\n');
    expect(said).not.toContain(broker.password);
    // (The broker's test user is called "station", a word the view itself uses: look for it as a user name.)
    expect(said).not.toMatch(/"user"|user "/);

    expect(await watcher.call('fleetUnwatch', {})).toEqual({ watching: false });
    await expect(watcher.call('fleetExportCsv', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a broker restart mid-watch shows the connection lost, then back, the picture intact', async () => {
    await runStation('bench-r', [4, 5]);
    await watcher.call('fleetWatch', {
      broker: broker.url,
      fleet: 'shop',
      user: broker.user,
      password: broker.password,
    });
    expect((await watcher.call('fleetStatus', {})).view!.totals.verified).toBe(2);
    await broker.stop();
    await expect.poll(() => lastUpdate()?.connection, { timeout: 15_000 }).toBe('offline');
    expect(lastUpdate()?.view?.totals.verified).toBe(2); // what was seen stays on screen
    await broker.start();
    await expect.poll(() => lastUpdate()?.connection, { timeout: 15_000 }).toBe('online');
    // The broker sends its retained messages again on resubscribing: merged by id, still two boards.
    await new Promise((r) => setTimeout(r, 500));
    const after = await watcher.call('fleetStatus', {});
    expect(after).toMatchObject({ connection: 'online', view: { totals: { verified: 2, stations: 1 } } });
    expect(after.error).toBeUndefined();
  });

  it('two quick watch requests leave one connection; stopping closes it', async () => {
    const login = { broker: broker.url, fleet: 'shop', user: broker.user, password: broker.password };
    const [first, second] = await Promise.all([
      watcher.call('fleetWatch', login),
      watcher.call('fleetWatch', { ...login, fleet: 'other' }),
    ]);
    expect([first.fleet, second.fleet]).toEqual(['shop', 'other']);
    expect(await watcher.call('fleetStatus', {})).toMatchObject({ fleet: 'other', connection: 'online' });
    await watcher.call('fleetUnwatch', {});
    const opened = broker.log.match(/New client connected from \S+ as (kiln-fleet-[0-9a-f]+)/g) ?? [];
    expect(opened).toHaveLength(2);
    // Every watcher connection the broker saw is closed again (none left behind by the replaced watch).
    await expect
      .poll(
        () =>
          (broker.log.match(/Client kiln-fleet-[0-9a-f]+ (closed its connection|disconnected)/g) ?? [])
            .length,
      )
      .toBe(2);
  });

  it('a long day: updates carry the latest 100 boards, the totals and the CSV all of them', async () => {
    const [real] = await runStation('bench-l', [9]);
    // 120 verified boards of an earlier station retained on devices/<mac>, as stations publish them (the real
    // record with a new id, station, MAC and time).
    const client = await mqtt.connectAsync(broker.url, { username: broker.user, password: broker.password });
    for (let i = 0; i < 120; i++) {
      const mac = `18:fe:34:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
      const time = new Date(Date.parse(real!.time) + (i + 1) * 1000).toISOString();
      const record = { ...real!, id: `long-day-${i}`, station: 'bench-old', mac, time };
      await client.publishAsync(`kiln/shop/devices/${mac}`, JSON.stringify(record), { qos: 1, retain: true });
    }
    await client.endAsync();

    const watched = await watcher.call('fleetWatch', {
      broker: broker.url,
      fleet: 'shop',
      user: broker.user,
      password: broker.password,
    });
    expect(watched.view!.totals.verified).toBe(121);
    expect(watched.view!.stations).toMatchObject([
      { station: 'bench-l', online: false, verified: 1 },
      { station: 'bench-old', online: false, verified: 120 },
    ]);
    expect(watched.view!.records).toHaveLength(100);
    expect(watched.view!.records[0]!.id).toBe('long-day-119'); // newest first
    const csv = await watcher.call('fleetExportCsv', {});
    expect(csv.rows).toBe(121);
    expect(csv.csv.trimEnd().split('\r\n')).toHaveLength(122);
  });

  it('a wrong password is one BROKER_AUTH refusal in plain words, naming neither user nor password', async () => {
    const wrong = 'not-the-password-91c2';
    const err = await watcher
      .call('fleetWatch', { broker: broker.url, fleet: 'shop', user: broker.user, password: wrong })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KilnError);
    const e = err as KilnError;
    expect(e.code).toBe('BROKER_AUTH');
    expect(e.message).toMatch(/^The MQTT broker mqtt:\/\/127\.0\.0\.1:\d+ refused the login: /);
    expect(e.hint).toBe('Check the user name and password, then watch again.');
    expect(JSON.stringify(e) + e.message + logged.join('\n')).not.toContain(wrong);
    expect(e.message).not.toContain(broker.user);
    expect(await watcher.call('fleetStatus', {})).toEqual({ watching: false });
    // One refused login at the broker (CONNACK return code 5), not a retry storm.
    await new Promise((r) => setTimeout(r, 1500));
    expect(broker.log.match(/Sending CONNACK to \S+ \(0, 5\)/g)).toHaveLength(1);
  });

  it('an address that is not a broker URL is refused before connecting, naming the field', async () => {
    await expect(
      watcher.call('fleetWatch', { broker: 'mqtt://kiln:secret@127.0.0.1:1883', fleet: 'shop' }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message:
        'Broker address: the broker URL carries credentials; give the user separately and the password in KILN_BROKER_PASSWORD.',
    });
    await expect(
      watcher.call('fleetWatch', { broker: 'http://127.0.0.1:1883', fleet: 'shop' }),
    ).rejects.toMatchObject({
      message: 'Broker address: the broker URL must start with mqtt:// or mqtts://.',
    });
    await expect(watcher.call('fleetWatch', { broker: broker.url, fleet: 'a/#' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^Fleet name: /) as string,
    });
    await expect(
      watcher.call('fleetWatch', { broker: 'mqtt://127.0.0.1:1', fleet: 'shop' }),
    ).rejects.toMatchObject({ code: 'BROKER_UNREACHABLE' });
    expect(broker.log).not.toMatch(/New connection/);
  });
});
