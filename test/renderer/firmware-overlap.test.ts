/** findOverlaps / overlapReason: which placed files share bytes in flash (the Flash screen blocks on any pair). */
import { describe, expect, it } from 'vitest';
import { findOverlaps, overlapReason, type PlacedImage } from '../../src-renderer/lib/firmware-warnings';
import { summary } from './fake-api';

const placed = (name: string, offset: number | undefined, size: number): PlacedImage => ({
  name,
  offset,
  summary: summary({ name, size }),
});

describe('findOverlaps', () => {
  it('finds every overlapping pair; touching ends, unplaced and uninspected files are not overlaps', () => {
    const boot = placed('bootloader.bin', 0x1000, 0x7000); // 0x1000–0x8000
    const table = placed('partitions.bin', 0x8000, 0xc00); // touches the bootloader's end
    const app = placed('app.bin', 0x10000, 0x20000); // 0x10000–0x30000
    const inside = placed('nvs.bin', 0x20000, 0x1000); // inside app.bin
    const across = placed('big.bin', 0x7000, 0x10000); // 0x7000–0x17000: bootloader, table and app
    const unplaced = placed('fs.bin', undefined, 0x1000);
    const pending: PlacedImage = { name: 'pending.bin', offset: 0x20000 };

    expect(findOverlaps([boot, table, app]).length).toBe(0);
    const pairs = findOverlaps([boot, table, app, inside, across, unplaced, pending]).map(([a, b]) => [
      a.name,
      b.name,
    ]);
    expect(pairs).toEqual([
      ['bootloader.bin', 'big.bin'],
      ['partitions.bin', 'big.bin'],
      ['app.bin', 'nvs.bin'],
      ['app.bin', 'big.bin'],
    ]);
  });

  it('says which files and which ranges, and what to do', () => {
    expect(overlapReason([placed('a.bin', 0, 0x2000), placed('b.bin', 0x1000, 0x100)])).toBe(
      'a.bin (0x0–0x2000) and b.bin (0x1000–0x1100) overlap in flash: change an offset so each file has its own place.',
    );
  });
});
