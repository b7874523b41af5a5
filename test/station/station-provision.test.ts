/**
 * A station run of four virtual Sonoffs with a provisioning step: each board is flashed with a Tasmota-marked image,
 * boots its console, gets the run's Wi-Fi and MQTT settings with host name and topic from `%mac6%`, and its record
 * gains address, host name and MQTT state. Every file the run wrote and every line it logged is searched for the
 * passwords.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildImage } from '../../src-main/esp/image';
import { Secret } from '../../src-main/provision/secret';
import { firmwareMarker } from '../../src-main/sim/firmware-marker';
import { SIM_LAB } from '../../src-main/sim/sim-network';
import { parseReport, Station } from '../../src-main/station';
import { VirtualBench } from './virtual-bench';

const WIFI = SIM_LAB.accessPoints[0]!;
const BROKER = SIM_LAB.broker;

let bench: VirtualBench;
afterEach(() => bench?.cleanup());

function tasmotaImage(): Buffer {
  const data = Buffer.concat([firmwareMarker('tasmota'), Buffer.alloc(4096, 0x5a)]);
  return buildImage({
    chip: 'esp8266',
    entry: 0x40100000,
    segments: [{ address: 0x40100000, data }],
    mode: 'dout',
    freq: '40m',
    size: '1MB',
  });
}

function everyFile(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? everyFile(p) : [p];
  });
}

async function runFour(wifiPassword: string) {
  bench = new VirtualBench();
  const sha = bench.addFirmware(tasmotaImage());
  const ports = [21, 22, 23, 24].map((seed) => `sim:esp8266?seed=${seed}`);
  ports.forEach((p, i) => bench.board(p, { seed: 21 + i }));
  const profile = bench.profile({
    name: 'sonoff-fleet',
    images: [{ sha256: sha, offset: 0, name: 'tasmota.bin' }],
    provision: {
      wifi: [{ ssid: WIFI.ssid }],
      hostnamePattern: 'sonoff-%mac6%',
      mqtt: { host: BROKER.host, port: BROKER.port, user: BROKER.user, topicPattern: 'sonoff_%mac6%' },
    },
  });
  const logged: string[] = [];
  const station = await Station.open(
    bench.deps({ provisionSecrets: { wifi: [new Secret(wifiPassword)], mqtt: new Secret(BROKER.password) } }),
    {
      profile,
      stationName: 'bench-p',
      reportFile: bench.reportFile,
      mode: { kind: 'ports', ports: ports.map((p) => ({ path: p })) },
      onEvent: (e) => logged.push(JSON.stringify(e)),
    },
  );
  station.start();
  await station.whenIdle();
  await station.stop();
  const { records } = parseReport(readFileSync(bench.reportFile, 'utf8'));
  const written = everyFile(bench.dir).map((f) => readFileSync(f, 'latin1'));
  return { records, texts: [...written, ...logged] };
}

describe('station: provisioning after the flash', () => {
  it('four boards: four verified records, online at distinct addresses, names from the pattern', async () => {
    const { records, texts } = await runFour(WIFI.password);
    expect(records).toHaveLength(4);
    for (const r of records) {
      const mac6 = r.mac!.replace(/:/g, '').slice(-6);
      expect(r.result).toBe('verified');
      expect(r.provision).toMatchObject({
        result: 'online',
        firmware: 'tasmota',
        hostname: `sonoff-${mac6}`,
        mqtt: 'connected',
      });
      expect(r.provision!.ip).toMatch(/^192\.168\.77\.\d+$/);
    }
    expect(new Set(records.map((r) => r.provision!.ip)).size).toBe(4);
    expect(new Set(records.map((r) => r.provision!.hostname)).size).toBe(4);
    // The report holds the outcome the search below looks through.
    expect(texts.some((t) => t.includes('"provision":{"result":"online"'))).toBe(true);
    for (const t of texts) {
      expect(t).not.toContain(WIFI.password);
      expect(t).not.toContain(BROKER.password);
    }
  });

  it('a wrong password: flashed and verified, provisioning failed with the firmware’s line, password nowhere', async () => {
    const { records, texts } = await runFour('wrong-station-pw');
    expect(records.map((r) => r.provision?.result)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(records[0]!.provision!.error).toMatchObject({
      code: 'WIFI_JOIN_FAILED',
      message: 'Tasmota: Connect failed with AP incorrect password.',
    });
    for (const t of texts) expect(t).not.toContain('wrong-station-pw');
  });
});
