/**
 * `kiln provision` against virtual Tasmota and Improv boards: as a person runs it (a child process, real clock) and
 * in process (virtual clock) for the failures. Passwords come from a chmod-600 file or the environment, never
 * argv; afterwards every byte the CLI printed and every file in its data folder is searched for them.
 */
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIM_LAB } from '../../src-main/sim/sim-network';
import { runInProcess, spawnKiln, tempDir, virtualCliService } from './helpers/cli-run';

const WIFI = SIM_LAB.accessPoints[0]!;
const BROKER = SIM_LAB.broker;

function credsFile(dir: string, wifiPassword = WIFI.password, mode = 0o600): string {
  const file = path.join(dir, 'creds.json');
  writeFileSync(
    file,
    JSON.stringify({
      wifi: [{ ssid: WIFI.ssid, password: wifiPassword }],
      mqtt: {
        host: BROKER.host,
        port: BROKER.port,
        user: BROKER.user,
        password: BROKER.password,
        topic: 'plug1',
      },
      hostname: 'plug1',
    }),
  );
  chmodSync(file, mode);
  return file;
}

function everyFile(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? everyFile(p) : [p];
  });
}

function expectNoSecrets(texts: string[], dataDir: string, secrets: string[]) {
  const files = everyFile(dataDir);
  for (const s of secrets) {
    for (const t of texts) expect(t).not.toContain(s);
    for (const f of files) expect(readFileSync(f).includes(Buffer.from(s)), f).toBe(false);
  }
}

describe('kiln provision (child process, real clock)', () => {
  it('Tasmota: exit 0, the address, host name and MQTT state in --json', async () => {
    const dir = tempDir();
    const dataDir = tempDir('kiln-data-');
    const run = spawnKiln(
      ['provision', '--port', 'sim:esp8266?app=tasmota', '--wifi-file', credsFile(dir), '--json'],
      {
        dataDir,
      },
    );
    const out = await run.done;
    expect(out.code, out.stderr).toBe(0);
    expect(out.final).toMatchObject({
      ok: true,
      command: 'provision',
      result: { firmware: 'tasmota', hostname: 'plug1', mqtt: 'connected' },
    });
    const result = out.final.result as { ip: string; heard: string[] };
    expect(result.ip).toMatch(/^192\.168\.77\.\d+$/);
    expect(result.heard.join('\n')).toContain('Password1 [secret]');
    expectNoSecrets([out.stdout, out.stderr], dataDir, [WIFI.password, BROKER.password]);
  });

  it('Improv: exit 0 with the address from the redirect URL; the password from the environment', async () => {
    const dataDir = tempDir('kiln-data-');
    const run = spawnKiln(['provision', '--port', 'sim:esp32?app=improv', '--ssid', WIFI.ssid, '--json'], {
      dataDir,
      env: { KILN_WIFI_PASSWORD: WIFI.password },
    });
    const out = await run.done;
    expect(out.code, out.stderr).toBe(0);
    expect(out.final).toMatchObject({ ok: true, result: { firmware: 'improv', mqtt: 'not-configured' } });
    const result = out.final.result as { ip: string; url: string };
    expect(result.url).toBe(`http://${result.ip}`);
    expectNoSecrets([out.stdout, out.stderr], dataDir, [WIFI.password]);
  });
});

describe('kiln provision (in process)', () => {
  it('a wrong password: exit 11, the firmware’s failure line, and the password nowhere', async () => {
    const dir = tempDir();
    const dataDir = tempDir('kiln-data-');
    const out = await runInProcess(
      [
        'provision',
        '--port',
        'sim:esp8266?app=tasmota',
        '--wifi-file',
        credsFile(dir, 'not-the-password'),
        '--json',
      ],
      { dataDir, createService: virtualCliService },
    );
    expect(out.code).toBe(11);
    expect(out.final).toMatchObject({
      ok: false,
      error: { code: 'WIFI_JOIN_FAILED', message: 'Tasmota: Connect failed with AP incorrect password.' },
    });
    expectNoSecrets([out.stdout, out.stderr], dataDir, ['not-the-password', BROKER.password]);
  });

  it('refuses a credentials file others can read, without reading it', async () => {
    const dir = tempDir();
    const out = await runInProcess(
      ['provision', '--port', 'sim:esp8266?app=tasmota', '--wifi-file', credsFile(dir, WIFI.password, 0o644)],
      { createService: virtualCliService },
    );
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/can be read by other users/);
    expect(out.stderr).toMatch(/chmod 600/);
  });

  it('a board running neither: exit 11 with what was heard', async () => {
    const dir = tempDir();
    const out = await runInProcess(
      ['provision', '--port', 'sim:esp32', '--wifi-file', credsFile(dir), '--json'],
      {
        createService: virtualCliService,
      },
    );
    expect(out.code).toBe(11);
    expect(out.final).toMatchObject({ ok: false, error: { code: 'FIRMWARE_NOT_DETECTED' } });
  });

  it('no password anywhere and no terminal: a clear usage error', async () => {
    const out = await runInProcess(['provision', '--port', 'sim:esp8266?app=tasmota', '--ssid', 'x'], {
      createService: virtualCliService,
    });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/no terminal to ask on/);
  });
});
