/**
 * The real flasher stub images (esptool-js 0.7.0 lib/targets/stub_flasher/<chip>.json, byte-identical to
 * esp-flasher-stub v1.2.2, Apache-2.0 OR MIT; protocol notes §4). The simulated ROM recognises "the stub"
 * by MEM_END's entry address together with the text segment loaded at text_start — it does not execute
 * Xtensa/RISC-V code, it switches to the stub behaviour in stub.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface StubIdentity {
  entry: number;
  textStart: number;
  text: Buffer;
  dataStart: number;
  data: Buffer;
}

const cache = new Map<string, StubIdentity | null>();

/** Undefined when the package is not installed (then no MEM_END starts a stub). */
export function stubIdentity(file: string): StubIdentity | undefined {
  if (cache.has(file)) return cache.get(file) ?? undefined;
  let id: StubIdentity | null = null;
  try {
    const pkg = createRequire(import.meta.url).resolve('esptool-js/package.json');
    const json = JSON.parse(
      readFileSync(path.join(path.dirname(pkg), 'lib', 'targets', 'stub_flasher', file), 'utf8'),
    );
    id = {
      entry: json.entry,
      textStart: json.text_start,
      text: Buffer.from(json.text, 'base64'),
      dataStart: json.data_start,
      data: Buffer.from(json.data ?? '', 'base64'),
    };
  } catch {
    id = null;
  }
  cache.set(file, id);
  return id ?? undefined;
}
