/**
 * Which cached firmware must survive the cache's quota: what running flash jobs and the running station use
 * (held while they run), and every image a saved station profile names (read from the profiles folder when
 * the cache trims, so a profile saved by any means counts).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadProfileFile, profileImages } from '../station/profile';

export class FirmwarePins {
  private readonly held = new Map<string, number>();

  constructor(private readonly profilesDir: string) {}

  /** Pins the hashes until the returned release is called (each hold released once). */
  hold(hashes: Iterable<string>): () => void {
    const list = [...hashes];
    for (const h of list) this.held.set(h, (this.held.get(h) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const h of list) {
        const n = (this.held.get(h) ?? 1) - 1;
        if (n <= 0) this.held.delete(h);
        else this.held.set(h, n);
      }
    };
  }

  async all(): Promise<Set<string>> {
    const pinned = new Set(this.held.keys());
    const names = await readdir(this.profilesDir).catch(() => [] as string[]);
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      const profile = await loadProfileFile(path.join(this.profilesDir, n)).catch(() => undefined);
      for (const img of profile ? profileImages(profile) : []) pinned.add(img.sha256);
    }
    return pinned;
  }
}
