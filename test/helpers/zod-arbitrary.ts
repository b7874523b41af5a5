/**
 * fast-check arbitraries built from the contract's zod schemas (zod 4's `_zod.def`): values shaped like a
 * method's input — the right keys, enum members, literals, byte arrays — mixed with near-misses (wrong types,
 * hostile paths, huge numbers), so a fuzz run reaches past the first schema check into the handlers.
 */
import fc from 'fast-check';
import type { z } from 'zod';

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string>;
  values?: unknown[];
  items?: z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
  getter?: () => z.ZodType;
}

const HOSTILE_STRINGS = [
  'sim:esp8266',
  'sim:esp32?flash=256MB',
  '/dev/ttyUSB0',
  '/dev/zero',
  'socket://127.0.0.1:1',
  '../../etc/passwd',
  '__proto__',
  'x'.repeat(400),
];

const anyJson = fc.jsonValue({ maxDepth: 3 });

export function arbitraryFor(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  const nearMiss = depth > 4 ? fc.constant(null) : anyJson;
  const shaped = ((): fc.Arbitrary<unknown> => {
    switch (def.type) {
      case 'object': {
        const shape = (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
        const parts: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(shape)) parts[k] = arbitraryFor(v, depth + 1);
        return fc.record(parts, { requiredKeys: [] });
      }
      case 'string':
        return fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...HOSTILE_STRINGS));
      case 'number':
        return fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, 115200, 0x10000, 2 ** 40, -1));
      case 'boolean':
        return fc.boolean();
      case 'literal':
        return fc.constantFrom(...(def.values ?? [null]));
      case 'enum':
        return fc.constantFrom(...Object.values(def.entries ?? { x: 'x' }));
      case 'array':
        return fc.array(arbitraryFor(def.element!, depth + 1), { maxLength: 3 });
      case 'tuple':
        return fc.tuple(...(def.items ?? []).map((i) => arbitraryFor(i, depth + 1)));
      case 'record':
        return fc.dictionary(fc.string({ maxLength: 8 }), arbitraryFor(def.valueType!, depth + 1), {
          maxKeys: 3,
        });
      case 'union':
        return fc.oneof(...(def.options ?? []).map((o) => arbitraryFor(o, depth + 1)));
      case 'optional':
      case 'nullable':
      case 'default':
      case 'readonly':
      case 'catch':
        return arbitraryFor(def.innerType!, depth);
      case 'pipe':
        return arbitraryFor(def.in!, depth);
      case 'lazy':
        return depth > 4 ? fc.constant(null) : arbitraryFor(def.getter!(), depth + 1);
      case 'custom':
        return fc.uint8Array({ maxLength: 64 });
      default:
        return anyJson;
    }
  })();
  return fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 1, arbitrary: nearMiss });
}
