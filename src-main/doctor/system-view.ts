/**
 * Everything the doctor knows about the machine comes through a SystemView rooted at a directory: `/` on a real
 * run, a fixture tree in tests. Paths given to the view are system paths ('/dev/ttyUSB0'); the view maps them
 * under its root and resolves symlinks inside that root (an absolute link target in a fixture tree points into
 * the tree, never out of it).
 *
 * A fixture tree cannot hold real device nodes, owners or ACLs (tests run as root), so a fixture root may carry
 * a manifest, `/.kiln-sysview.json` (FIXTURE_MANIFEST), that declares them: per path the type, mode, owner,
 * device numbers, inode and ACL entries, plus paths that answer EACCES. Access for a fixture root is then
 * evaluated from the identity in `<root>/proc/self/status` against those declared bits — the same rules the
 * kernel applies. A real root asks the kernel (fs.access), which honours ACLs and this process's groups.
 */
import path from 'node:path';
import { FixtureView } from './fixture-view';
import { LiveView } from './live-view';

export { FIXTURE_MANIFEST } from './fixture-view';

export type NodeType = 'char' | 'block' | 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'other';

export interface NodeStat {
  type: NodeType;
  /** Permission bits only (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** For device nodes: the device number of the node itself (188:0 for ttyUSB0). */
  rdev: { major: number; minor: number };
  /** The filesystem the node lives on; /proc/locks names locks by this plus the inode. */
  dev: { major: number; minor: number };
  /** Decimal inode number (string: inodes can exceed 2^53). */
  ino: string;
}

export interface AclEntries {
  /** Named users (uid) with their permissions, e.g. {1000: 'rw'} as set by udev's uaccess tag. */
  users?: Record<string, string>;
  groups?: Record<string, string>;
  /** The ACL mask; limits named entries and the group class. */
  mask?: string;
}

export interface FixtureNode {
  type?: NodeType;
  /** Octal string ('0660') or number. */
  mode: string | number;
  uid: number;
  gid: number;
  rdev?: [number, number];
  dev?: [number, number];
  ino?: number | string;
  acl?: AclEntries;
}

export interface FixtureManifest {
  nodes?: Record<string, FixtureNode>;
  /** Paths whose reads, listings and link reads fail with EACCES (another user's /proc/PID/fd). */
  denied?: string[];
}

export interface ProcessIdentity {
  uid: number;
  gid: number;
  /** Supplementary groups of THIS process (the `Groups:` line of /proc/self/status). */
  groups: number[];
}

export type Access = 'r' | 'w' | 'rw';

/** Why a read failed: missing, forbidden, or something else. */
export type ReadFailure = 'missing' | 'denied' | 'error';

export interface SystemView {
  readonly root: string;
  /** True when the view looks at the machine this process runs on (root `/`). */
  readonly isLive: boolean;
  readText(p: string): Promise<string | undefined>;
  /** Like readText but says why it failed. */
  tryReadText(p: string): Promise<{ text: string } | { failure: ReadFailure }>;
  readDir(p: string): Promise<string[] | undefined>;
  tryReadDir(p: string): Promise<{ entries: string[] } | { failure: ReadFailure }>;
  readLink(p: string): Promise<string | undefined>;
  tryReadLink(p: string): Promise<{ target: string } | { failure: ReadFailure }>;
  /** Resolves every symlink inside the view; undefined if a component is missing. */
  realPath(p: string): Promise<string | undefined>;
  exists(p: string): Promise<boolean>;
  stat(p: string): Promise<NodeStat | undefined>;
  lstat(p: string): Promise<NodeStat | undefined>;
  /** May this process open the path for reading and/or writing? */
  access(p: string, mode: Access): Promise<boolean>;
  /** The identity of the process being diagnosed (this one on a live view). */
  identity(): Promise<ProcessIdentity>;
  env(name: string): string | undefined;
  /** Is the process alive? (kill(pid, 0) on a live view; /proc/PID present in a fixture.) */
  pidAlive(pid: number): Promise<boolean>;
  /** Is an executable of this name on PATH (inside the view)? */
  commandExists(name: string): Promise<boolean>;
  /** The user name for a uid from /etc/passwd (live view: falls back to the OS, e.g. for LDAP users). */
  userName(uid: number): Promise<string | undefined>;
}

export interface SystemViewOptions {
  /** Directory that stands for `/`. Default `/`. */
  root?: string;
  /** Environment variables to consult (SNAP, WSL_DISTRO_NAME, PATH). Default: process.env on a live view, {} otherwise. */
  env?: Record<string, string | undefined>;
}

export function createSystemView(opts: SystemViewOptions = {}): SystemView {
  const root = path.resolve(opts.root ?? '/');
  const live = root === '/';
  const env = opts.env ?? (live ? process.env : {});
  return live ? new LiveView(env) : new FixtureView(root, env);
}
