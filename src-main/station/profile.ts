/**
 * Profiles on disk and their firmware: load/save as JSON (validated with the profile schema, so a hand-edited
 * file with a typo is refused with the field named), and resolution of every image against the firmware cache.
 * A profile whose firmware is missing from the cache names each file to add, with its SHA-256.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KilnError } from '../core/errors';
import { readRegularFile } from '../core/named-files';
import type { ChipName } from '../esp/api';
import type { z } from 'zod';
import { namesFiles, resolveProfileFiles, type FirmwareStore } from './profile-files';
import { profileDocumentSchema, profileSchema, type Profile, type ProfileImage } from './schemas';

/** Where a station finds firmware bytes by SHA-256 (the service's FirmwareCache fits). */
export interface FirmwareSource {
  get(sha256: string): Promise<Uint8Array>;
  has(sha256: string): Promise<boolean>;
}

export function parseProfile(value: unknown, source = 'the profile'): Profile {
  return validated(profileSchema, value, source);
}

/** Either profile schema's verdict, or BAD_REQUEST naming the first field at fault. */
function validated<S extends typeof profileSchema | typeof profileDocumentSchema>(
  schema: S,
  value: unknown,
  source: string,
): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 8).map((i) => `${i.path.join('.') || '(profile)'}: ${i.message}`);
    throw new KilnError('BAD_REQUEST', `${source} is not a valid station profile: ${issues[0]}.`, {
      hint: 'Fix the field named, or save the profile again from the Station screen.',
      details: { issues },
    });
  }
  return r.data as z.output<S>;
}

/** A profile is a small JSON file; anything larger is not one (and is not read). */
const PROFILE_LIMITS = {
  maxBytes: 1024 * 1024,
  tooLarge: (size: number) =>
    new KilnError('BAD_REQUEST', `The profile is ${size} bytes; a profile is a small JSON file.`, {
      hint: 'Name a profile saved from the Station screen.',
    }),
};

/**
 * Reads, validates and resolves a profile file. Images named by path are read relative to the profile, stored in
 * `store` and checked against their pins (profile-files.ts); without a store only the pins name them.
 */
export async function loadProfileFile(file: string, store?: FirmwareStore): Promise<Profile> {
  let text: string;
  try {
    text = Buffer.from(await readRegularFile(file, PROFILE_LIMITS)).toString('utf8');
  } catch (e) {
    throw new KilnError('NOT_FOUND', `The profile ${file} could not be read.`, {
      hint: 'Check the path; profiles are JSON files saved from the Station screen or written by hand.',
      details: { file, reason: e instanceof Error ? e.message : String(e) },
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new KilnError('BAD_REQUEST', `The profile ${file} is not JSON.`, {
      hint: 'Fix the syntax error, or save the profile again from the Station screen.',
      details: { file, reason: e instanceof Error ? e.message : String(e) },
    });
  }
  const source = `The profile ${path.basename(file)}`;
  const doc = validated(profileDocumentSchema, json, source);
  if (!namesFiles(doc)) return parseProfile(json, source);
  return parseProfile(await resolveProfileFiles(doc, file, store), source);
}

/** Writes a profile atomically (temporary file, then rename). */
export async function saveProfileFile(file: string, profile: Profile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(profile, null, 2)}\n`);
  await rename(tmp, file);
}

/** Every image a profile names (all builds for a manifest profile). */
export function profileImages(profile: Profile): ProfileImage[] {
  return profile.images ?? (profile.builds ?? []).flatMap((b) => b.parts);
}

/** The images missing from the cache, each once. */
export async function missingFirmware(profile: Profile, firmware: FirmwareSource): Promise<ProfileImage[]> {
  const seen = new Set<string>();
  const missing: ProfileImage[] = [];
  for (const img of profileImages(profile)) {
    if (seen.has(img.sha256)) continue;
    seen.add(img.sha256);
    if (!(await firmware.has(img.sha256))) missing.push(img);
  }
  return missing;
}

/** Throws NOT_FOUND naming every file to add when any image of the profile is not in the cache. */
export async function assertFirmwarePresent(profile: Profile, firmware: FirmwareSource): Promise<void> {
  const missing = await missingFirmware(profile, firmware);
  if (missing.length === 0) return;
  const names = missing.map((m) => `${m.name} (SHA-256 ${m.sha256.slice(0, 12)}…)`).join(', ');
  throw new KilnError(
    'NOT_FOUND',
    `Profile "${profile.name}" needs firmware that is not in Kiln's cache: ${names}.`,
    {
      hint: `Add ${missing.map((m) => m.name).join(', ')} (the exact same file${missing.length > 1 ? 's' : ''}) in the Station screen, or with \`kiln batch\` next to the profile.`,
      details: { missing: missing.map((m) => `${m.name} ${m.sha256}`), sha256: missing.map((m) => m.sha256) },
    },
  );
}

/** The images for a board of this chip: the profile's images, or the build for its chip family. */
export function imagesForChip(profile: Profile, chip: ChipName): ProfileImage[] {
  if (profile.images) return profile.images;
  const build = profile.builds?.find((b) => b.chip === chip);
  if (!build) {
    throw new KilnError('MANIFEST_NO_BUILD', `Profile "${profile.name}" has no firmware for an ${chip}.`, {
      hint: `Add a build for ${chip} to the profile, or put this board aside. Builds: ${(profile.builds ?? []).map((b) => b.chip).join(', ')}.`,
      details: { chip },
    });
  }
  return build.parts;
}
