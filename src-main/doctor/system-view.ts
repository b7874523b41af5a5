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
import { constants as fsc, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const FIXTURE_MANIFEST = '/.kiln-sysview.json';

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

function errnoToFailure(e: unknown): ReadFailure {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
  if (code === 'EACCES' || code === 'EPERM') return 'denied';
  return 'error';
}

/** Linux dev_t as glibc encodes it: 12 bits of major and 20 of minor, split across the word. */
export function splitDev(dev: bigint): { major: number; minor: number } {
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

function typeOf(s: { isCharacterDevice(): boolean; isBlockDevice(): boolean; isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean }): NodeType {
  if (s.isCharacterDevice()) return 'char';
  if (s.isBlockDevice()) return 'block';
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isDirectory()) return 'dir';
  if (s.isFile()) return 'file';
  if (s.isFIFO()) return 'fifo';
  if (s.isSocket()) return 'socket';
  return 'other';
}

export function parseStatusIds(status: string): ProcessIdentity {
  const field = (name: string): number[] => {
    const m = status.match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'm'));
    return m ? m[1]!.trim().split(/\s+/).filter(Boolean).map(Number) : [];
  };
  // Uid:/Gid: list real, effective, saved, fs ids; access checks use the effective (fs) id.
  const uids = field('Uid');
  const gids = field('Gid');
  return { uid: uids[1] ?? uids[0] ?? -1, gid: gids[1] ?? gids[0] ?? -1, groups: field('Groups') };
}

abstract class BaseView implements SystemView {
  abstract readonly root: string;
  abstract readonly isLive: boolean;
  constructor(protected readonly envVars: Record<string, string | undefined>) {}

  protected abstract host(p: string): Promise<string>;
  protected abstract hostNoFollow(p: string): string;
  protected abstract deniedPath(p: string): boolean;
  abstract stat(p: string): Promise<NodeStat | undefined>;
  abstract lstat(p: string): Promise<NodeStat | undefined>;
  abstract access(p: string, mode: Access): Promise<boolean>;
  abstract pidAlive(pid: number): Promise<boolean>;
  abstract realPath(p: string): Promise<string | undefined>;

  env(name: string): string | undefined {
    return this.envVars[name];
  }

  async tryReadText(p: string): Promise<{ text: string } | { failure: ReadFailure }> {
    if (this.deniedPath(p)) return { failure: 'denied' };
    try {
      return { text: await fsp.readFile(await this.host(p), 'utf8') };
    } catch (e) {
      return { failure: errnoToFailure(e) };
    }
  }
  async readText(p: string): Promise<string | undefined> {
    const r = await this.tryReadText(p);
    return 'text' in r ? r.text : undefined;
  }
  async tryReadDir(p: string): Promise<{ entries: string[] } | { failure: ReadFailure }> {
    if (this.deniedPath(p)) return { failure: 'denied' };
    try {
      return { entries: (await fsp.readdir(await this.host(p))).sort() };
    } catch (e) {
      return { failure: errnoToFailure(e) };
    }
  }
  async readDir(p: string): Promise<string[] | undefined> {
    const r = await this.tryReadDir(p);
    return 'entries' in r ? r.entries : undefined;
  }
  async tryReadLink(p: string): Promise<{ target: string } | { failure: ReadFailure }> {
    if (this.deniedPath(p) || this.deniedPath(path.posix.dirname(p))) return { failure: 'denied' };
    try {
      return { target: await fsp.readlink(this.hostNoFollow(p)) };
    } catch (e) {
      return { failure: errnoToFailure(e) };
    }
  }
  async readLink(p: string): Promise<string | undefined> {
    const r = await this.tryReadLink(p);
    return 'target' in r ? r.target : undefined;
  }
  async exists(p: string): Promise<boolean> {
    return (await this.lstat(p)) !== undefined;
  }
  async identity(): Promise<ProcessIdentity> {
    const status = await this.readText('/proc/self/status');
    if (status === undefined) throw new Error(`cannot read ${this.root}/proc/self/status`);
    return parseStatusIds(status);
  }
  async commandExists(name: string): Promise<boolean> {
    const dirs = (this.env('PATH') ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':');
    for (const dir of dirs) {
      if (!dir.startsWith('/')) continue;
      const s = await this.stat(path.posix.join(dir, name));
      if (s && s.type === 'file' && (s.mode & 0o111) !== 0) return true;
    }
    return false;
  }
  async userName(uid: number): Promise<string | undefined> {
    const passwd = (await this.readText('/etc/passwd')) ?? '';
    for (const line of passwd.split('\n')) {
      const f = line.split(':');
      if (f.length >= 4 && Number(f[2]) === uid && f[2] !== '') return f[0];
    }
    return undefined;
  }
}

