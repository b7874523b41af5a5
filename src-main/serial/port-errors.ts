/**
 * Turns what the OS says when a port will not open (or goes away) into catalogue errors a person can act on.
 * node-serialport's native errors carry no errno code, only strerror text ("Error: Permission denied, cannot open
 * /dev/ttyUSB0", "Error Resource temporarily unavailable Cannot lock port"), so both the code and the text are
 * matched. A port problem is never reported as a sync failure: the doctor relies on that split.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { KilnError } from '../core/errors';

interface OsError {
  code?: unknown;
  message?: unknown;
}

function osCodeAndText(err: unknown): { code: string; text: string } {
  const e = (err ?? {}) as OsError;
  const code = typeof e.code === 'string' ? e.code : '';
  const text = typeof e.message === 'string' ? e.message : String(err);
  return { code, text };
}

const PERMISSION = /EACCES|EPERM|Permission denied|Operation not permitted/i;
const BUSY =
  /EAGAIN|EBUSY|Cannot lock port|Resource temporarily unavailable|Device or resource busy|exclusively lock/i;
const MISSING = /ENOENT|ENODEV|ENXIO|No such file|No such device/i;

/** Which group owns the device node, read from the node's gid and `<root>/etc/group` (never assumed to be dialout). */
export async function deviceGroup(
  devicePath: string,
  root = '/',
): Promise<{ gid: number; name?: string; mode: string } | undefined> {
  let st;
  try {
    st = await fsp.stat(devicePath);
  } catch {
    return undefined;
  }
  const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
  let name: string | undefined;
  try {
    const groups = await fsp.readFile(path.join(root, 'etc/group'), 'utf8');
    for (const line of groups.split('\n')) {
      const [groupName, , gid] = line.split(':');
      if (groupName && gid !== undefined && Number(gid) === st.gid) {
        name = groupName;
        break;
      }
    }
  } catch {
    // No readable group database (unusual): the hint falls back to the numeric gid.
  }
  return name === undefined ? { gid: st.gid, mode } : { gid: st.gid, name, mode };
}

export function portBusyError(port: string, osMessage?: string): KilnError {
  return new KilnError('PORT_BUSY', `${port} is in use by another program.`, {
    hint: 'Close the other program that has the port open (a serial monitor, screen, another Kiln window, an IDE), then try again.',
    details: osMessage === undefined ? { port } : { port, os: osMessage },
  });
}

export function portNotFoundError(port: string, osMessage?: string): KilnError {
  return new KilnError('PORT_NOT_FOUND', `${port} does not exist.`, {
    hint: 'Plug the board in (with a data cable, not a charge-only one) and pick the port again from the list.',
    details: osMessage === undefined ? { port } : { port, os: osMessage },
  });
}

export function deviceLostError(port: string, osMessage?: string): KilnError {
  return new KilnError('DEVICE_LOST', `The device on ${port} disappeared.`, {
    hint: 'Check the USB cable and plug the board in again; the next flash resumes where this one stopped.',
    details: osMessage === undefined ? { port } : { port, os: osMessage },
  });
}

export function portClosedError(port: string): KilnError {
  return new KilnError('PORT_OPEN_FAILED', `${port} is closed.`, {
    hint: 'Open the port again before using it.',
    details: { port },
  });
}

/** Maps a failed open of a device node. `root` is where `/etc/group` is read (tests pass a fixture tree). */
export async function mapOpenError(
  port: string,
  err: unknown,
  opts: { root?: string } = {},
): Promise<KilnError> {
  const { code, text } = osCodeAndText(err);
  const probe = `${code} ${text}`;
  if (PERMISSION.test(probe)) {
    const group = await deviceGroup(port, opts.root);
    const groupName = group?.name ?? (group ? `gid ${group.gid}` : undefined);
    return new KilnError('PORT_PERMISSION_DENIED', `Permission denied opening ${port}.`, {
      hint: permissionHint(group),
      details: permissionDetails(port, text, group, groupName),
      cause: err,
    });
  }
  if (BUSY.test(probe)) return portBusyError(port, text);
  if (MISSING.test(probe)) return portNotFoundError(port, text);
  return new KilnError('PORT_OPEN_FAILED', `Could not open ${port}: ${stripErrorPrefix(text)}`, {
    hint: 'Unplug and replug the board; if it persists, check that the path is a serial port.',
    details: { port, os: text },
    cause: err,
  });
}

/**
 * Joining the node's group helps only when that group may read and write it and is not root; otherwise (e.g.
 * root:root 0600) only a udev rule changes access. The group comes from the node, never assumed (Arch uses uucp).
 */
function permissionHint(group: { gid: number; name?: string; mode: string } | undefined): string {
  const groupCanUse = group !== undefined && group.gid !== 0 && (parseInt(group.mode, 8) & 0o060) === 0o060;
  if (groupCanUse && group.name) {
    return `Add your user to the \u2018${group.name}\u2019 group (Kiln\u2019s Fix permissions runs: pkexec usermod -aG ${group.name} $USER), then reboot or log out and back in so the new group is active.`;
  }
  if (group) {
    return `No group can open this port (owner gid ${group.gid}, mode ${group.mode}): install Kiln\u2019s udev rule (Fix permissions), then unplug and replug the board.`;
  }
  return 'Give your user read/write access to the port (Kiln\u2019s udev rule, or the group that owns the device node), then log in again.';
}

function permissionDetails(
  port: string,
  os: string,
  group: { gid: number; name?: string; mode: string } | undefined,
  groupName: string | undefined,
): Record<string, string | number> {
  const details: Record<string, string | number> = { port, os };
  if (group) {
    details.gid = group.gid;
    details.mode = group.mode;
    if (groupName) details.group = groupName;
  }
  return details;
}
/** "Error: Inappropriate ioctl for device, cannot open x" -> "Inappropriate ioctl for device, cannot open x". */
function stripErrorPrefix(text: string): string {
  return text.replace(/^Error:?\s*/, '');
}

/** The tty is a pty or otherwise has no modem lines: esptool carries on without reset lines in that case. */
export function isNoModemLinesError(err: unknown): boolean {
  const { code, text } = osCodeAndText(err);
  return code === 'ENOTTY' || /Inappropriate ioctl|ENOTTY/i.test(text);
}

/** A failure that means the device went away rather than a bad request. */
export function isDisconnectError(err: unknown): boolean {
  if ((err as { disconnected?: unknown; disconnect?: unknown } | undefined)?.disconnected === true)
    return true;
  if ((err as { disconnect?: unknown } | undefined)?.disconnect === true) return true;
  const { code, text } = osCodeAndText(err);
  return (
    ['EIO', 'ENXIO', 'ENODEV', 'EBADF'].includes(code) ||
    /\bEIO\b|i\/o error|Input\/output error|No such device|bad file descriptor/i.test(text)
  );
}
