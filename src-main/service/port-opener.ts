/**
 * The one way the service opens a port, for jobs, monitors and the station alike: a `sim:` URL is a virtual board
 * from the service's registry (so its flash survives between runs), anything else goes through the serial layer
 * under the name the user chose (a by-id link survives re-enumeration between runs).
 */
import { ROM_BAUD } from '../vocabulary';
import type { PortOpener } from '../flash';
import type { ServiceDeps } from './deps';
import { isSimUrl, type VirtualDevices } from './virtual-devices';

export function createPortOpener(
  deps: Pick<ServiceDeps, 'openTransport'>,
  virtual: VirtualDevices,
): PortOpener {
  return async (port, baudRate = ROM_BAUD) => {
    if (isSimUrl(port.path)) return virtual.get(port.path).open(baudRate);
    return deps.openTransport(port.path, port.usbId ? { baudRate, usbId: port.usbId } : { baudRate });
  };
}
