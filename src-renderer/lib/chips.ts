import { CHIP_DISPLAY_NAMES, type ChipName } from '../../src-main/vocabulary';

/** How a chip is shown: Espressif's spelling for the chips Kiln knows, the raw name otherwise. */
export function chipLabel(chip: string | undefined): string {
  if (!chip) return 'unknown chip';
  return Object.hasOwn(CHIP_DISPLAY_NAMES, chip) ? CHIP_DISPLAY_NAMES[chip as ChipName] : chip;
}
