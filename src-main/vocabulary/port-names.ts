/**
 * What may name a port: `/dev/ttyUSB0`, `/dev/serial/by-id/...`, `/dev/cu.usbserial-0001`, `COM7`,
 * `sim:esp8266?fault=swap-txrx`, `socket://127.0.0.1:4000`. Bounded length, no `..` segments. The contract's and
 * the station profile's port schemas are built on this test, and the CLI uses it without loading either.
 */

const UNIX_DEVICE = /^\/dev\/[A-Za-z0-9._+:@=,-]+(\/[A-Za-z0-9._+:@=,-]+)*$/;
const WINDOWS_COM = /^(\\\\\.\\)?COM[1-9][0-9]{0,2}$/i;
const SIM_URL = /^sim:[A-Za-z0-9-]+(\?[A-Za-z0-9=&,._:@-]{0,200})?$/; // @: hand scripts (hold@0.5)
const SOCKET_URL = /^socket:\/\/[A-Za-z0-9.-]{1,253}:[0-9]{1,5}$/;

export const MAX_PORT_NAME_CHARS = 300;

/** A device path, COM name, sim: URL or socket:// address (the shape only; the length is checked apart). */
export function isPortNameShape(p: string): boolean {
  return UNIX_DEVICE.test(p) || WINDOWS_COM.test(p) || SIM_URL.test(p) || SOCKET_URL.test(p);
}

export function hasPathTraversal(p: string): boolean {
  return p.split(/[\\/]/).includes('..');
}

/** Everything a port name must be. */
export function isPortName(p: string): boolean {
  return p.length >= 1 && p.length <= MAX_PORT_NAME_CHARS && isPortNameShape(p) && !hasPathTraversal(p);
}
