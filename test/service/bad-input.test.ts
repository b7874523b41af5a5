/**
 * Bad input, end to end through the service (the path every host takes): each case ends in its exact error code
 * with a hint, and loses nothing — the board's flash is untouched when Kiln refuses before writing, a cut write
 * resumes on retry, and the firmware stays in the cache. The real engine, simulator, image planner and doctor
 * run behind the service; the port cases use real ptys (socat) and, for permissions, a process without privileges.
 */
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../src-main/service/contract';
import { readFirmware } from '../helpers/shared';
import { asNobody, runTsxScript } from '../helpers/json-child';
import { createPtyPair, type PtyPair } from '../serial/helpers/pty-pair';
import { pattern } from './fakes';
import { flashThrough, simService } from './helpers/sim-service';
import { kilnRejection } from '../helpers/errors';

const repoRoot = path.resolve(__dirname, '../..');

function failed(done: EventPayload<'jobDone'>, code: string): NonNullable<EventPayload<'jobDone'>['error']> {
  expect(done.ok, JSON.stringify(done.error)).toBe(false);
  expect(done.error?.code).toBe(code);
  expect(done.error?.hint).toBeTruthy();
  return done.error!;
}

function blank(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0xff);
}

describe('bad firmware files', () => {
  it('a truncated image is IMAGE_INVALID naming the file, and is not cached', async () => {
    const { service } = simService();
    try {
      const whole = readFirmware('bootloader_esp32.bin');
      const cut = whole.subarray(0, 3000);
      const e = await kilnRejection(service.call('inspectFirmware', { name: 'cut.bin', bytes: cut }));
      expect(e.code).toBe('IMAGE_INVALID');
      expect(e.details).toMatchObject({ file: 'cut.bin', segment: 3 });
      expect(e.hint).toBeTruthy();
      const cutSha = createHash('sha256').update(cut).digest('hex');
      expect((await kilnRejection(service.call('getFirmware', { sha256: cutSha }))).code).toBe('NOT_FOUND');
      // The fixture whose header is cut off inside the extended header.
      const header = readFirmware('esp32s3_header.bin');
      expect(
        (await kilnRejection(service.call('inspectFirmware', { name: 'esp32s3_header.bin', bytes: header })))
          .code,
      ).toBe('IMAGE_INVALID');
      // The intact file still goes in and comes back byte-equal.
      const ok = await service.call('inspectFirmware', { name: 'whole.bin', bytes: whole });
      expect(
        Buffer.from((await service.call('getFirmware', { sha256: ok.sha256 })).bytes).equals(whole),
      ).toBe(true);
    } finally {
      await service.shutdown();
    }
  });

  it('ESP32 firmware on an ESP8266 is CHIP_MISMATCH before a byte is written; the port is free afterwards', async () => {
    const { service } = simService();
    try {
      const done = await flashThrough(service, 'sim:esp8266', [
        { bytes: readFirmware('bootloader_esp32.bin'), name: 'bootloader_esp32.bin' },
      ]);
      const error = failed(done, 'CHIP_MISMATCH');
      expect(error.message).toContain('bootloader_esp32.bin');
      expect(blank(service.virtualDevice('sim:esp8266').readFlash(0, 0x10000))).toBe(true);
      // The refusal left nothing locked: the right firmware flashes at once.
      const image = readFirmware('esp8266_deepsleep.bin');
      const next = await flashThrough(service, 'sim:esp8266', [
        { bytes: image, name: 'esp8266_deepsleep.bin' },
      ]);
      expect(next.ok, JSON.stringify(next.error)).toBe(true);
      expect(Buffer.from(service.virtualDevice('sim:esp8266').readFlash(0, image.length)).equals(image)).toBe(
        true,
      );
    } finally {
      await service.shutdown();
    }
  });

  it('an image that runs past the end of the flash is IMAGE_TOO_LARGE with the sizes; nothing is written', async () => {
    const { service } = simService();
    const port = 'sim:esp8266?flash=1MB';
    try {
      const done = await flashThrough(service, port, [
        { bytes: pattern(0x2000, 5), name: 'data.bin', offset: 0xff000 },
      ]);
      const error = failed(done, 'IMAGE_TOO_LARGE');
      expect(error.details).toMatchObject({ file: 'data.bin', end: 0x101000, flashSize: 0x100000 });
      expect(blank(service.virtualDevice(port).readFlash(0xf0000, 0x10000))).toBe(true);
    } finally {
      await service.shutdown();
    }
  });
});

