/**
 * The vocabulary is what the renderer and the sandboxed preload load at run time, so it must stay plain constants
 * (no zod, nothing from Node), and it must name exactly what the contract's schemas are built under.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { events, methods, chipNameSchema, baudSchema } from '../../src-main/service/contract';
import { stationBaudSchema, profileBuildSchema } from '../../src-main/station/schemas';
import { CHIP_IDENTITIES } from '../../src-main/esp/chips/table';
import {
  BAUD_RATES,
  CHIP_DISPLAY_NAMES,
  CHIP_NAMES,
  EVENT_NAMES,
  FLASH_BAUDS,
  METHOD_NAMES,
} from '../../src-main/vocabulary';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src-main/vocabulary');

describe('vocabulary', () => {
  it('imports nothing at all (the preload and renderer bundle it as is)', () => {
    for (const file of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const imports = text.split('\n').filter((l) => /^\s*import\b|from\s+'[^.]/.test(l));
      expect(imports, file).toEqual([]);
    }
  });

  it('names exactly the contract methods and events', () => {
    expect([...METHOD_NAMES].sort()).toEqual(Object.keys(methods).sort());
    expect([...EVENT_NAMES].sort()).toEqual(Object.keys(events).sort());
  });

  it('is where the contract, the station profile and the chip table take chips and bauds from', () => {
    expect(chipNameSchema.options).toEqual([...CHIP_NAMES]);
    expect(Object.keys(CHIP_IDENTITIES).sort()).toEqual([...CHIP_NAMES].sort());
    for (const chip of CHIP_NAMES) expect(CHIP_IDENTITIES[chip].displayName).toBe(CHIP_DISPLAY_NAMES[chip]);
    expect(profileBuildSchema.shape.chip.options).toEqual([...CHIP_NAMES]);
    for (const baud of BAUD_RATES) expect(baudSchema.safeParse(baud).success).toBe(true);
    expect(baudSchema.safeParse(12345).success).toBe(false);
    for (const baud of FLASH_BAUDS) expect(stationBaudSchema.parse(baud)).toBe(baud);
    expect(stationBaudSchema.safeParse(74880).success).toBe(false);
  });
});
