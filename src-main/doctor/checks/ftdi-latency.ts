/**
 * An FTDI port whose latency timer is above 1 ms: not an access failure, but every reply from the chip waits it
 * out (serial/ftdi-latency.ts has the figures and sources). Kiln lowers it itself while it holds the port when
 * this user may write the setting; otherwise Kiln's udev rule sets 1 ms on every plug-in.
 */
import type { AccessCheck } from '../access-context';
import { FIXES } from '../fixes';
import type { Finding } from '../findings';
import {
  FTDI_DRIVER,
  FTDI_LOW_LATENCY_MS,
  ftdiLatencyPath,
  latencyCostPerMiB,
  parseLatency,
} from '../../serial/ftdi-latency';

export const ftdiLatencyCheck: AccessCheck = {
  id: 'ftdi-latency',
  scope: 'port',
  async run(ctx, port) {
    if (!port?.usb || port.usb.driver !== FTDI_DRIVER) return [];
    const file = ftdiLatencyPath(port.ttyName);
    const text = await ctx.view.readText(file);
    const ms = text === undefined ? undefined : parseLatency(text);
    if (ms === undefined || ms <= FTDI_LOW_LATENCY_MS) return [];
    const writable = await ctx.view.access(file, 'w');
    const cost = latencyCostPerMiB(ms - FTDI_LOW_LATENCY_MS); // the wait the lower timer saves
    const finding: Finding = {
      id: 'ftdi-latency-high',
      severity: 'info',
      title: `The FTDI adapter holds each reply for up to ${ms} ms`,
      explanation:
        `Its latency timer is ${ms} ms, so every reply from the chip waits in the adapter: about ${(Math.round(cost * 10) / 10).toFixed(1)} s ` +
        `more on a 1 MiB flash than at ${FTDI_LOW_LATENCY_MS} ms. ` +
        (writable
          ? 'Kiln lowers it to 1 ms by itself while it uses the port.'
          : 'Kiln would lower it while it uses the port, but this user may not change the setting; Kiln\u2019s udev rule sets 1 ms whenever the adapter is plugged in.'),
      evidence: [`${file}: ${ms}${writable ? ' (writable by this user)' : ' (not writable by this user)'}`],
      fixes: writable
        ? []
        : [
            FIXES.installUdevRule(
              'ftdi-low-latency',
              'Kiln\u2019s udev rule sets the latency timer of FTDI adapters to 1 ms when they are plugged in (and gives this computer\u2019s user access to USB-serial adapters). Unplug and replug the adapter afterwards.',
            ),
          ],
    };
    return [finding];
  },
};
