/**
 * mqtts:// against Debian's mosquitto with a server certificate from a throw-away CA: a station (`kiln batch
 * --broker-ca`) publishes over TLS; `kiln fleet --broker-ca` and the Fleet tab's fleetWatch (the CA's PEM text, as
 * the screen reads the picked file) both read it back; without the CA the certificate is not trusted and the watch
 * ends at once with BROKER_UNREACHABLE naming the certificate, not a retry loop.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger } from '../../src-main/service/deps';
import { createService, type KilnService } from '../../src-main/service/service';
import { spawnKiln, tempDir } from '../cli/helpers/cli-run';
import { sha256, smallImage } from '../station/virtual-bench';
import { Mosquitto } from './helpers/mosquitto';

let broker: Mosquitto;
let dir: string;
let watcher: KilnService;

beforeAll(async () => {
  broker = new Mosquitto({ tls: true });
  await broker.start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-fleet-tls-'));
  const fw = smallImage(61);
  writeFileSync(path.join(dir, 'fw.bin'), fw);
  writeFileSync(
    path.join(dir, 'line.json'),
    JSON.stringify({
      name: 'tls line',
      baud: 921600,
      images: [{ sha256: sha256(fw), offset: 0, name: 'fw.bin' }],
    }),
  );
  watcher = createService(defaultDeps({ logger: silentLogger }), {
    host: 'web',
    appName: 'Kiln',
    appVersion: 'test',
    dataDir: dir,
    logDir: dir,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await watcher?.shutdown();
  await broker?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const login = () => ['--fleet', 'tls', '--broker-user', broker.user, '--broker-ca', broker.caFile];

describe('fleet over mqtts:// with a private CA (real mosquitto)', { timeout: 90_000 }, () => {
  it('a station publishes over TLS; kiln fleet and the Fleet tab read it with the CA', async () => {
    const run = spawnKiln(
      [
        'batch',
        '--profile',
        path.join(dir, 'line.json'),
        '--ports',
        'sim:esp8266?seed=1,sim:esp8266?seed=2',
        '--report',
        path.join(dir, 'bench-t.jsonl'),
        '--station',
        'bench-t',
        '--broker',
        broker.url,
        ...login(),
      ],
      { dataDir: tempDir('kiln-fleet-tls-data-'), env: { KILN_BROKER_PASSWORD: broker.password } },
    );
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).not.toMatch(/BROKER_/);

    const cli = await spawnKiln(['fleet', '--broker', broker.url, ...login(), '--json'], {
      env: { KILN_BROKER_PASSWORD: broker.password },
    }).done;
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.final).toMatchObject({ ok: true, totals: { stations: 1, verified: 2 } });

    const watched = await watcher.call('fleetWatch', {
      broker: broker.url,
      fleet: 'tls',
      user: broker.user,
      password: broker.password,
      ca: broker.caPem,
    });
    expect(watched).toMatchObject({
      connection: 'online',
      view: { totals: { stations: 1, verified: 2 }, stations: [{ station: 'bench-t', verified: 2 }] },
    });
    await watcher.call('fleetUnwatch', {});
  });

  it('without the CA the broker certificate is not trusted: BROKER_UNREACHABLE at once, naming the certificate', async () => {
    const err = (await watcher
      .call('fleetWatch', { broker: broker.url, fleet: 'tls', user: broker.user, password: broker.password })
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as { code: string; message: string; hint: string };
    expect(err).toMatchObject({ code: 'BROKER_UNREACHABLE' });
    expect(err.message).toMatch(
      /^The MQTT broker mqtts:\/\/127\.0\.0\.1:\d+ cannot be reached: .*certificate/,
    );
    expect(err.hint).toMatch(/^The broker's certificate is not trusted: .*CA's certificate file/);
    expect(await watcher.call('fleetStatus', {})).toEqual({ watching: false });
  });
});
