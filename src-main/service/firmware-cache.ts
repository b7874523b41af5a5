/**
 * Content-addressed firmware store: `<dataDir>/firmware/<sha256>.bin`. Bytes come in (from the renderer's File
 * API, the CLI's reads of files the user named, or flash reads); afterwards everything refers to them by
 * SHA-256 only, so reports and profiles name exactly what was flashed and the main process never opens a path
 * a client sent. The file name is derived from the hash alone after checking it is 64 hex digits, so no input
 * can point outside the folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KilnError } from '../core/errors';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface CachedFirmware {
  sha256: string;
  size: number;
  file: string;
}

export class FirmwareCache {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'firmware');
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
    await mkdir(this.dir, { recursive: true });
    const existing = await stat(file).catch(() => undefined);
    if (existing?.size !== bytes.byteLength) {
      // Write to a unique temporary name, then rename: a crash never leaves a truncated file under a valid hash.
      const tmp = path.join(this.dir, `.${sha256}.${randomBytes(6).toString('hex')}.tmp`);
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    }
    return { sha256, size: bytes.byteLength, file };
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
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  async has(sha256: string): Promise<boolean> {
    return (await stat(this.fileFor(sha256)).catch(() => undefined)) !== undefined;
  }
}
