/**
 * Can this process open the port, and if not, why: not in the node's group, in the group in /etc/group but
 * not in THIS login (the groups a process carries are fixed when the login starts), or a node no group can
 * open. The group is read from the node (dialout on Debian/Fedora, uucp on Arch), never assumed.
 */
import { processLine, type AccessCheck } from '../access-context';
import { FIXES } from '../fixes';
import { modeString, type Finding } from '../findings';

/**
 * The only groups the doctor offers to join: the ones distributions give serial ports (dialout on Debian,
 * Ubuntu and Fedora; uucp on Arch; plugdev for some adapters' udev rules; tty where a distribution puts
 * ttyS/ttyUSB there). Any other owner group (disk, kvm, input...) would give far more than a serial port.
 */
export const SERIAL_GROUPS: readonly string[] = ['dialout', 'uucp', 'plugdev', 'tty'];

export const permissionCheck: AccessCheck = {
  id: 'port-permission',
  scope: 'port',
  async run(ctx, port) {
    if (!port?.stat || port.stat.type !== 'char') return [];
    const st = port.stat;
    const { who, accounts } = ctx;
    const group = accounts.groupLabel(st.gid);
    const groupName = accounts.groupName(st.gid);
    const nodeLine = `${modeString(st)} ${accounts.userLabel(st.uid)}:${group} ${port.node}`;
    const dbEntry = ctx.accounts.groups.find((g) => g.gid === st.gid);
    const evidence = [
      nodeLine,
      processLine(ctx),
      dbEntry
        ? `/etc/group: ${dbEntry.name}:x:${dbEntry.gid}:${dbEntry.members.join(',')}`
        : `/etc/group: no entry for gid ${st.gid}`,
      `access: read ${port.canRead ? 'yes' : 'no'}, write ${port.canWrite ? 'yes' : 'no'}`,
    ];
    const inProcess = who.processGids.includes(st.gid);
    const inDb = accounts.userInGroupDb(who.user, st.gid);
    const groupRw = ((st.mode >> 3) & 6) === 6;

    if (port.canRead && port.canWrite) {
      let how: string;
      if (who.uid === 0) how = 'this process runs as root';
      else if (who.uid === st.uid) how = 'you own the node';
      else if (inProcess && groupRw) how = `you are in the ${group} group in this login`;
      else if ((st.mode & 6) === 6) how = 'the node is open to everyone';
      else
        how =
          'an access-control list grants it (udev\u2019s uaccess tag gives the person at the local seat access)';
      return [
        {
          id: 'port-access',
          severity: 'ok',
          title: `You can open ${port.node}`,
          explanation: `Read and write access: ${how}.`,
          evidence,
          fixes: [],
        },
      ];
    }

    const udev = FIXES.installUdevRule();
    const user = who.user;
    let finding: Finding;
    if (inDb && !inProcess && groupRw) {
      finding = {
        id: 'group-not-active',
        severity: 'error',
        title: `You were added to ${group}, but not in this login`,
        explanation:
          `/etc/group lists ${user} in ${group}, yet this process does not carry that group. Group changes reach only processes started after a new login. ` +
          'Log out completely and back in \u2014 or, more reliably, reboot: apps started through systemd --user keep the old groups as long as the user manager keeps running.',
        evidence,
        fixes: [FIXES.relogin(user), udev],
      };
    } else if (
      groupRw &&
      st.gid !== 0 &&
      groupName !== undefined &&
      SERIAL_GROUPS.includes(groupName) &&
      user !== undefined &&
      !inProcess
    ) {
      finding = {
        id: 'port-permission',
        severity: 'error',
        title: `Permission denied: ${port.node} belongs to the ${group} group`,
        explanation: `Only root and members of ${group} may open this port, and ${user} is not a member. Add yourself to ${group} (then log out completely or reboot), or install Kiln\u2019s udev rule, which gives the person at this computer access without a group change.`,
        evidence,
        fixes: [FIXES.addUserToGroup(groupName, user), udev],
      };
    } else {
      finding = {
        id: 'port-permission',
        severity: 'error',
        title: `Permission denied on ${port.node}`,
        explanation:
          inProcess && groupRw
            ? `You are in ${group} in this login, yet access is refused: an access-control list or a security module (AppArmor in a snap) blocks it.`
            : groupName !== undefined && !SERIAL_GROUPS.includes(groupName) && groupRw
              ? `The port belongs to the ${group} group, which is not a serial-port group: joining it would give much more than this port, so Kiln does not offer it. Kiln\u2019s udev rule gives the person at this computer access.`
              : `No group you could join gives access to this node (group ${group}, mode ${modeString(st)}). Kiln\u2019s udev rule gives the person at this computer access.`,
        evidence,
        fixes: [udev],
      };
    }
    return [finding];
  },
};
