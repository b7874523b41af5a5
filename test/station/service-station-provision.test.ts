/**
 * The station's provisioning step through the contract: a saved profile carries the step (no passwords), the run's
 * passwords come with stationStart, and the report's records gain address and host name. The data folder (profile
 * file, report, logs) is searched for the passwords afterwards.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildImage } from '../../src-main/esp/image';
import type { KilnService } from '../../src-main/service/service';
import { firmwareMarker } from '../../src-main/sim/firmware-marker';
import { SIM_LAB } from '../../src-main/sim/sim-network';
import { tempDir } from '../service/fakes';
import { virtualClockService } from '../service/helpers/sim-service';

const WIFI = SIM_LAB.accessPoints[0]!;
const BROKER = SIM_LAB.broker;

let service: KilnService | undefined;
let dir: string | undefined;
afterEach(async () => {
  await service?.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
  service = undefined;
});

function everyFile(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = path.join(d, n);
    return statSync(p).isDirectory() ? everyFile(p) : [p];
  });
}

describe('station service: provisioning step', () => {
  it('four virtual boards: records with distinct addresses and host names, no password in any file', async () => {
    dir = tempDir('kiln-station-prov-');
    service = virtualClockService(dir);
    const image = buildImage({
      chip: 'esp8266',
      entry: 0x40100000,
      segments: [
        { address: 0x40100000, data: Buffer.concat([firmwareMarker('tasmota'), Buffer.alloc(2048)]) },
      ],
      mode: 'dout',
      freq: '40m',
      size: '1MB',
    });
    const fw = await service.call('inspectFirmware', { name: 'tasmota.bin', bytes: image });
    await service.call('stationSaveProfile', {
      profile: {
        name: 'fleet',
        images: [{ sha256: fw.sha256, offset: 0, name: 'tasmota.bin' }],
        provision: {
          wifi: [{ ssid: WIFI.ssid }],
          hostnamePattern: 'plug-%mac6%',
          mqtt: { host: BROKER.host, user: BROKER.user, topicPattern: 'plug_%mac6%' },
        },
      },
    });
    const ports = [31, 32, 33, 34].map((s) => `sim:esp8266?seed=${s}`);
    await service.call('stationStart', {
      profile: 'fleet',
      ports,
      provisionPasswords: { wifi: [WIFI.password], mqtt: BROKER.password },
    });
    const end = Date.now() + 60_000;
    let report = await service.call('stationReport', {});
    while (report.records.length < 4 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      report = await service.call('stationReport', {});
    }
    await service.call('stationStop', {});
    expect(report.records).toHaveLength(4);
    for (const r of report.records) {
      expect(r.provision).toMatchObject({
        result: 'online',
        hostname: `plug-${r.mac!.replace(/:/g, '').slice(-6)}`,
        mqtt: 'connected',
      });
    }
    expect(new Set(report.records.map((r) => r.provision?.ip)).size).toBe(4);
    for (const f of everyFile(dir)) {
      const bytes = readFileSync(f);
      expect(bytes.includes(Buffer.from(WIFI.password)), f).toBe(false);
      expect(bytes.includes(Buffer.from(BROKER.password)), f).toBe(false);
    }
  });
});
