/** Bauds offered for flashing (a subset of the contract's allowlist that ESP loaders run reliably). */
export const FLASH_BAUDS = [115200, 230400, 460800, 921600, 1500000, 2000000] as const;
/** Bauds offered in the serial monitor: 74880 is the ESP8266 boot ROM's rate (its boot messages). */
export const MONITOR_BAUDS = [9600, 19200, 38400, 57600, 74880, 115200, 230400, 460800, 921600] as const;

/**
 * The baud to preselect for a port: what the user last picked on it, else the port's bridge-aware default
 * from the service, else 115200 (the ROM's own rate always works).
 */
export function preferredBaud(
  port: { path: string; defaultBaud: number } | undefined,
  baudByPort: Record<string, number>,
): number {
  if (!port) return 115200;
  const remembered = baudByPort[port.path];
  if (remembered !== undefined && (FLASH_BAUDS as readonly number[]).includes(remembered)) return remembered;
  if ((FLASH_BAUDS as readonly number[]).includes(port.defaultBaud)) return port.defaultBaud;
  return 115200;
}
