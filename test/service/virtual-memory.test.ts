/**
 * Virtual boards cannot exhaust the server's memory (issue 15, finding 3). The review's attack: six `sim:` URLs,
 * each asking for a 256 MB flash, took the server from 94 MB to 1.6 GB. Now a board's flash is allocated in
 * 4 KB pages as they are written, live boards and their total flash are capped (idle boards are released to
 * make room, least recently used first), and a call that fails creates nothing.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FlashMemory, SECTOR } from '../../src-main/sim/flash-memory';
import type { PortEntry } from '../../src-main/service/contract';
import { MAX_LIVE_VIRTUAL_BOARDS, MAX_VIRTUAL_FLASH_BYTES } from '../../src-main/service/virtual-devices';
import { kilnRejection } from '../helpers/errors';
import { simService } from './helpers/sim-service';
import type { KilnService } from '../../src-main/service/service';

const MB = 1024 * 1024;
const services: KilnService[] = [];
afterEach(async () => {
  while (services.length) await services.pop()!.shutdown();
});
function service(): KilnService {
  const s = simService().service;
  services.push(s);
  return s;
}

async function virtualPorts(s: KilnService): Promise<string[]> {
  await s.call('setSettings', { showVirtualDevices: true });
  const { ports } = (await s.invoke('listPorts', {})) as { ports: PortEntry[] };
  return ports.filter((p) => p.group === 'virtual').map((p) => p.path);
}

describe('the attack: six 256 MB virtual boards', () => {
  it('identifying six sim:esp32?flash=256MB boards grows the heap by megabytes, not gigabytes', async () => {
    const s = service();
    global.gc?.();
    const before = process.memoryUsage().arrayBuffers;
    for (let seed = 1; seed <= 6; seed++) {
      const info = (await s.invoke('identify', { port: `sim:esp32?flash=256MB&seed=${seed}` })) as {
        flashSize?: number;
      };
      expect(info).toBeDefined();
    }
    const grown = process.memoryUsage().arrayBuffers - before;
    console.log(`six 256 MB virtual boards identified: array buffers grew ${(grown / MB).toFixed(1)} MB`);
    expect(grown).toBeLessThan(64 * MB);
    // The caps hold: never more declared flash alive than the limit.
    const live = (await virtualPorts(s)).filter((p) => p.includes('flash=256MB'));
    expect(live.length * 256 * MB).toBeLessThanOrEqual(MAX_VIRTUAL_FLASH_BYTES);
  });
});

describe('caps and release', () => {
  it('more boards than the cap: the idle ones used longest ago are released, the count stays bounded', async () => {
    const s = service();
    for (let seed = 1; seed <= MAX_LIVE_VIRTUAL_BOARDS + 4; seed++)
      await s.invoke('identify', { port: `sim:esp8266?seed=${seed}` });
    // The three plain boards are always offered; the others are listed only while they live.
    const live = (await virtualPorts(s)).filter((p) => p.includes('?'));
    expect(live.length).toBeLessThanOrEqual(MAX_LIVE_VIRTUAL_BOARDS);
    // The most recent one is still there; the first one went.
    expect(live).toContain(`sim:esp8266?seed=${MAX_LIVE_VIRTUAL_BOARDS + 4}`);
    expect(live).not.toContain('sim:esp8266?seed=1');
  });

  it('a failing call creates nothing: stationPlugVirtual with no station running', async () => {
    const s = service();
    const e = await kilnRejection(s.invoke('stationPlugVirtual', { url: 'sim:esp32?seed=99' }));
    expect(e.code).toBeDefined();
    expect(await virtualPorts(s)).not.toContain('sim:esp32?seed=99');
  });
});

describe('sparse flash', () => {
  it('a 256 MB flash costs nothing until written; erased pages are released', () => {
    const f = new FlashMemory(256 * MB);
    expect(f.allocatedBytes).toBe(0);
    expect(f.read(128 * MB, 16).every((b) => b === 0xff)).toBe(true);
    f.program(0x10000 + 10, Buffer.from('hello'));
    expect(f.allocatedBytes).toBe(SECTOR);
    expect(f.read(0x10000 + 8, 9).toString('latin1')).toBe('\xff\xffhello\xff\xff');
    // NOR semantics hold across a page boundary: programming only clears bits.
    f.program(0x10ffe, Buffer.from([0x0f, 0xf0, 0x33]));
    f.program(0x10ffe, Buffer.from([0xf1, 0x1f, 0xff]));
    expect([...f.read(0x10ffe, 3)]).toEqual([0x01, 0x10, 0x33]);
    expect(f.allocatedBytes).toBe(2 * SECTOR);
    f.eraseRange(0x10000, 0x2000);
    expect(f.allocatedBytes).toBe(0);
    expect(f.isBlank(0, 256 * MB)).toBe(true);
  });

  it('MD5 and reads equal those of the same bytes held densely', () => {
    const f = new FlashMemory(4 * MB);
    const dense = Buffer.alloc(4 * MB, 0xff);
    const bytes = createHash('sha256').update('x').digest();
    for (const at of [0, 0xfff0, 0x200000 - 3]) {
      f.program(at, bytes);
      for (let i = 0; i < bytes.length; i++) dense[at + i]! &= bytes[i]!;
    }
    expect(f.md5(0, 4 * MB).equals(createHash('md5').update(dense).digest())).toBe(true);
    expect(f.read(0x1fff00, 0x200).equals(dense.subarray(0x1fff00, 0x200100))).toBe(true);
    expect(f.readUInt32LE(0xfff0)).toBe(dense.readUInt32LE(0xfff0));
    // The whole-flash view (tests, `kiln sim --save-flash`) is the same bytes.
    expect(f.data.equals(dense)).toBe(true);
  });
});