class LiveView extends BaseView {
  readonly root = '/';
  readonly isLive = true;

  protected async host(p: string): Promise<string> {
    return p;
  }
  protected hostNoFollow(p: string): string {
    return p;
  }
  protected deniedPath(): boolean {
    return false;
  }
  private async statWith(p: string, follow: boolean): Promise<NodeStat | undefined> {
    try {
      const s = follow ? await fsp.stat(p, { bigint: true }) : await fsp.lstat(p, { bigint: true });
      return {
        type: typeOf(s),
        mode: Number(s.mode & 0o7777n),
        uid: Number(s.uid),
        gid: Number(s.gid),
        rdev: splitDev(s.rdev),
        dev: splitDev(s.dev),
        ino: s.ino.toString(),
      };
    } catch {
      return undefined;
    }
  }
  stat(p: string): Promise<NodeStat | undefined> {
    return this.statWith(p, true);
  }
  lstat(p: string): Promise<NodeStat | undefined> {
    return this.statWith(p, false);
  }
  async realPath(p: string): Promise<string | undefined> {
    try {
      return await fsp.realpath(p);
    } catch {
      return undefined;
    }
  }
  async access(p: string, mode: Access): Promise<boolean> {
    const bits = (mode.includes('r') ? fsc.R_OK : 0) | (mode.includes('w') ? fsc.W_OK : 0);
    try {
      await fsp.access(p, bits);
      return true;
    } catch {
      return false;
    }
  }
  async pidAlive(pid: number): Promise<boolean> {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  override async userName(uid: number): Promise<string | undefined> {
    const fromFile = await super.userName(uid);
    if (fromFile !== undefined) return fromFile;
    try {
      const info = os.userInfo();
      return info.uid === uid ? info.username : undefined;
    } catch {
      return undefined;
    }
  }
}

class FixtureView extends BaseView {
  readonly isLive = false;
  private manifest: Promise<FixtureManifest> | undefined;

  constructor(
    readonly root: string,
    env: Record<string, string | undefined>,
  ) {
    super(env);
  }

  private loadManifest(): Promise<FixtureManifest> {
    this.manifest ??= fsp
      .readFile(path.join(this.root, FIXTURE_MANIFEST), 'utf8')
      .then((t) => JSON.parse(t) as FixtureManifest)
      .catch(() => ({}));
    return this.manifest;
  }
  private deniedSet: Set<string> | undefined;
  protected deniedPath(p: string): boolean {
    return this.deniedSet?.has(path.posix.normalize(p)) ?? false;
  }
  private async ready(): Promise<FixtureManifest> {
    const m = await this.loadManifest();
    this.deniedSet ??= new Set((m.denied ?? []).map((d) => path.posix.normalize(d)));
    return m;
  }
  override async tryReadText(p: string) {
    await this.ready();
    return super.tryReadText(p);
  }
  override async tryReadDir(p: string) {
    await this.ready();
    return super.tryReadDir(p);
  }
  override async tryReadLink(p: string) {
    await this.ready();
    return super.tryReadLink(p);
  }
  protected async host(p: string): Promise<string> {
    const resolved = (await this.realPath(p)) ?? path.posix.normalize(p);
    return path.join(this.root, resolved);
  }
  protected hostNoFollow(p: string): string {
    return path.join(this.root, path.posix.normalize(p));
  }

