/**
 * What the user's hands can do to a virtual board (sim/hands.ts): the GUI's controls and the contract's
 * `virtualHands` method take these names, and `sim:` URL scripts (`hands=hold@0.5,power@1`) use them too.
 */
export const HAND_ACTIONS = [
  'hold',
  'release',
  'power',
  'off',
  'on',
  'reset',
  'swap',
  'unswap',
  'loop',
  'unloop',
] as const;
export type HandAction = (typeof HAND_ACTIONS)[number];
