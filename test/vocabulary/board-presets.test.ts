import { describe, expect, it } from 'vitest';
import {
  BEFORE_RESETS,
  BOARD_PRESETS,
  boardPreset,
  FLASH_MODES,
  FLASH_SIZES,
  isBaudRate,
  wiringCard,
} from '../../src-main/vocabulary';

describe('board presets', () => {
  it('every preset uses values the contract accepts, and ids are unique', () => {
    expect(new Set(BOARD_PRESETS.map((p) => p.id)).size).toBe(BOARD_PRESETS.length);
    for (const p of BOARD_PRESETS) {
      expect(BEFORE_RESETS).toContain(p.reset);
      expect(FLASH_MODES).toContain(p.flashMode);
      expect(FLASH_SIZES).toContain(p.flashSize);
      expect(isBaudRate(p.safeBaud)).toBe(true);
    }
  });

  it('boards without auto-reset are guided and flash DOUT; boards wired by hand say 3.3 V, never 5 V', () => {
    for (const id of ['sonoff-basic', 'sonoff-s20', 'sonoff-th', 'esp-01']) {
      const p = boardPreset(id)!;
      expect([p.reset, p.flashMode]).toEqual(['manual', 'dout']);
      expect(p.notes[0]).toMatch(/^Use 3\.3 V only.*5 V/);
    }
    expect(boardPreset('esp32-native-usb')!.reset).toBe('usb-reset');
    expect(boardPreset('nodemcu')!.reset).toBe('default');
  });

  it('the wiring card crosses TX and RX', () => {
    const card = wiringCard(boardPreset('sonoff-basic')!);
    expect(card).toContain('  adapter TX     \u2192 board RX');
    expect(card).toContain('  adapter RX     \u2192 board TX');
  });
});
