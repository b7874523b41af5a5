/**
 * The engine's public entry. Other rooms import from here (and types from api.ts).
 */
import type { Transport } from '../serial/transport';
import { EspSession } from './session';
import type { ConnectFn, ConnectOptions, EspSessionApi } from './api';

export type * from './api';
export { EspSession } from './session';
export { SYNC_FRAME } from './connect';
export { ROM_BAUD } from '../vocabulary';
export {
  connectStrategies,
  classicReset,
  unixTightReset,
  usbJtagSerialReset,
  hardReset,
  NO_RESET,
  type ResetStrategy,
  type ResetStep,
} from './reset';
export { CHIP_RECORDS, flashSizeFromCapacityByte, type ChipRecord } from './chips/records';
export { STATUS_MEANINGS } from './errors';
export { esp8266RomEraseSize, planRegions } from './write-plan';

/** Connects (reset + sync), identifies the chip, starts the stub, changes baud, reads the flash id. */
export const connectEsp: ConnectFn = (transport, opts) => EspSession.open(transport, opts);

/** Runs `fn` with a connected session and always closes it (and the Transport) afterwards. */
export async function withSession<T>(
  transport: Transport,
  opts: ConnectOptions,
  fn: (session: EspSessionApi) => Promise<T>,
): Promise<T> {
  const session = await EspSession.open(transport, opts);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
