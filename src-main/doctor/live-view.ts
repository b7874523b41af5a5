/** The view of the machine this process runs on: the kernel answers stat and access (ACLs, groups). */
import { constants as fsc, promises as fsp } from 'node:fs';
import os from 'node:os';
import type { Access, NodeStat } from './system-view';
import { BaseView, splitDev, typeOf } from './view-base';

export class LiveView extends BaseView {
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
