/**
 * Right before Kiln signals a process that holds a serial port, it checks again that the process is the one
 * the person agreed to stop: the same PID with the same start time (a PID can be reused once its process
 * exits), and still holding that port. Between the report and the yes, seconds or hours may pass.
 */
import { findPortHolders } from './port-holders';
import { processInfo } from './processes';
import type { SystemView } from './system-view';

export interface HolderIdentity {
  pid: number;
  startTime: string;
  /** The serial port's node. */
  node: string;
}

/** Why the stop no longer applies, or undefined when it still does. */
export async function holderChanged(view: SystemView, who: HolderIdentity): Promise<string | undefined> {
  const info = await processInfo(view, who.pid);
  if (!info) return `PID ${who.pid} has exited; nothing to stop.`;
  if (info.startTime !== who.startTime)
    return `PID ${who.pid} is not the process the doctor found (it started at another time); nothing was signalled.`;
  const now = await findPortHolders(who.node, { view });
  if (!now.holders.some((h) => h.pid === who.pid))
    return `PID ${who.pid} no longer holds ${who.node}; nothing was signalled.`;
  return undefined;
}
