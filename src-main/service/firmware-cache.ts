/**
 * Content-addressed firmware store: `<dataDir>/firmware/<sha256>.bin`. Bytes come in (from the renderer's File
 * API, the CLI's reads of files the user named, or flash reads); afterwards everything refers to them by
 * SHA-256 only, so reports and profiles name exactly what was flashed and the main process never opens a path
 * a client sent. The file name is derived from the hash alone after checking it is 64 hex digits, so no input
 * can point outside the folder.
 *
 * The cache has a size quota (a page can add firmware as fast as it can send it): after each store, the least
 * recently used files (by modification time, refreshed on every read) are removed until the cache fits, never
 * one that is pinned — referenced by a running job, the running station or a saved profile — nor the one just
 * stored. A removed file is simply added again when someone names it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KilnError } from '../core/errors';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../core/private-files';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface CachedFirmware {
  sha256: string;
  size: number;
  file: string;
}

/** Default quota: room for many 4 MB images and a few full 16 MB flash reads. */
export const DEFAULT_FIRMWARE_CACHE_BYTES = 256 * 1024 * 1024;

export interface FirmwareCacheOptions {
  quotaBytes?: number;
  /** Hashes that must stay (running jobs, the running station, saved profiles). */
  pinned?: () => Promise<Iterable<string>>;
}

export class FirmwareCache {
  readonly dir: string;
  readonly quotaBytes: number;
  private readonly pinned: () => Promise<Iterable<string>>;
  /** Quota passes run one at a time. */
  private trimming: Promise<void> = Promise.resolve();

  constructor(dataDir: string, options: FirmwareCacheOptions = {}) {
    this.dir = path.join(dataDir, 'firmware');
    this.quotaBytes = options.quotaBytes ?? DEFAULT_FIRMWARE_CACHE_BYTES;
    this.pinned = options.pinned ?? (async () => []);
  }

  /** Where a hash lives; throws BAD_REQUEST for anything that is not a lower-case SHA-256. */
  fileFor(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) {
      throw new KilnError(
        'BAD_REQUEST',
        'A firmware reference must be a lower-case SHA-256 (64 hex digits).',
        {
          hint: 'Add the firmware file again.',
        },
      );
    }
    return path.join(this.dir, `${sha256}.bin`);
  }

  /** Stores bytes (idempotent: the same bytes give the same hash and one file). */
  async put(bytes: Uint8Array): Promise<CachedFirmware> {
    const sha256 = sha256Hex(bytes);
    const file = this.fileFor(sha256);
    // Reads of a board's flash are cached too, and they hold Wi-Fi passwords: owner-only folder and files.
    await ensurePrivateDir(this.dir);
    const existing = await stat(file).catch(() => undefined);
    if (existing?.size !== bytes.byteLength) {
      // Write to a unique temporary name, then rename: a crash never leaves a truncated file under a valid hash.
      const tmp = path.join(this.dir, `.${sha256}.${randomBytes(6).toString('hex')}.tmp`);
      await writeFile(tmp, bytes, { mode: PRIVATE_FILE_MODE });
      await rename(tmp, file);
    } else await touch(file);
    await this.trim(sha256);
    return { sha256, size: bytes.byteLength, file };
  }

  /** Removes least recently used, unpinned files until the cache fits its quota (`keep` stays regardless). */
  trim(keep?: string): Promise<void> {
    const pass = this.trimming.then(async () => {
      const names = (await readdir(this.dir).catch(() => [] as string[])).filter((n) =>
        /^[0-9a-f]{64}\.bin$/.test(n),
      );
      const files = (
        await Promise.all(
          names.map(async (n) => {
            const st = await stat(path.join(this.dir, n)).catch(() => undefined);
            return st ? { sha256: n.slice(0, 64), size: st.size, used: st.mtimeMs } : undefined;
          }),
        )
      ).filter((f) => f !== undefined);
      let total = files.reduce((sum, f) => sum + f.size, 0);
      if (total <= this.quotaBytes) return;
      const pinned = new Set(await this.pinned());
      if (keep) pinned.add(keep);
      for (const f of files.filter((x) => !pinned.has(x.sha256)).sort((a, b) => a.used - b.used)) {
        if (total <= this.quotaBytes) break;
        await unlink(path.join(this.dir, `${f.sha256}.bin`)).catch(() => undefined);
        total -= f.size;
      }
    });
    this.trimming = pass.catch(() => undefined);
    return pass;
  }

  /** The bytes for a hash, re-hashed on the way out; NOT_FOUND when absent or damaged. */
  async get(sha256: string): Promise<Uint8Array> {
    const file = this.fileFor(sha256);
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch {
      throw new KilnError('NOT_FOUND', `No cached firmware with SHA-256 ${sha256.slice(0, 12)}….`, {
        hint: 'Add the firmware file again; the cache may have been cleared.',
        details: { sha256 },
      });
    }
    if (sha256Hex(data) !== sha256) {
      await unlink(file).catch(() => undefined);
      throw new KilnError(
        'NOT_FOUND',
        `The cached firmware ${sha256.slice(0, 12)}… was damaged and has been removed.`,
        {
          hint: 'Add the firmware file again.',
          details: { sha256 },
        },
      );
    }
    await touch(file);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  async has(sha256: string): Promise<boolean> {
    return (await stat(this.fileFor(sha256)).catch(() => undefined)) !== undefined;
  }
}

/** Marks a file as just used (its modification time is the cache's LRU clock). */
async function touch(file: string): Promise<void> {
  const now = new Date();
  await utimes(file, now, now).catch(() => undefined);
}
