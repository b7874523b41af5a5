/** Uploads the real flasher stub (esptool-js 0.7.0 images) the way a host does: MEM_BEGIN/MEM_DATA/MEM_END. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Op, checksum, words } from '../../src-main/esp/link/protocol';
import type { Rig } from './rig';

export function stubJson(chip: string): {
  text: Buffer;
  textStart: number;
  data: Buffer;
  dataStart: number;
  entry: number;
} {
  const pkg = createRequire(import.meta.url).resolve('esptool-js/package.json');
  const j = JSON.parse(
    readFileSync(path.join(path.dirname(pkg), 'lib', 'targets', 'stub_flasher', `${chip}.json`), 'utf8'),
  );
  return {
    text: Buffer.from(j.text, 'base64'),
    textStart: j.text_start,
    data: Buffer.from(j.data, 'base64'),
    dataStart: j.data_start,
    entry: j.entry,
  };
}

export async function uploadStub(r: Rig, chip: string, entryOverride?: number): Promise<void> {
  const s = stubJson(chip);
  for (const [bytes, addr] of [
    [s.text, s.textStart],
    [s.data, s.dataStart],
  ] as const) {
    const blocks = Math.ceil(bytes.length / 0x1800);
    const begin = await r.command(Op.MEM_BEGIN, words(bytes.length, blocks, 0x1800, addr));
    if (begin.data[0] !== 0) throw new Error('MEM_BEGIN failed');
    for (let i = 0; i < blocks; i++) {
      const block = bytes.subarray(i * 0x1800, (i + 1) * 0x1800);
      const rep = await r.command(
        Op.MEM_DATA,
        Buffer.concat([words(block.length, i, 0, 0), block]),
        checksum(block),
      );
      if (rep.data[0] !== 0) throw new Error('MEM_DATA failed');
    }
  }
  r.frames.length = 0;
  await r.command(Op.MEM_END, words(0, entryOverride ?? s.entry));
}
