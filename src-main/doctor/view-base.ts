/** What the live and the fixture views share: text, directory and link reads, identity, PATH lookup, passwd. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Access, NodeStat, NodeType, ProcessIdentity, ReadFailure, SystemView } from './system-view';

export function errnoToFailure(e: unknown): ReadFailure {
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

export function typeOf(s: {
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}): NodeType {
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
export abstract class BaseView implements SystemView {
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
    const dirs = (this.env('PATH') ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(
      ':',
    );
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
