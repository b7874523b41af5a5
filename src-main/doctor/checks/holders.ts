/**
 * Another program has the port open: name it (PID and command), and offer to close it when it is ours. Another
 * user's command name is not shown (it can say what that person is doing); the stop is offered only for our own
 * processes whose start time we could read, and is re-checked right before the signal (holder-recheck.ts).
 */
import type { AccessCheck } from '../access-context';
import { FIXES } from '../fixes';
import type { Finding } from '../findings';
import { holderChanged } from '../holder-recheck';
import { findPortHolders } from '../port-holders';

const OTHER_USERS_PROCESS = "another user's process";

export const holdersCheck: AccessCheck = {
  id: 'port-holders',
  scope: 'port',
  async run(ctx, port) {
    if (!port?.stat || !port.node) return [];
    const r = await findPortHolders(port.node, { view: ctx.view });
    const node = port.node;
    const out: Finding[] = r.holders.map((h) => {
      const mine = h.uid === ctx.who.uid && h.uid !== 0;
      const name = mine ? h.comm : OTHER_USERS_PROCESS;
      const startTime = h.startTime;
      return {
        id: 'port-held',
        severity: 'error',
        title: `${name} (PID ${h.pid}) has ${node} open`,
        explanation: mine
          ? `Close ${h.comm} (a serial monitor, another flasher, or a terminal like screen) and try again; Kiln can ask it to quit.`
          : `It runs as ${ctx.accounts.userLabel(h.uid)}; it has to be stopped by that user or root.`,
        evidence: [
          `PID ${h.pid}${mine ? ` comm=${h.comm}` : ''} uid=${h.uid}(${ctx.accounts.userLabel(h.uid)})`,
          ...(h.via.includes('fd') ? [`/proc/${h.pid}/fd has a link to ${port.node}`] : []),
          ...(h.via.includes('flock')
            ? [
                `/proc/locks: flock by PID ${h.pid} on ${port.stat!.dev.major}:${port.stat!.dev.minor}:${port.stat!.ino}`,
              ]
            : []),
        ],
        fixes:
          mine && startTime !== undefined
            ? [
                FIXES.stopProcess(h.pid, h.comm, () =>
                  holderChanged(ctx.view, { pid: h.pid, startTime, node }),
                ),
              ]
            : [],
      };
    });
    const code = ctx.hints.openErrorCode;
    if (out.length === 0 && (code === 'EBUSY' || code === 'EAGAIN')) {
      out.push({
        id: 'port-held-unknown',
        severity: 'error',
        title: `${port.node} is busy, held by another user or root`,
        explanation:
          'The open failed because the port is in use, and none of your own processes has it open. A program of another user, or a system service, holds it.',
        evidence: [
          `open failed with ${code}`,
          `${r.uninspectedPids.length} processes of other users could not be inspected (their /proc/PID/fd is not readable)`,
        ],
        fixes: [],
      });
    }
    return out;
  },
};