describe('the line and the board', () => {
  it('unplugged mid-write is DEVICE_LOST naming the port; retries resume from what was written and verify', async () => {
    const { service } = simService();
    // Each connection is cut after 150 000 bytes from the host: about two 64 KB blocks of incompressible data.
    const port = 'sim:esp8266?fault=unplug:150000';
    const image = pattern(0x60000, 3);
    try {
      const first = failed(
        await flashThrough(service, port, [{ bytes: image, name: 'a.bin', offset: 0x10000 }]),
        'DEVICE_LOST',
      );
      expect(first.message).toContain(port);
      const device = service.virtualDevice(port);
      const blocksDone = () =>
        Array.from({ length: 6 }, (_, b) =>
          Buffer.from(device.readFlash(0x10000 + b * 0x10000, 0x10000)).equals(
            image.subarray(b * 0x10000, (b + 1) * 0x10000),
          ),
        ).filter(Boolean).length;
      const afterFirst = blocksDone();
      expect(afterFirst).toBeGreaterThan(0);
      expect(afterFirst).toBeLessThan(6);

      let done = await flashThrough(service, port, [{ bytes: image, name: 'a.bin', offset: 0x10000 }]);
      for (let attempt = 0; !done.ok && attempt < 3; attempt++) {
        failed(done, 'DEVICE_LOST');
        done = await flashThrough(service, port, [{ bytes: image, name: 'a.bin', offset: 0x10000 }]);
      }
      expect(done.ok, JSON.stringify(done.error)).toBe(true);
      if (done.result?.kind !== 'flash') throw new Error('expected a flash result');
      const region = done.result.regions[0]!;
      expect(region.verified).toBe(true);
      // The last run skipped what earlier runs had completed instead of starting over.
      expect(region.blocksSkipped).toBeGreaterThanOrEqual(afterFirst);
      expect(region.bytesSent).toBeLessThan(image.length);
      expect(Buffer.from(device.readFlash(0x10000, image.length)).equals(image)).toBe(true);
    } finally {
      await service.shutdown();
    }
  });

  it('garbage on the line (seeded bit errors) is a link error with the lower-baud hint, never a success or a false cause', async () => {
    const { service } = simService();
    try {
      const port = 'sim:esp8266?fault=noise:0.02&seed=3';
      const done = await flashThrough(service, port, [
        { bytes: pattern(0x20000, 4), name: 'a.bin', offset: 0x10000 },
      ]);
      // A damaged reply is a bad frame (PROTOCOL_ERROR) or a lost one (TIMEOUT): which, depends on where the seeded
      // errors land, i.e. on every byte sent before them.
      const error = failed(done, done.error?.code === 'TIMEOUT' ? 'TIMEOUT' : 'PROTOCOL_ERROR');
      expect(error.hint).toMatch(/lower baud/);
      // The job fell back to the next lower baud once and says what the first attempt hit.
      expect(error.details?.firstAttempt).toMatchObject({ baud: 460800 });
      expect(blank(service.virtualDevice(port).readFlash(0x10000, 0x20000))).toBe(true);

      // Loud enough that nothing is readable at any baud: the doctor says noise or voltage. At 0.3 the 74880
      // listen hears the ROM banner mangled but with "rst cause:2" intact: still ROM text, not a running app.
      for (const rate of [0.5, 0.3]) {
        // At 115200 the connect is the ROM handshake alone (no first SYNC at the data baud): the capture the
        // doctor reads is the same 7 attempts and boot listens as ever, whatever the seed's errors hit.
        const loud = await flashThrough(
          service,
          `sim:esp8266?fault=noise:${rate}&seed=1`,
          [{ bytes: pattern(0x1000, 4), name: 'a.bin', offset: 0x10000 }],
          { baud: 115200 },
        );
        failed(loud, 'SYNC_FAILED');
        expect(loud.diagnosis?.code, `noise ${rate}`).toBe('GARBLED_NOISE_OR_VOLTAGE');
      }

      // Across rates and seeds: a corrupted reply is never read as a chip that lacks a command or is unknown.
      const linkErrors = [
        'SYNC_FAILED',
        'TIMEOUT',
        'PROTOCOL_ERROR',
        'STUB_FAILED',
        'VERIFY_FAILED',
        'FLASH_WRITE_FAILED',
      ];
      for (const rate of [0.3, 0.02, 0.001]) {
        for (const seed of [1, 2, 4]) {
          const url = `sim:esp32?fault=noise:${rate}&seed=${seed}`;
          const done = await flashThrough(service, url, [
            { bytes: pattern(0x20000, 4), name: 'a.bin', offset: 0x10000 },
          ]);
          expect(done.ok, url).toBe(false);
          expect(linkErrors, `${url}: ${JSON.stringify(done.error)}`).toContain(done.error?.code);
        }
      }
    } finally {
      await service.shutdown();
    }
  });
});

