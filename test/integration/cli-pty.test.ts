/**
 * The CLI against a simulated board on a real pty pair (socat): `kiln` → service → engine → node serialport →
 * pty → simulator, on the real clock. info, flash of fixture images, byte-equal read-back, region erase; then
 * an unplug mid-flash (socat killed) and the resumed flash that sends only what was missing.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realClock } from '../../src-main/core/clock';
import { SimulatedDevice, servePty, type PtyServer } from '../../src-main/sim/index';
import { flashArgv, runInProcess, tempDir } from '../cli/helpers/cli-run';
import { firmwarePath, readFirmware } from '../helpers/shared';
import { requireSocat } from '../serial/helpers/pty-pair';

requireSocat();

describe('kiln over a socat pty pair (ESP32 simulator)', () => {
  const device = new SimulatedDevice({ chip: 'esp32', clock: realClock });
  let pty: PtyServer;
  const dataDir = tempDir('kiln-data-');
  const boot = readFirmware('bootloader_esp32.bin');
  const parts = readFirmware('partitions_singleapp.bin');

  beforeAll(async () => {
    pty = await servePty({ device });
  });
  afterAll(async () => {
    await pty?.close();
  });

  it('info names the simulated chip and its MAC', async () => {
    const r = await runInProcess(['info', '--port', pty.hostPath, '--json'], { dataDir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.final).toMatchObject({
      ok: true,
      command: 'info',
      device: { chip: 'esp32', mac: device.mac, flashSize: 4 * 1024 * 1024 },
    });
  }, 30_000);

  it('flashes fixture images at 921600, verified, and the simulator holds exactly those bytes', async () => {
    const r = await runInProcess(
      flashArgv(
        pty.hostPath,
        `${firmwarePath('bootloader_esp32.bin')}@0x1000`,
        `${firmwarePath('partitions_singleapp.bin')}@0x8000`,
      ),
      { dataDir },
    );
    expect(r.code, r.stderr).toBe(0);
    const regions = r.final.regions as { offset: number; verified: boolean; name: string }[];
    expect(regions.map((g) => [g.offset, g.verified, g.name])).toEqual([
      [0x1000, true, 'bootloader_esp32.bin'],
      [0x8000, true, 'partitions_singleapp.bin'],
    ]);
    expect(r.final.baud).toBe(921600);
    expect(Buffer.from(device.flash.subarray(0x1000, 0x1000 + boot.length)).equals(boot)).toBe(true);
    expect(Buffer.from(device.flash.subarray(0x8000, 0x8000 + parts.length)).equals(parts)).toBe(true);
    // The JSON stream is events, then one final object.
    expect(r.lines.slice(0, -1).every((l) => typeof l.event === 'string')).toBe(true);
    expect(r.lines.some((l) => l.event === 'progress' && l.phase === 'writing')).toBe(true);
  }, 30_000);

  it('reads the bootloader back byte for byte into a file', async () => {
    const out = path.join(tempDir(), 'boot-readback.bin');
    const r = await runInProcess(
      [
        'read',
        '--port',
        pty.hostPath,
        '--baud',
        '921600',
        '--offset',
        '0x1000',
        '--size',
        String(boot.length),
        out,
        '--json',
      ],
      { dataDir },
    );
    expect(r.code, r.stderr).toBe(0);
    const back = readFileSync(out);
    expect(back.equals(boot)).toBe(true);
    expect(r.final).toMatchObject({
      ok: true,
      command: 'read',
      file: out,
      read: { offset: 0x1000, size: boot.length },
    });
  }, 30_000);

  it('erases one sector: the partition table is gone, the bootloader is untouched', async () => {
    const r = await runInProcess(['erase', '--port', pty.hostPath, '--region', '0x8000:0x1000'], { dataDir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Erased 4 KB at 0x008000');
    expect(device.flash.subarray(0x8000, 0x9000).every((b) => b === 0xff)).toBe(true);
    expect(Buffer.from(device.flash.subarray(0x1000, 0x1000 + boot.length)).equals(boot)).toBe(true);
  }, 30_000);
});

describe('unplug mid-flash over a pty, then resume', () => {
  it('DEVICE_LOST within 2 s naming the port; the next flash sends only what was missing', async () => {
    const device = new SimulatedDevice({ chip: 'esp8266', clock: realClock });
    const image = readFirmware('esp8266_deepsleep.bin');
    const dataDir = tempDir('kiln-data-');
    const args = (p: string) => flashArgv(p, firmwarePath('esp8266_deepsleep.bin'));

    let pty = await servePty({ device });
    const node = realpathSync(pty.hostPath);
    let unpluggedAt = 0;
    let unplugging: Promise<void> | undefined;
    const first = await runInProcess(args(pty.hostPath), {
      dataDir,
      onStdout(out) {
        if (unplugging) return;
        const half = out.split('\n').some((l) => {
          if (!l.includes('"progress"') || !l.includes('"writing"')) return false;
          const p = JSON.parse(l) as { bytesDone: number; bytesTotal: number };
          return p.bytesDone >= p.bytesTotal * 0.45;
        });
        if (half) {
          unpluggedAt = Date.now();
          unplugging = pty.close(); // kills socat: the pty the CLI holds goes away, like a pulled cable
        }
      },
    });
    const detectedAfterMs = Date.now() - unpluggedAt;
    await unplugging;
    expect(unpluggedAt).toBeGreaterThan(0);
    expect(first.code).toBe(6);
    expect(first.final.ok).toBe(false);
    expect(first.final.error?.code).toBe('DEVICE_LOST');
    expect(first.final.error?.message).toContain(node);
    expect(detectedAfterMs).toBeLessThan(2000);

    // Plugged in again: the same board (its flash kept what was acknowledged) on a new pty.
    pty = await servePty({ device });
    try {
      const second = await runInProcess(args(pty.hostPath), { dataDir });
      expect(second.code, second.stderr).toBe(0);
      const region = (
        second.final.regions as {
          bytesSent: number;
          blocksSkipped: number;
          blocksTotal: number;
          verified: boolean;
        }[]
      )[0]!;
      expect(region.verified).toBe(true);
      expect(region.blocksSkipped).toBeGreaterThan(0);
      expect(region.blocksSkipped).toBeLessThan(region.blocksTotal);
      // Less than sending the whole image, even compressed.
      expect(second.final.bytesSent as number).toBeLessThan(deflateSync(image).length);
      expect(Buffer.from(device.flash.subarray(0, image.length)).equals(image)).toBe(true);
    } finally {
      await pty.close();
    }
  }, 60_000);
});

describe('Ctrl-C mid-flash over a pty', () => {
  it('CANCELLED, exit 130, and the port is free again at once', async () => {
    const device = new SimulatedDevice({ chip: 'esp8266', clock: realClock });
    const pty = await servePty({ device });
    try {
      let press: ((s: 'SIGINT' | 'SIGTERM') => void) | undefined;
      let pressed = false;
      const r = await runInProcess(flashArgv(pty.hostPath, firmwarePath('esp8266_deepsleep.bin')), {
        onStart: (p) => (press = p),
        onStdout(out) {
          if (!pressed && out.includes('"phase":"writing","bytesDone"')) {
            pressed = true;
            press!('SIGINT');
          }
        },
      });
      expect(pressed).toBe(true);
      expect(r.code).toBe(130);
      expect(r.final).toMatchObject({
        ok: false,
        command: 'flash',
        error: { code: 'CANCELLED' },
        exitCode: 130,
      });
      // The CLI closed the port: the next command opens it and the board answers.
      const info = await runInProcess(['info', '--port', pty.hostPath, '--json']);
      expect(info.code, info.stdout).toBe(0);
      expect(info.final).toMatchObject({ device: { chip: 'esp8266', mac: device.mac } });
    } finally {
      await pty.close();
    }
  }, 30_000);
});
