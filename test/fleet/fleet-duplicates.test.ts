/**
 * The fleet-wide duplicate check against a real mosquitto: a board verified at station A is retained on
 * kiln/<fleet>/devices/<mac>; station B, subscribed to kiln/<fleet>/devices/#, skips it (recorded as skipped,
 * "duplicate-mac-fleet") and flashes a board nobody has done.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseProfile, parseReport } from '../../src-main/station';
import { simService } from '../service/helpers/sim-service';
import { sha256, smallImage } from '../station/virtual-bench';
import { Mosquitto } from './helpers/mosquitto';

let broker: Mosquitto;
let dir: string;
const savedPassword = process.env.KILN_BROKER_PASSWORD;

beforeEach(async () => {
  broker = new Mosquitto();
  await broker.start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-fleet-dup-'));
  process.env.KILN_BROKER_PASSWORD = broker.password;
});

afterEach(async () => {
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
  if (savedPassword === undefined) delete process.env.KILN_BROKER_PASSWORD;
  else process.env.KILN_BROKER_PASSWORD = savedPassword;
});

async function runStation(name: string, seeds: number[], policy: { reflashDuplicates?: boolean } = {}) {
  const { service } = simService();
  const fw = smallImage(22);
  await service.firmwareCache.put(fw);
  const profile = parseProfile({
    name: 'fleet dup',
    baud: 921600,
    images: [{ sha256: sha256(fw), offset: 0, name: 'fw.bin' }],
    policy,
  });
  const reportFile = path.join(dir, `${name}-${Math.random().toString(36).slice(2)}.jsonl`);
  await service.station.start({
    profile,
    ports: seeds.map((s) => `sim:esp8266?seed=${s}`),
    reportFile,
    stationName: name,
    fleet: { broker: broker.url, fleet: 'dup', user: broker.user },
  });
  await service.station.whenIdle();
  await service.station.fleetDrained();
  const final = await service.station.stop();
  return { records: parseReport(readFileSync(reportFile, 'utf8')).records, final };
}

describe('fleet-wide duplicate check (real mosquitto)', () => {
  it('a MAC verified at station A is skipped at station B; a new board is flashed', async () => {
    const a = await runStation('bench-a', [1, 2]);
    expect(a.records.map((r) => r.result)).toEqual(['verified', 'verified']);
    const macOf1 = a.records.find((r) => r.port === 'sim:esp8266?seed=1')!.mac;

    const b = await runStation('bench-b', [1, 3]);
    const skipped = b.records.find((r) => r.port === 'sim:esp8266?seed=1')!;
    expect(skipped).toMatchObject({ result: 'skipped', skipReason: 'duplicate-mac-fleet', mac: macOf1 });
    expect(skipped.bytesSent).toBe(0);
    const fresh = b.records.find((r) => r.port === 'sim:esp8266?seed=3')!;
    expect(fresh.result).toBe('verified');
    expect(fresh.mac).not.toBe(macOf1);
    expect(b.final.fleet).toMatchObject({ connection: 'offline', pending: 0 });
  });

  it('a board verified in an earlier run of the same station (another report) is skipped too', async () => {
    const a = await runStation('bench-a', [4]);
    expect(a.records[0]!.result).toBe('verified');
    const again = await runStation('bench-a', [4]);
    expect(again.records[0]).toMatchObject({ result: 'skipped', skipReason: 'duplicate-mac-fleet' });
  });

  it('"reflash duplicates" flashes a board the fleet already has', async () => {
    await runStation('bench-a', [5]);
    const b = await runStation('bench-b', [5], { reflashDuplicates: true });
    expect(b.records[0]!.result).toBe('verified');
  });
});
