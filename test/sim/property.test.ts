import fc from 'fast-check';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Op, checksum, words } from '../../src-main/esp/link/protocol';
import { rig } from './rig';
import { uploadStub } from './stub-upload';

describe('stub deflate writes (property)', () => {
  it('any split of the zlib stream into ≤16 KB blocks writes the same bytes; NOR: nothing outside changes', async () => {
    const r = rig({ chip: 'esp32', flashSize: 1 << 20, flashImage: Buffer.alloc(1 << 20, 0x3c) });
    await r.classicReset();
    await r.sync();
    await r.command(Op.SPI_ATTACH, Buffer.alloc(8));
    await uploadStub(r, 'esp32');
    await r.until(() => r.frames.some((f) => f.toString('latin1') === 'OHAI'));
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 40_000 }),
        fc.array(fc.integer({ min: 1, max: 0x4000 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 200 }),
        async (data, cuts, sector) => {
          const image = Buffer.from(data);
          const offset = sector * 0x1000;
          const before = Buffer.from(r.device.flash);
          const z = zlib.deflateSync(image);
          const blocks: Buffer[] = [];
          let pos = 0;
          for (let i = 0; pos < z.length; i++) {
            const n = cuts[i % cuts.length]!;
            blocks.push(z.subarray(pos, pos + n));
            pos += n;
          }
          const begin = await r.command(
            Op.FLASH_DEFL_BEGIN,
            words(image.length, blocks.length, 0x4000, offset, 0),
          );
          expect(begin.data[0]).toBe(0);
          for (const [i, b] of blocks.entries()) {
            const rep = await r.command(
              Op.FLASH_DEFL_DATA,
              Buffer.concat([words(b.length, i, 0, 0), b]),
              checksum(b),
              20_000,
            );
            expect(rep.data[0]).toBe(0);
          }
          const end = await r.command(Op.FLASH_DEFL_END, words(1), 0, 20_000);
          expect(end.data[0]).toBe(0);
          const f = r.device.flash;
          expect(f.subarray(offset, offset + image.length).equals(image)).toBe(true);
          // Outside the erased sectors nothing changed.
          const endSector = Math.ceil((offset + image.length) / 0x1000) * 0x1000;
          expect(f.subarray(0, offset).equals(before.subarray(0, offset))).toBe(true);
          expect(f.subarray(endSector).equals(before.subarray(endSector))).toBe(true);
        },
      ),
      { numRuns: 25, seed: 42 },
    );
    await r.close();
  });
});
