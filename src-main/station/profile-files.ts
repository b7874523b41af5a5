/**
 * Profiles that name their firmware by path, as a technician writes them by hand: `"file": "tasmota.bin"`,
 * relative to the profile file. The first use pins each file's SHA-256; every later use refuses a file whose
 * content changed since (FIRMWARE_CHANGED), so a board is never flashed with an image nobody chose.
 *
 * The pins live in a lock file beside the profile (`<profile>.lock`), not in the profile itself: Kiln never
 * rewrites a file a person wrote (no reformatting, no clobbering an edit made while a run starts, nothing to do
 * for a profile on a read-only share once it is pinned), and deleting the lock is the one explicit way to accept
 * new files. A SHA-256 written in the profile next to `file` is a pin too, and wins over the lock.
 *
 * Bytes are hashed by the firmware cache as they are stored (the one hashing path); a changed file's bytes land
 * in the cache unpinned and age out with its quota.
 */
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KilnError } from '../core/errors';
import { readRegularFile } from '../core/named-files';
import { MAX_FIRMWARE_BYTES } from '../vocabulary';
import {
  profileLockSchema,
  type ProfileDocument,
  type ProfileImageDocument,
  type ProfileInput,
  type ProfileLock,
} from './schemas';

/** Where the bytes of a profile's files go (the service's FirmwareCache fits): stores them, says their SHA-256. */
export interface FirmwareStore {
  put(bytes: Uint8Array): Promise<{ sha256: string }>;
}

/** The lock file that holds a profile's pins. */
export function profileLockFile(profileFile: string): string {
  return `${profileFile}.lock`;
}

/** Whether any image of the profile is named by path. */
export function namesFiles(doc: ProfileDocument): boolean {
  return documentImages(doc).some((i) => i.file !== undefined);
}

function documentImages(doc: ProfileDocument): ProfileImageDocument[] {
  return doc.images ?? (doc.builds ?? []).flatMap((b) => b.parts);
}

/** `a\b.bin` and `./a/b.bin` are one file: pins are keyed by the path with forward slashes, normalised. */
function pinKey(file: string): string {
  return path.posix.normalize(file.replace(/\\/g, '/'));
}

async function readLock(lockFile: string): Promise<ProfileLock> {
  // Only a lock that does not exist means "nothing pinned yet"; one that cannot be read is an error, never a
  // reason to pin again.
  if ((await stat(lockFile).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : e))) === null)
    return { version: 1, pins: {} };
  const text = Buffer.from(
    await readRegularFile(lockFile, {
      maxBytes: 1024 * 1024,
      tooLarge: () => new KilnError('BAD_REQUEST', `${lockFile} is too large for a pin file.`),
    }),
  ).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const r = profileLockSchema.safeParse(json);
  if (!r.success)
    throw new KilnError('BAD_REQUEST', `The pin file ${path.basename(lockFile)} is not one Kiln wrote.`, {
      hint: `Delete ${lockFile} to pin the profile's files again as they are now.`,
      details: { file: lockFile },
    });
  return r.data;
}

async function writeLock(lockFile: string, lock: ProfileLock): Promise<void> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  const tmp = `${lockFile}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(lock, null, 2)}\n`);
  await rename(tmp, lockFile);
}

const MB = 1024 * 1024;

async function readFirmwareFile(abs: string, shown: string): Promise<Uint8Array> {
  try {
    return await readRegularFile(abs, {
      maxBytes: MAX_FIRMWARE_BYTES,
      tooLarge: (size) =>
        new KilnError(
          'IMAGE_TOO_LARGE',
          `${shown} is ${(size / MB).toFixed(1)} MB; no flash Kiln writes holds more than ${MAX_FIRMWARE_BYTES / MB} MB.`,
          { hint: 'Check that the profile names the firmware image.', details: { file: abs, size } },
        ),
    });
  } catch (e) {
    if (e instanceof KilnError && e.code === 'IMAGE_TOO_LARGE') throw e;
    throw new KilnError('NOT_FOUND', `The profile names ${shown}, which could not be read.`, {
      hint: `Put the firmware file at ${abs} (paths in a profile are relative to the profile file).`,
      details: { file: abs, reason: e instanceof Error ? e.message : String(e) },
    });
  }
}

/**
 * Turns a profile document into a profile ready to run: every image by path is read, stored in the firmware cache
 * and checked against its pin (new pins are written to the lock). Without a store (listing saved profiles,
 * counting the cache's pins) files are not read and the pins alone name the images; an unpinned file is then
 * NOT_FOUND. Returns the profile as input for the profile schema, which validates it once more.
 */
export async function resolveProfileFiles(
  doc: ProfileDocument,
  profileFile: string,
  store: FirmwareStore | undefined,
): Promise<ProfileInput> {
  const lockFile = profileLockFile(profileFile);
  const lock = await readLock(lockFile);
  const pinned: Record<string, string> = {};
  const resolved = new Map<string, string>();

  async function resolve(img: ProfileImageDocument) {
    if (img.file === undefined) return { ...img, sha256: img.sha256!, name: img.name! };
    const key = pinKey(img.file);
    const pin = img.sha256 ?? lock.pins[key];
    let sha256 = resolved.get(key);
    if (sha256 === undefined) {
      if (!store) {
        if (!pin)
          throw new KilnError('NOT_FOUND', `${img.file} has not been pinned yet.`, {
            hint: `Run \`kiln batch --profile ${profileFile}\` once to pin its files.`,
            details: { file: img.file },
          });
        sha256 = pin;
      } else {
        const abs = path.resolve(path.dirname(profileFile), img.file);
        sha256 = (await store.put(await readFirmwareFile(abs, img.file))).sha256;
        if (pin && pin !== sha256) {
          throw new KilnError(
            'FIRMWARE_CHANGED',
            `${img.file} has changed since it was pinned: pinned ${pin.slice(0, 12)}…, now ${sha256.slice(0, 12)}….`,
            {
              hint:
                img.sha256 !== undefined
                  ? `Put back the file that was pinned, or, if the new file is the one to flash, change the image's sha256 in ${path.basename(profileFile)} to ${sha256}.`
                  : `Put back the file that was pinned, or, if the new file is the one to flash, delete ${lockFile} to pin the files as they are now.`,
              details: { file: abs, pinned: pin, actual: sha256, lockFile },
            },
          );
        }
        if (!pin) pinned[key] = sha256;
      }
      resolved.set(key, sha256);
    }
    return { ...img, sha256, name: img.name ?? path.basename(pinKey(img.file)) };
  }

  // One image after another: two images naming one file read and pin it once.
  const resolveAll = async (imgs: ProfileImageDocument[]) => {
    const out = [];
    for (const img of imgs) out.push(await resolve(img));
    return out;
  };
  const { images, builds, ...rest } = doc;
  const out: ProfileInput = { ...rest };
  if (images) out.images = await resolveAll(images);
  if (builds) {
    out.builds = [];
    for (const b of builds) out.builds.push({ ...b, parts: await resolveAll(b.parts) });
  }
  if (Object.keys(pinned).length > 0)
    await writeLock(lockFile, { version: 1, pins: { ...lock.pins, ...pinned } });
  return out;
}
