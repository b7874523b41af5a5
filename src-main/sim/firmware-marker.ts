/**
 * Which firmware a virtual board "runs" after a flash. A real board runs whatever was written; the simulator cannot
 * execute Xtensa or RISC-V code, so an image says which console to play with an ASCII marker anywhere in its first
 * megabyte: `KILN-SIM-FIRMWARE=tasmota;` (a Tasmota-like serial console) or `KILN-SIM-FIRMWARE=improv;` (an
 * ESPHome-like Improv-serial responder). Images without a marker run the plain boot text of boot-text.ts. Our image
 * writer (esp/image/build.ts) embeds the marker in a segment; `sim:esp8266?app=tasmota` starts a board with it.
 */
import type { FlashMemory } from './flash-memory';

export const SIM_FIRMWARES = ['tasmota', 'improv'] as const;
export type SimFirmware = (typeof SIM_FIRMWARES)[number];

const PREFIX = 'KILN-SIM-FIRMWARE=';
const SEARCH_BYTES = 1024 * 1024;

export function firmwareMarker(kind: SimFirmware): Buffer {
  return Buffer.from(`${PREFIX}${kind};`, 'ascii');
}

export function firmwareIn(flash: FlashMemory): SimFirmware | undefined {
  const head = flash.read(0, Math.min(flash.size, SEARCH_BYTES));
  const at = head.indexOf(PREFIX, 0, 'ascii');
  if (at < 0) return undefined;
  const end = head.indexOf(';', at, 'ascii');
  const name = head.subarray(at + PREFIX.length, end < 0 ? at + PREFIX.length : end).toString('ascii');
  return SIM_FIRMWARES.find((k) => k === name);
}

/**
 * A board that already holds firmware (the `app=` URL option): the minimal image header the app-running fault
 * also uses, then the marker.
 */
export function markerAppImage(kind: SimFirmware): Uint8Array {
  return Buffer.concat([Buffer.from([0xe9, 0x01, 0x02, 0x20, 0x00, 0x10, 0x10, 0x40]), firmwareMarker(kind)]);
}
