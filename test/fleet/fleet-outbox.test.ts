/**
 * The report stays the source of truth, against Debian's real mosquitto: records are fsynced first and published
 * after; the broker stopped mid-run loses nothing and stops no flashing; a record acknowledged by nobody is sent
 * when the broker is back; subscribers see each record exactly once by id.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishedMarkFile } from '../../src-main/fleet/outbox';
import { parseReport, parseProfile } from '../../src-main/station';
import { simService } from '../service/helpers/sim-service';
import { sha256, smallImage } from '../station/virtual-bench';
import { Mosquitto } from './helpers/mosquitto';
import { RecordStream } from './helpers/record-stream';

let broker: Mosquitto;
let dir: string;
const streams: RecordStream[] = [];
const savedPassword = process.env.KILN_BROKER_PASSWORD;

beforeEach(async () => {
  broker = new Mosquitto();
  await broker.start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-fleet-'));
  process.env.KILN_BROKER_PASSWORD = broker.password;
});

afterEach(async () => {
  for (const s of streams.splice(0)) await s.close();
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
  if (savedPassword === undefined) delete process.env.KILN_BROKER_PASSWORD;
  else process.env.KILN_BROKER_PASSWORD = savedPassword;
});

async function benchStation(name: string) {
  const { service } = simService();
  const fw = smallImage(21);
  await service.firmwareCache.put(fw);
  const profile = parseProfile({
    name: 'fleet bench',
    baud: 921600,
    images: [{ sha256: sha256(fw), offset: 0, name: 'fw.bin' }],
  });
  const reportFile = path.join(dir, `${name}.jsonl`);
  const fleet = { broker: broker.url, fleet: 'outbox', user: broker.user };
  await service.station.start({ profile, auto: {}, reportFile, stationName: name, fleet });
  const plug = async (seed: number) => {
    const url = `sim:esp8266?seed=${seed}`;
    service.virtualDevice(url);
    service.station.plug({ path: url });
    await service.station.whenIdle();
  };
  return { service, station: service.station, reportFile, plug };
}

describe('fleet outbox (real mosquitto)', () => {
  it('keeps flashing while the broker is down, and afterwards every record is on the broker once by id', async () => {
    const stream = await RecordStream.open(broker, 'outbox', 'dashboard-1');
    streams.push(stream);
    const a = await benchStation('bench-a');
    await a.plug(1);
    await a.station.fleetDrained();

    await broker.stop();
    await a.plug(2);
    await a.plug(3);
    // Flashing went on without the broker: both boards are verified in the report, and not yet acknowledged.
    const during = parseReport(readFileSync(a.reportFile, 'utf8')).records;
    expect(during.map((r) => r.result)).toEqual(['verified', 'verified', 'verified']);
    expect(a.station.snapshot().fleet).toMatchObject({ connection: 'offline', pending: 2 });

    await broker.start();
    await a.plug(4);
    await a.station.fleetDrained();
    const report = parseReport(readFileSync(a.reportFile, 'utf8')).records;
    expect(report).toHaveLength(4);
    await stream.waitFor(report.map((r) => r.id));
    expect([...stream.ids()].sort()).toEqual(report.map((r) => r.id).sort());
    // The broker got each record as the report has it, byte for byte the same JSON.
    for (const r of report) expect(stream.received.find((x) => x.id === r.id)).toEqual(r);
    const mark = readFileSync(publishedMarkFile(a.reportFile), 'utf8').trim().split('\n');
    expect(mark.sort()).toEqual(report.map((r) => r.id).sort());
    expect(a.station.snapshot().fleet).toMatchObject({ connection: 'online', pending: 0 });
    console.log(`copies received: ${stream.received.length} for ${report.length} records`);
    await a.station.stop();
  });
});