describe('real ports that cannot be opened', () => {
  let pairs: PtyPair[] = [];
  let children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) =>
        c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined,
      ),
    );
    for (const p of pairs) await p.cleanup();
    pairs = [];
    children = [];
  });

  /** A pty pair and the real node of its end A (/dev/pts/N): hosts only accept device paths under /dev. */
  async function pty(aOptions = ''): Promise<PtyPair & { node: string }> {
    const p = await createPtyPair(aOptions);
    pairs.push(p);
    return { ...p, node: await fsp.realpath(p.a) };
  }

  async function runScript(
    prefix: string[],
    script: string,
    args: string[],
  ): Promise<{ child: ChildProcess; result: unknown }> {
    const { child, result } = runTsxScript(prefix, script, args, repoRoot);
    children.push(child);
    return { child, result: await result };
  }

  it('a port held by another program is PORT_BUSY, naming that program with its PID', async () => {
    const p = await pty();
    const { child, result } = await runScript(
      [],
      path.join(repoRoot, 'test/serial/helpers/open-port-child.ts'),
      [p.node, 'hold'],
    );
    expect(result).toEqual({ ok: true });
    const { service } = simService({ ports: [{ path: p.node, defaultBaud: 115200 }] });
    try {
      const error = failed(
        await flashThrough(service, p.node, [{ bytes: pattern(0x1000, 1), name: 'a.bin', offset: 0x10000 }]),
        'PORT_BUSY',
      );
      expect(error.details?.port).toBe(p.node);
      // socat, which made the pty, holds it too; the program that locked it is named with its PID.
      expect(error.details?.holders).toContainEqual(expect.stringContaining(`(pid ${child.pid})`));
      expect(error.hint).toContain(`pid ${child.pid}`);
    } finally {
      await service.shutdown();
    }
  });

  it('a root:dialout 0660 port, flashed by a user outside dialout, is PORT_PERMISSION_DENIED naming the group', async () => {
    const p = await pty(',group=dialout,mode=660');
    const { result } = await runScript(asNobody(), path.join(__dirname, 'helpers/flash-child.ts'), [p.node]);
    const done = result as EventPayload<'jobDone'>;
    const error = failed(done, 'PORT_PERMISSION_DENIED');
    expect(error.details).toMatchObject({ port: p.node, group: 'dialout', mode: '0660' });
    expect(error.hint).toContain('usermod -aG dialout');
  });
});
