/** Starts the console of the firmware a flash holds (firmware-marker.ts) on a booted board. */
import type { FirmwareConsole, FirmwareHost } from './firmware-console';
import type { SimFirmware } from './firmware-marker';
import { ImprovFirmware } from './improv-firmware';
import { TasmotaFirmware } from './tasmota-firmware';

/** Both firmwares talk at 115200 8N1 (Tasmota's and ESPHome's default serial log speed). */
export const FIRMWARE_BAUD = 115200;

export function startFirmware(kind: SimFirmware, host: FirmwareHost): FirmwareConsole {
  return kind === 'tasmota' ? new TasmotaFirmware(host) : new ImprovFirmware(host);
}
