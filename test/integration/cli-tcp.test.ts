/**
 * `kiln sim --tcp` as a child process, and the CLI talking to it over socket:// — the path any
 * serial-over-TCP client (esptool, ser2net users) would take. The simulator saves its flash on exit, so the
 * test compares what the board holds, not only what the CLI says.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flashArgv, runInProcess, spawnKiln, tempDir, type KilnChild } from '../cli/helpers/cli-run';
import { firmwarePath, readFirmware } from '../helpers/shared';

describe('kiln sim --tcp (child process) ↔ kiln over socket://', () => {
  const work = tempDir('kiln-tcp-');
  const saved = path.join(work, 'sim-flash.bin');
  const dataDir = tempDir('kiln-data-');
  const boot = readFirmware('bootloader_esp32.bin');
  const parts = readFirmware('partitions_singleapp.bin');
  let sim: KilnChild;
  let endpoint = '';

  beforeAll(async () => {
    sim = spawnKiln(['sim', '--chip', 'esp32', '--tcp', '127.0.0.1:0', '--save-flash', saved, '--json']);
    const line = await sim.waitForLine((l) => l.includes('"listening"'));
    endpoint = (JSON.parse(line) as { endpoint: string }).endpoint;
  }, 30_000);
  afterAll(async () => {
    if (sim.child.exitCode === null) sim.child.kill('SIGKILL');
  });

  it('prints a socket:// endpoint with the port it bound', () => {
    expect(endpoint).toMatch(/^socket:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoint).not.toMatch(/:0$/);
  });

  it('info, flash, read-back and erase over TCP; the simulator\u2019s own flash matches', async () => {
    const info = await runInProcess(['info', '--port', endpoint, '--json'], { dataDir });
    expect(info.code, info.stderr).toBe(0);
    expect(info.final).toMatchObject({ device: { chip: 'esp32' } });

    const flash = await runInProcess(
      flashArgv(
        endpoint,
        `${firmwarePath('bootloader_esp32.bin')}@0x1000`,
        `${firmwarePath('partitions_singleapp.bin')}@0x8000`,
      ),
      { dataDir },
    );
    expect(flash.code, flash.stderr).toBe(0);
    expect((flash.final.regions as { verified: boolean }[]).every((g) => g.verified)).toBe(true);

    const out = path.join(work, 'parts-readback.bin');
    const read = await runInProcess(
      ['read', '--port', endpoint, '--baud', '921600', '--offset', '0x8000', '--size', '0x1000', out],
      { dataDir },
    );
    expect(read.code, read.stderr).toBe(0);
    const back = readFileSync(out);
    expect(back.subarray(0, parts.length).equals(parts)).toBe(true);
    expect(back.subarray(parts.length).every((b) => b === 0xff)).toBe(true);

    const erase = await runInProcess(['erase', '--port', endpoint, '--region', '0x8000:0x1000', '--json'], {
      dataDir,
    });
    expect(erase.code, erase.stderr).toBe(0);
    expect(erase.final).toMatchObject({
      ok: true,
      command: 'erase',
      region: { offset: 0x8000, size: 0x1000 },
    });

    // Stop the simulator (as Ctrl-C would) and look at the flash it kept.
    sim.child.kill('SIGINT');
    const end = await sim.done;
    expect(end.code, end.stderr).toBe(0);
    expect(end.final).toMatchObject({ ok: true, command: 'sim', savedFlash: saved });
    const flashImage = readFileSync(saved);
    expect(flashImage.length).toBe(4 * 1024 * 1024);
    expect(flashImage.subarray(0x1000, 0x1000 + boot.length).equals(boot)).toBe(true);
    expect(flashImage.subarray(0x8000, 0x9000).every((b) => b === 0xff)).toBe(true);
  }, 60_000);
});
