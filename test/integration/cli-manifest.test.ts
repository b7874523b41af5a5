/**
 * An ESP Web Tools manifest with builds for ESP8266 and ESP32: `kiln flash --port P manifest.json` detects the
 * chip, picks its build, reads the parts next to the manifest and puts each at its offset — checked in the
 * simulated boards' flash, including that the other build's parts went nowhere.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { realClock } from '../../src-main/core/clock';
import { buildImage } from '../../src-main/esp/image';
import {
  SimulatedDevice,
  servePty,
  serveTcp,
  type PtyServer,
  type TcpServer,
} from '../../src-main/sim/index';
import { flashArgv, runInProcess, tempDir } from '../cli/helpers/cli-run';
import { noiseBytes } from '../helpers/sim-bench';
import { requireSocat } from '../serial/helpers/pty-pair';
import { esp8266App } from '../helpers/images';

requireSocat();

const dir = tempDir('kiln-manifest-');
mkdirSync(path.join(dir, 'esp8266'));
mkdirSync(path.join(dir, 'esp32'));
const app8266 = esp8266App(6000, 1);
// Laid out like an ESP-IDF bootloader: DRAM data plus IRAM code (0x4007/0x4008 exist only on the ESP32).
const boot32 = buildImage({
  chip: 'esp32',
  entry: 0x40080400,
  segments: [
    { address: 0x3fff0030, data: noiseBytes(2000, 2) },
    { address: 0x40078000, data: noiseBytes(1500, 4) },
    { address: 0x40080400, data: noiseBytes(800, 5) },
  ],
  mode: 'dio',
  freq: '40m',
  size: '4MB',
});
const app32 = buildImage({
  chip: 'esp32',
  entry: 0x400d0018,
  segments: [
    { address: 0x3f400020, data: noiseBytes(9000, 3) },
    { address: 0x400d0018, data: noiseBytes(4000, 6) },
  ],
  mode: 'dio',
  freq: '40m',
  size: '4MB',
});
writeFileSync(path.join(dir, 'esp8266', 'app.bin'), app8266);
writeFileSync(path.join(dir, 'esp32', 'bootloader.bin'), boot32);
writeFileSync(path.join(dir, 'esp32', 'app.bin'), app32);
const manifest = path.join(dir, 'manifest.json');
writeFileSync(
  manifest,
  JSON.stringify({
    name: 'Kiln test firmware',
    version: '1.2.3',
    builds: [
      {
        chipFamily: 'ESP32',
        parts: [
          { path: 'esp32/bootloader.bin', offset: 0x1000 },
          { path: 'esp32/app.bin', offset: 0x10000 },
        ],
      },
      { chipFamily: 'ESP8266', parts: [{ path: 'esp8266/app.bin', offset: 0 }] },
    ],
  }),
);

const at = (flash: Buffer, offset: number, len: number) => Buffer.from(flash.subarray(offset, offset + len));
const erased = (flash: Buffer, offset: number, len: number) =>
  flash.subarray(offset, offset + len).every((b) => b === 0xff);

describe('kiln flash manifest.json', () => {
  const servers: (PtyServer | TcpServer)[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('an ESP8266 gets the ESP8266 build at 0x0 (over a pty)', async () => {
    const device = new SimulatedDevice({ chip: 'esp8266', clock: realClock });
    const pty = await servePty({ device });
    servers.push(pty);
    const r = await runInProcess(flashArgv(pty.hostPath, manifest));
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines.find((l) => l.event === 'manifest')).toMatchObject({
      name: 'Kiln test firmware',
      families: ['ESP32', 'ESP8266'],
    });
    expect((r.final.regions as { offset: number; name: string }[]).map((g) => [g.offset, g.name])).toEqual([
      [0, 'app.bin'],
    ]);
    expect(at(device.flash, 0, app8266.length).equals(app8266)).toBe(true);
    expect(erased(device.flash, 0x2000, 0x1000)).toBe(true);
    expect(erased(device.flash, 0x10000, app32.length)).toBe(true);
  }, 30_000);

  it('an ESP32 gets the ESP32 build: bootloader at 0x1000, app at 0x10000 (over TCP)', async () => {
    const device = new SimulatedDevice({ chip: 'esp32', clock: realClock });
    const tcp = await serveTcp({ device, host: '127.0.0.1', port: 0 });
    servers.push(tcp);
    const r = await runInProcess(flashArgv(`socket://127.0.0.1:${tcp.port}`, manifest));
    expect(r.code, r.stdout).toBe(0);
    expect(
      (r.final.regions as { offset: number; verified: boolean }[]).map((g) => [g.offset, g.verified]),
    ).toEqual([
      [0x1000, true],
      [0x10000, true],
    ]);
    expect(at(device.flash, 0x1000, boot32.length).equals(boot32)).toBe(true);
    expect(at(device.flash, 0x10000, app32.length).equals(app32)).toBe(true);
    expect(erased(device.flash, 0, 0x1000)).toBe(true);
  }, 30_000);

  it('a chip the manifest has no build for: MANIFEST_NO_BUILD, the firmware exit code, nothing written', async () => {
    const device = new SimulatedDevice({ chip: 'esp32c3', clock: realClock });
    const tcp = await serveTcp({ device, host: '127.0.0.1', port: 0 });
    servers.push(tcp);
    const r = await runInProcess(['flash', '--port', `socket://127.0.0.1:${tcp.port}`, '--json', manifest]);
    expect(r.code).toBe(10);
    expect(r.final.error?.code).toBe('MANIFEST_NO_BUILD');
    expect(r.final.error?.message).toContain('ESP32, ESP8266');
    expect(erased(device.flash, 0, 0x20000)).toBe(true);
  }, 30_000);
});
