/**
 * `kiln batch --broker` and `kiln fleet` as separate processes against Debian's real mosquitto: two stations at
 * once build one fleet view and one merged CSV; a station SIGKILLed while the broker is away publishes its unsent
 * records on restart, none lost, none twice; a wrong password is one clear BROKER_AUTH while the boards still flash.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishedMarkFile } from '../../src-main/fleet/outbox';
import { parseReport } from '../../src-main/station';
import { spawnKiln, tempDir } from '../cli/helpers/cli-run';
import { sha256, smallImage } from '../station/virtual-bench';
import { Mosquitto } from './helpers/mosquitto';
import { RecordStream } from './helpers/record-stream';

let broker: Mosquitto;
let dir: string;
const streams: RecordStream[] = [];

beforeEach(async () => {
  broker = new Mosquitto();
  await broker.start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-fleet-cli-'));
  const fw = smallImage(31);
  writeFileSync(path.join(dir, 'fw.bin'), fw);
  writeFileSync(
    path.join(dir, 'line.json'),
    JSON.stringify({
      name: 'fleet line',
      baud: 921600,
      images: [{ sha256: sha256(fw), offset: 0, name: 'fw.bin' }],
    }),
  );
});

afterEach(async () => {
  for (const s of streams.splice(0)) await s.close();
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const sims = (seeds: number[]) => seeds.map((s) => `sim:esp8266?seed=${s}`).join(',');

function batch(station: string, seeds: number[], extra: string[] = [], password = broker.password) {
  return spawnKiln(
    [
      'batch',
      '--profile',
      path.join(dir, 'line.json'),
      '--ports',
      sims(seeds),
      '--report',
      path.join(dir, `${station}.jsonl`),
      '--station',
      station,
      '--broker',
      broker.url,
      '--fleet',
      'shop',
      '--broker-user',
      broker.user,
      ...extra,
    ],
    { dataDir: tempDir('kiln-fleet-data-'), env: { KILN_BROKER_PASSWORD: password } },
  );
}

function report(station: string) {
  return parseReport(readFileSync(path.join(dir, `${station}.jsonl`), 'utf8')).records;
}

// Child processes (kiln batch builds and loads the CLI bundle) on two shared cores: generous, not a speed claim.
describe(
  'kiln batch --broker / kiln fleet (real mosquitto, separate processes)',
  { timeout: 120_000 },
  () => {
    it('two stations, four boards each: the fleet view shows both and eight verified boards; the CSV has eight rows', async () => {
      const [a, b] = [batch('bench-a', [1, 2, 3, 4]), batch('bench-b', [5, 6, 7, 8])];
      const [ra, rb] = await Promise.all([a.done, b.done]);
      expect(ra.code, ra.stderr).toBe(0);
      expect(rb.code, rb.stderr).toBe(0);

      const csvFile = path.join(dir, 'fleet.csv');
      const view = spawnKiln(
        [
          'fleet',
          '--broker',
          broker.url,
          '--fleet',
          'shop',
          '--broker-user',
          broker.user,
          '--csv',
          csvFile,
          '--json',
        ],
        { env: { KILN_BROKER_PASSWORD: broker.password } },
      );
      const out = await view.done;
      expect(out.code, out.stderr).toBe(0);
      expect(out.final).toMatchObject({
        ok: true,
        command: 'fleet',
        totals: { stations: 2, online: 0, verified: 8, failed: 0 },
      });
      const stations = out.final.stations as { station: string; online: boolean; verified: number }[];
      expect(stations.map((s) => [s.station, s.online, s.verified])).toEqual([
        ['bench-a', false, 4],
        ['bench-b', false, 4],
      ]);
      const rows = readFileSync(csvFile, 'utf8').trimEnd().split('\r\n');
      expect(rows).toHaveLength(9); // header + eight boards
      const local = [...report('bench-a'), ...report('bench-b')];
      const macs = local.map((r) => r.mac!);
      expect(new Set(macs).size).toBe(8);
      for (const mac of macs) expect(rows.filter((row) => row.includes(mac))).toHaveLength(1);

      // The human view names both stations and the totals.
      const human = spawnKiln(
        ['fleet', '--broker', broker.url, '--fleet', 'shop', '--broker-user', broker.user],
        {
          env: { KILN_BROKER_PASSWORD: broker.password },
        },
      );
      const text = (await human.done).stdout;
      expect(text).toMatch(/○ bench-a {2}offline \(stopped\) {2}4 verified, 0 failed, 0 skipped/);
      expect(text).toMatch(/○ bench-b {2}offline \(stopped\) {2}4 verified, 0 failed, 0 skipped/);
      expect(text).toContain('Total: 2 station(s), 0 online; 8 verified, 0 failed, 0 skipped');
    });

    it('a station SIGKILLed while the broker is away publishes its unsent records on restart, none lost or twice', async () => {
      const stream = await RecordStream.open(broker, 'shop', 'dashboard-kill');
      streams.push(stream);
      await broker.stop();
      const first = batch('bench-k', [11, 12, 13, 14], ['--concurrency', '1']);
      await first.waitForLine((l) => l.startsWith('✓'), 60_000);
      first.child.kill('SIGKILL');
      await first.done;
      const beforeRestart = report('bench-k');
      expect(beforeRestart.length).toBeGreaterThanOrEqual(1);
      expect(beforeRestart.every((r) => r.result === 'verified')).toBe(true);
      expect(existsSync(publishedMarkFile(path.join(dir, 'bench-k.jsonl')))).toBe(false);

      await broker.start();
      const second = batch('bench-k', [11, 12, 13, 14], ['--concurrency', '1']);
      const done = await second.done;
      expect(done.code, done.stderr).toBe(0);
      const all = report('bench-k');
      // The killed run's boards are skipped (already verified in this report), the rest flashed: one board each.
      expect(all.filter((r) => r.result === 'verified')).toHaveLength(4);
      expect(all.slice(0, beforeRestart.length)).toEqual(beforeRestart);
      await stream.waitFor(all.map((r) => r.id));
      expect([...stream.ids()].sort()).toEqual(all.map((r) => r.id).sort());
      expect(stream.received).toHaveLength(all.length); // nothing was acknowledged before the kill: no copy twice
      const mark = readFileSync(publishedMarkFile(path.join(dir, 'bench-k.jsonl')), 'utf8')
        .trim()
        .split('\n');
      expect(mark.sort()).toEqual(all.map((r) => r.id).sort());
    });

    it('a wrong broker password: one clear BROKER_AUTH, no retry storm, and the boards still flash into the report', async () => {
      const wrong = 'not-the-password-7f3a';
      const run = batch('bench-w', [21, 22], [], wrong);
      const done = await run.done;
      expect(done.code, done.stderr).toBe(0);
      expect(
        done.stderr.match(
          /fleet: BROKER_AUTH: The MQTT broker mqtt:\/\/127\.0\.0\.1:\d+ refused the login of user "station"/g,
        ),
      ).toHaveLength(1);
      expect(report('bench-w').map((r) => r.result)).toEqual(['verified', 'verified']);
      // Not published, so still in the outbox for a start with the right password.
      expect(existsSync(publishedMarkFile(path.join(dir, 'bench-w.jsonl')))).toBe(false);
      // One refused login at the broker (CONNACK return code 5, "not authorised"), not a stream of them.
      expect(broker.log.match(/Sending CONNACK to \S+ \(0, 5\)/g)).toHaveLength(1);
      // The password is nowhere in what Kiln wrote.
      expect(done.stdout + done.stderr + readFileSync(path.join(dir, 'bench-w.jsonl'), 'utf8')).not.toContain(
        wrong,
      );

      // With the right password the same report's records go out.
      const stream = await RecordStream.open(broker, 'shop', 'dashboard-wrong');
      streams.push(stream);
      const again = await batch('bench-w', [21, 22]).done;
      expect(again.code, again.stderr).toBe(0);
      const all = report('bench-w');
      await stream.waitFor(all.map((r) => r.id));
      expect([...stream.ids()].sort()).toEqual(all.map((r) => r.id).sort());
    });
  },
);
