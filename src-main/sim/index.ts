/**
 * The device simulator: virtual ESP8266/ESP32/ESP32-C3 boards that speak the real ROM and stub protocol over
 * a paced serial line, with injectable faults. Used by virtual devices in the app, `kiln sim`, benchmarks and
 * tests. See device.ts for the board, rom.ts/stub.ts for the loaders, line.ts for pacing.
 */
export type { HighBaudSync, SimChip, SimFaults, SimOptions } from './types';
export { flashServesMode, type FlashWiring } from './flash-wiring';
export { SimulatedDevice } from './device';
export { VirtualHands } from './hands';
export { parseSimUrl } from './url';
export { FAULT_NAMES } from './faults';
export { serveTcp, type TcpServer } from './serve-tcp';
export { servePty, type PtyServer } from './serve-pty';
