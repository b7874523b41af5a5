/** Is there a device node at all? A missing node is the first thing to say, with the likeliest reasons. */
import type { AccessCheck } from '../access-context';
import { modeString } from '../findings';

export const nodeCheck: AccessCheck = {
  id: 'port-node',
  scope: 'port',
  async run(ctx, port) {
    if (!port) return [];
    if (!port.stat) {
      const removed = ctx.hints.recentlyRemoved;
      return [
        {
          id: 'port-missing',
          severity: 'error',
          title: `${port.path} does not exist`,
          explanation: removed
            ? 'The port appeared and vanished again right after plug-in. Something took the adapter away from the serial driver; on Ubuntu and its derivatives that is usually brltty (see below).'
            : 'There is no such device node. The board may be unplugged, on another port name (ttyUSB1, ttyACM0), behind a charge-only cable, or not visible to this system (WSL, a container, a Flatpak).',
          evidence: [
            `${port.path}: no such file`,
            ...(removed
              ? [`recently removed: ${removed.path ?? ''} ${removed.vid ?? ''}:${removed.pid ?? ''}`.trim()]
              : []),
          ],
          fixes: [],
        },
      ];
    }
    if (port.stat.type !== 'char') {
      return [
        {
          id: 'port-not-device',
          severity: 'error',
          title: `${port.path} is not a character device`,
          explanation:
            'A serial port is a character device node; this path is something else (a leftover file?).',
          evidence: [`${modeString(port.stat)} ${port.node}`],
          fixes: [],
        },
      ];
    }
    return [];
  },
};
