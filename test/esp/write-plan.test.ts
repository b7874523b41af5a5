import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  esp8266RomEraseSize,
  padTo4,
  planRegions,
  runsToWrite,
  skipBlocks,
  SKIP_BLOCK,
} from '../../src-main/esp/flasher/write-plan';
import { KilnError } from '../../src-main/core/errors';
import { readFirmware } from '../helpers/shared';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as KilnError).code;
  }
  return 'no error';
}

describe('ESP8266 ROM erase-size workaround', () => {
  it('300,000 bytes at 0x1000 → 0x3B000 (checked against esptool)', () => {
    expect(esp8266RomEraseSize(0x1000, 300_000)).toBe(0x3b000);
  });
  it('small writes ask for half, rounded up; block-aligned large writes subtract the head', () => {
    expect(esp8266RomEraseSize(0x0, 0x1000)).toBe(0x1000); // n=1, h=1 → ceil(1/2)=1 sector
    expect(esp8266RomEraseSize(0x0, 0x4000)).toBe(0x2000); // n=4 < 2*4 → 2 sectors
    expect(esp8266RomEraseSize(0x0, 0x40000)).toBe(0x30000); // n=64, h=16 → 48 sectors
    expect(esp8266RomEraseSize(0xf000, 0x3000)).toBe(0x2000); // h=1: n=3 ≥ 2 → 2 sectors
  });
  it('never asks for more than the write and never for nothing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1023 }),
        fc.integer({ min: 1, max: 4 * 1024 * 1024 }),
        (sector, size) => {
          const e = esp8266RomEraseSize(sector * 0x1000, size);
          expect(e % 0x1000).toBe(0);
          expect(e).toBeGreaterThan(0);
          expect(e).toBeLessThanOrEqual(Math.ceil(size / 0x1000) * 0x1000);
        },
      ),
    );
  });
});

describe('skip-unchanged planning', () => {
  it('splits a region into 64 KB blocks, the last one short', () => {
    expect(skipBlocks(SKIP_BLOCK * 2 + 100)).toEqual([
      { start: 0, end: SKIP_BLOCK },
      { start: SKIP_BLOCK, end: 2 * SKIP_BLOCK },
      { start: 2 * SKIP_BLOCK, end: 2 * SKIP_BLOCK + 100 },
    ]);
  });
  it('merges adjacent differing blocks into one run and keeps gaps', () => {
    const blocks = skipBlocks(SKIP_BLOCK * 5);
    expect(runsToWrite(blocks, [true, true, false, true, false])).toEqual([
      { start: 0, end: 2 * SKIP_BLOCK },
      { start: 3 * SKIP_BLOCK, end: 4 * SKIP_BLOCK },
    ]);
    expect(runsToWrite(blocks, [false, false, false, false, false])).toEqual([]);
  });
  it('runs cover exactly the differing blocks (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), (differs) => {
        const blocks = skipBlocks(differs.length * SKIP_BLOCK);
        const runs = runsToWrite(blocks, differs);
        const covered = blocks.map((b) => runs.some((r) => b.start >= r.start && b.end <= r.end));
        expect(covered).toEqual(differs);
        for (let i = 1; i < runs.length; i++) expect(runs[i]!.start).toBeGreaterThan(runs[i - 1]!.end);
      }),
    );
  });
});

describe('planRegions', () => {
  const img = (offset: number, len: number) => ({ offset, data: new Uint8Array(len).fill(0x11) });
  it('pads to 4 with 0xFF', () => {
    expect([...padTo4(new Uint8Array([1, 2, 3, 4, 5]))]).toEqual([1, 2, 3, 4, 5, 0xff, 0xff, 0xff]);
    const [r] = planRegions([img(0x10000, 6)], { chip: 'esp32', flashSize: 0x400000 });
    expect(r!.data.length).toBe(8);
  });
  it('rejects misaligned, overlapping, too large and empty images with their codes', () => {
    expect(code(() => planRegions([img(0x10001, 4)], { chip: 'esp32', flashSize: 0 }))).toBe(
      'IMAGE_MISALIGNED',
    );
    expect(code(() => planRegions([img(0x0, 0x2000), img(0x1000, 4)], { chip: 'esp32', flashSize: 0 }))).toBe(
      'IMAGE_OVERLAP',
    );
    expect(code(() => planRegions([img(0xff000, 0x2000)], { chip: 'esp8266', flashSize: 0x100000 }))).toBe(
      'IMAGE_TOO_LARGE',
    );
    expect(code(() => planRegions([img(0, 0)], { chip: 'esp8266', flashSize: 0 }))).toBe('IMAGE_INVALID');
    expect(code(() => planRegions([], { chip: 'esp8266', flashSize: 0 }))).toBe('BAD_REQUEST');
    expect(code(() => planRegions([img(0xff000, 0x1000)], { chip: 'esp8266', flashSize: 0x100000 }))).toBe(
      'no error',
    );
  });
  it('refuses a bootloader built for another chip at the bootloader offset (CHIP_MISMATCH), not elsewhere', () => {
    const c3boot = { offset: 0x1000, data: readFirmware('bootloader_esp32c3.bin') };
    expect(code(() => planRegions([c3boot], { chip: 'esp32', flashSize: 0 }))).toBe('CHIP_MISMATCH');
    expect(code(() => planRegions([{ ...c3boot, offset: 0x10000 }], { chip: 'esp32', flashSize: 0 }))).toBe(
      'no error',
    );
    expect(
      code(() =>
        planRegions([{ offset: 0x1000, data: readFirmware('bootloader_esp32.bin') }], {
          chip: 'esp32',
          flashSize: 0,
        }),
      ),
    ).toBe('no error');
    expect(
      code(() =>
        planRegions([{ offset: 0x0, data: readFirmware('bootloader_esp32.bin') }], {
          chip: 'esp32c3',
          flashSize: 0,
        }),
      ),
    ).toBe('CHIP_MISMATCH');
  });
});
