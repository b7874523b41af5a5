/**
 * The virtual boards the Station screen can "plug in" for demos and training: a good one, or one with a fault a
 * bench really meets, each expressed with the simulator's own `sim:` URL options (sim/url.ts, docs/SIMULATOR.md),
 * so what the station shows is what the simulator models, not a canned failure.
 */
export type VirtualChip = 'esp8266' | 'esp32' | 'esp32c3';

export interface VirtualBoardKind {
  id: string;
  label: string;
  /** URL options after `sim:<chip>?seed=N`, '' for a healthy board. */
  options: string;
  /** Chips this kind exists on (absent: every chip). */
  chips?: readonly VirtualChip[];
}

export const VIRTUAL_BOARD_KINDS: readonly VirtualBoardKind[] = [
  { id: 'good', label: 'Good board', options: '' },
  { id: 'swap-txrx', label: 'TX and RX swapped', options: 'fault=swap-txrx' },
  {
    id: 'dout',
    label: 'DOUT-only flash (Sonoff)',
    options: 'wiring=dout',
    chips: ['esp8266'],
  },
  { id: 'noise', label: 'Noisy cable (1 % bad bytes)', options: 'fault=noise:0.01' },
];

/** The `sim:` URL for a new virtual board; `seed` gives it a MAC of its own. */
export function virtualBoardUrl(chip: VirtualChip, kindId: string, seed: number): string {
  const kind = VIRTUAL_BOARD_KINDS.find((k) => k.id === kindId) ?? VIRTUAL_BOARD_KINDS[0]!;
  const usable = !kind.chips || kind.chips.includes(chip);
  return `sim:${chip}?seed=${seed}${usable && kind.options ? `&${kind.options}` : ''}`;
}
