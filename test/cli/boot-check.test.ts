/**
 * `kiln flash` and the post-flash boot check, in-process against the real service (engine + simulator) on a
 * VirtualClock: the verdict after "Flashed and verified", the warning block with the DOUT suggestion, the boot
 * object in `--json`, and `--no-boot-check`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildImage } from '../../src-main/esp/image';
import { simUrlFor } from '../../src-main/hosts/cli/commands/sim';
import { parseSimUrl } from '../../src-main/sim';
import { runInProcess, virtualCliService } from './helpers/cli-run';
import { fakeService } from './helpers/fake-service';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An ESP8266 image whose header asks for QIO. */
function qioImage(): string {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-cli-boot-'));
  const data = Buffer.alloc(3000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
  const file = path.join(dir, 'qio.bin');
  writeFileSync(
    file,
    buildImage({
      chip: 'esp8266',
      entry: 0x40100004,
      segments: [{ address: 0x40100000, data }],
      mode: 'qio',
      freq: '40m',
      size: '4MB',
    }),
  );
  return file;
}

describe('kiln sim --flash-wiring', () => {
  it('becomes wiring= in the sim URL, which the simulator accepts', () => {
    const url = simUrlFor({ chip: 'esp8266', fault: [], flashSize: '1MB', flashWiring: 'dout' });
    expect(url).toBe('sim:esp8266?flash=1MB&wiring=dout');
    expect(parseSimUrl(url).flashWiring).toBe('dout');
  });
});

describe('kiln flash: boot check', () => {
  it('QIO image on a DOUT-only board: exit 0 (verified), then a boot-loop warning that says --flash-mode dout', async () => {
    const file = qioImage();
    const r = await runInProcess(['flash', '--port', 'sim:esp8266?wiring=dout', file], {
      createService: virtualCliService,
    });
    expect(r.code).toBe(0);
    const verified = r.stdout.indexOf('Flashed and verified');
    const warning = r.stdout.indexOf('Warning: boot check: boot loop.');
    expect(verified).toBeGreaterThanOrEqual(0);
    expect(warning).toBeGreaterThan(verified);
    expect(r.stdout).toContain('heard: "csum err" at 74880 baud');
    expect(r.stdout).toMatch(/next: Flash again with flash mode DOUT/);
    expect(r.stdout).toContain('To try it: run the same command with --flash-mode dout.');
  });

  it('--flash-mode dout on the same board: "Boot check: booted."; --json carries the boot object', async () => {
    const file = qioImage();
    const r = await runInProcess(
      ['flash', '--port', 'sim:esp8266?wiring=dout', '--flash-mode', 'dout', '--json', file],
      { createService: virtualCliService },
    );
    expect(r.code).toBe(0);
    expect(r.final.ok).toBe(true);
    const boot = r.final.boot as { verdict: string; baud: number; evidence: string[] };
    expect(boot.verdict).toBe('booted');
    expect(boot.baud).toBe(74880);
    expect(boot.evidence.some((e) => e.includes('boot mode:(3,6)'))).toBe(true);

    const plain = await runInProcess(
      ['flash', '--port', 'sim:esp8266?wiring=dout', '--flash-mode', 'dout', file],
      { createService: virtualCliService },
    );
    expect(plain.stdout).toMatch(/\nBoot check: booted\. /);
  });

  it('--no-boot-check sends bootCheck: false; no flag leaves the service default', async () => {
    const file = qioImage();
    const result = {
      kind: 'flash' as const,
      device: {
        chip: 'esp8266' as const,
        description: 'ESP8266EX',
        revision: 'n/a',
        features: [],
        mac: '18:fe:34:00:00:01',
        crystalMHz: 26,
        flashId: 1,
        flashSize: 4194304,
        stub: true,
        baud: 460800,
      },
      regions: [],
      bytesSent: 0,
      durationMs: 1,
      baud: 460800,
    };
    const calls: { method: string; input: unknown }[] = [];
    await runInProcess(['flash', '--port', 'sim:esp8266', '--no-boot-check', file], {
      createService: fakeService({ result }, calls),
    });
    await runInProcess(['flash', '--port', 'sim:esp8266', file], {
      createService: fakeService({ result }, calls),
    });
    const starts = calls
      .filter((c) => c.method === 'startFlash')
      .map((c) => (c.input as { options: Record<string, unknown> }).options);
    expect(starts).toHaveLength(2);
    expect(starts[0]!.bootCheck).toBe(false);
    expect('bootCheck' in starts[1]!).toBe(false);
  });
});