  /** Symlink resolution that keeps absolute targets inside the fixture root. */
  async realPath(p: string): Promise<string | undefined> {
    const pending = path.posix.normalize(p).split('/').filter(Boolean);
    const done: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '.') continue;
      if (part === '..') {
        done.pop();
        continue;
      }
      const candidate = '/' + [...done, part].join('/');
      let st;
      try {
        st = await fsp.lstat(path.join(this.root, candidate));
      } catch {
        return undefined;
      }
      if (!st.isSymbolicLink()) {
        done.push(part);
        continue;
      }
      if (++hops > 40) return undefined;
      const target = await fsp.readlink(path.join(this.root, candidate));
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...target.split('/').filter(Boolean));
    }
    return '/' + done.join('/');
  }

  private async statWith(p: string, follow: boolean): Promise<NodeStat | undefined> {
    const manifest = await this.ready();
    const sysPath = follow ? await this.realPath(p) : path.posix.normalize(p);
    if (sysPath === undefined) return undefined;
    let s;
    try {
      s = await fsp.lstat(path.join(this.root, sysPath), { bigint: true });
    } catch {
      return undefined;
    }
    const declared = manifest.nodes?.[sysPath];
    const base: NodeStat = {
      type: typeOf(s),
      mode: Number(s.mode & 0o7777n),
      uid: Number(s.uid),
      gid: Number(s.gid),
      rdev: { major: 0, minor: 0 },
      dev: { major: 0, minor: 0 },
      ino: s.ino.toString(),
    };
    if (!declared) return base;
    return {
      type: declared.type ?? base.type,
      mode: typeof declared.mode === 'number' ? declared.mode : parseInt(declared.mode, 8),
      uid: declared.uid,
      gid: declared.gid,
      rdev: declared.rdev ? { major: declared.rdev[0], minor: declared.rdev[1] } : base.rdev,
      dev: declared.dev ? { major: declared.dev[0], minor: declared.dev[1] } : base.dev,
      ino: declared.ino !== undefined ? String(declared.ino) : base.ino,
    };
  }
  stat(p: string): Promise<NodeStat | undefined> {
    return this.statWith(p, true);
  }
  lstat(p: string): Promise<NodeStat | undefined> {
    return this.statWith(p, false);
  }

  /** POSIX permission check with ACLs (acl(5) "access check algorithm"), for the declared identity. */
  async access(p: string, mode: Access): Promise<boolean> {
    const manifest = await this.ready();
    const real = await this.realPath(p);
    const st = await this.stat(p);
    if (!st || real === undefined) return false;
    const id = await this.identity();
    const want = (mode.includes('r') ? 4 : 0) | (mode.includes('w') ? 2 : 0);
    if (id.uid === 0) return true;
    const acl = manifest.nodes?.[real]?.acl;
    const bits = (s: string | undefined): number => (s?.includes('r') ? 4 : 0) | (s?.includes('w') ? 2 : 0) | (s?.includes('x') ? 1 : 0);
    const groupClass = (st.mode >> 3) & 7;
    const mask = acl ? (acl.mask !== undefined ? bits(acl.mask) : groupClass) : 7;
    if (id.uid === st.uid) return ((st.mode >> 6) & 7 & want) === want;
    const named = acl?.users?.[String(id.uid)];
    if (named !== undefined) return (bits(named) & mask & want) === want;
    const myGroups = new Set([id.gid, ...id.groups]);
    let groupMatched = false;
    // Owning group: with an ACL its permissions are the original group bits; without, the group class.
    const owningGroupPerm = acl ? (acl.groups?.['owner'] !== undefined ? bits(acl.groups['owner']) : groupClass) : groupClass;
    if (myGroups.has(st.gid)) {
      groupMatched = true;
      if ((owningGroupPerm & mask & want) === want) return true;
    }
    for (const [gid, perm] of Object.entries(acl?.groups ?? {})) {
      if (gid === 'owner' || !myGroups.has(Number(gid))) continue;
      groupMatched = true;
      if ((bits(perm) & mask & want) === want) return true;
    }
    if (groupMatched) return false;
    return (st.mode & 7 & want) === want;
  }

  async pidAlive(pid: number): Promise<boolean> {
    return (await this.lstat(`/proc/${pid}`)) !== undefined;
  }
}
