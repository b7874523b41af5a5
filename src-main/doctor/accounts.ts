/**
 * Users and groups as the doctor needs them: who this process runs as, which groups the account database
 * (/etc/group, /etc/passwd) gives the user, and which groups THIS process actually carries. The two differ
 * after `usermod -aG`: the database changes at once, a running login keeps the groups it started with.
 * Only the files are read (no NSS): a group granted through LDAP shows as "not in the database" here.
 */
import type { SystemView } from './system-view';

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

export interface Who {
  uid: number;
  /** Undefined when the uid has no passwd entry (a container, a deleted account). */
  user: string | undefined;
  gid: number;
  /** Effective gid plus supplementary groups of the process. */
  processGids: number[];
}

export function parseGroupFile(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3 || !/^\d+$/.test(f[2]!)) continue;
    out.push({
      name: f[0]!,
      gid: Number(f[2]),
      members: (f[3] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    });
  }
  return out;
}

export function parsePasswdFile(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) continue;
    out.push({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]) });
  }
  return out;
}

export class Accounts {
  private constructor(
    readonly groups: GroupEntry[],
    readonly passwd: PasswdEntry[],
  ) {}

  static async load(view: SystemView): Promise<Accounts> {
    const [g, p] = await Promise.all([view.readText('/etc/group'), view.readText('/etc/passwd')]);
    return new Accounts(parseGroupFile(g ?? ''), parsePasswdFile(p ?? ''));
  }

  groupName(gid: number): string | undefined {
    return this.groups.find((g) => g.gid === gid)?.name;
  }

  /** Name, or the number as text when /etc/group does not know it. */
  groupLabel(gid: number): string {
    return this.groupName(gid) ?? String(gid);
  }

  userLabel(uid: number): string {
    return this.passwd.find((p) => p.uid === uid)?.name ?? String(uid);
  }

  /** Membership in the database: listed as a member, or the group is the user's primary group. */
  userInGroupDb(user: string | undefined, gid: number): boolean {
    if (user === undefined) return false;
    if (this.passwd.some((p) => p.name === user && p.gid === gid)) return true;
    return this.groups.some((g) => g.gid === gid && g.members.includes(user));
  }

  /** Names of the groups the database gives the user (what `id -Gn USER` prints from files). */
  dbGroupsOf(user: string | undefined): string[] {
    if (user === undefined) return [];
    const primary = this.passwd.find((p) => p.name === user)?.gid;
    const names = this.groups.filter((g) => g.gid === primary || g.members.includes(user)).map((g) => g.name);
    return [...new Set(names)];
  }
}

export async function whoAmI(view: SystemView): Promise<Who> {
  const id = await view.identity();
  const user = await view.userName(id.uid);
  return { uid: id.uid, user, gid: id.gid, processGids: [...new Set([id.gid, ...id.groups])] };
}
