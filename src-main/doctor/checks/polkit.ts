/**
 * Privileged fixes run through pkexec, which needs a polkit authentication agent to ask for the password (a
 * desktop session runs one; a terminal gets pkttyagent automatically). Without either, say so up front: the
 * fixes then come as commands to copy.
 */
import type { AccessCheck } from '../access-context';
import type { AccessContext } from '../access-context';
import { findByComm } from '../processes';

/** Command names (as /proc/PID/comm shows them, cut at 15 characters) of polkit agents and shells with one built in. */
export const POLKIT_AGENTS = [
  'polkit-gnome-authentication-agent-1',
  'polkit-kde-authentication-agent-1',
  'polkit-mate-authentication-agent-1',
  'lxqt-policykit-agent',
  'lxpolkit',
  'xfce-polkit',
  'hyprpolkitagent',
  'polkit-agent-helper-1',
  'gnome-shell',
  'cinnamon',
  'budgie-polkit-dialog',
  'pantheon-agent-polkit',
  'soteria',
  'pkttyagent',
];

export async function privilegeSupport(
  ctx: Pick<AccessContext, 'view' | 'processes'>,
): Promise<{ pkexec: boolean; agent: string | undefined }> {
  const pkexec = await ctx.view.commandExists('pkexec');
  const agents = findByComm(
    ctx.processes,
    POLKIT_AGENTS.filter((a) => a !== 'polkit-agent-helper-1'),
  );
  return { pkexec, agent: agents[0]?.comm };
}

export const polkitCheck: AccessCheck = {
  id: 'polkit',
  scope: 'system',
  async run(ctx) {
    const { pkexec, agent } = await privilegeSupport(ctx);
    if (pkexec && agent) return [];
    return [
      {
        id: pkexec ? 'polkit-no-agent' : 'pkexec-missing',
        severity: 'info',
        title: pkexec ? 'No polkit agent is running' : 'pkexec is not installed',
        explanation: pkexec
          ? 'Kiln cannot ask for the administrator password from here (no graphical polkit agent). Fixes that need root are shown as commands to run with sudo in a terminal (or run Kiln\u2019s CLI in a terminal, where pkexec asks there).'
          : 'Fixes that need root are shown as commands to run with sudo in a terminal.',
        evidence: [
          `pkexec on PATH: ${pkexec ? 'yes' : 'no'}`,
          `polkit agent process: ${agent ?? 'none found'}`,
        ],
        fixes: [],
      },
    ];
  },
};
