/**
 * A fixture tree standing for `/`: symlinks resolve inside the tree, and the manifest declares what files
 * cannot carry in a test run as root (device types, owners, modes, device numbers, ACLs, EACCES paths).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Access, FixtureManifest, NodeStat } from './system-view';
import { BaseView, typeOf } from './view-base';

/** Where a fixture root declares its nodes (see FixtureManifest). */
export const FIXTURE_MANIFEST = '/.kiln-sysview.json';

export class FixtureView extends BaseView {
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
    const bits = (s: string | undefined): number =>
      (s?.includes('r') ? 4 : 0) | (s?.includes('w') ? 2 : 0) | (s?.includes('x') ? 1 : 0);
    const groupClass = (st.mode >> 3) & 7;
    const mask = acl ? (acl.mask !== undefined ? bits(acl.mask) : groupClass) : 7;
    if (id.uid === st.uid) return ((st.mode >> 6) & 7 & want) === want;
    const named = acl?.users?.[String(id.uid)];
    if (named !== undefined) return (bits(named) & mask & want) === want;
    const myGroups = new Set([id.gid, ...id.groups]);
    let groupMatched = false;
    // Owning group: with an ACL its permissions are the original group bits; without, the group class.
    const owningGroupPerm = acl
      ? acl.groups?.['owner'] !== undefined
        ? bits(acl.groups['owner'])
        : groupClass
      : groupClass;
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
