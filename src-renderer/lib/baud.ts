import { ROM_BAUD, isFlashBaud } from '../../src-main/vocabulary';

/**
 * The baud to preselect for a port: what the user last picked on it, else the port's bridge-aware default
 * from the service, else the ROM's own rate (which always works).
 */
export function preferredBaud(
  port: { path: string; defaultBaud: number } | undefined,
  baudByPort: Record<string, number>,
): number {
  if (!port) return ROM_BAUD;
  const remembered = baudByPort[port.path];
  if (remembered !== undefined && isFlashBaud(remembered)) return remembered;
  if (isFlashBaud(port.defaultBaud)) return port.defaultBaud;
  return ROM_BAUD;
}
