/**
 * ESP Web Tools `manifest.json` (https://esphome.github.io/esp-web-tools/): a name, a version, and builds per
 * chip family, each a list of parts {path, offset}. Parsing is pure: the caller reads the manifest and the
 * part files; `resolvePartPath` only says which local file a part names, and refuses anything outside the
 * manifest's folder or on the network (Kiln never fetches).
 */
import path from 'node:path';
import { z } from 'zod';
import type { ChipName } from '../api';
import { KilnError } from '../../core/errors';
import { CHIP_IDENTITIES } from '../chips/table';

const PartSchema = z.object({
  path: z.string().min(1),
  offset: z.number().int().nonnegative(),
});

const BuildSchema = z
  .object({
    // Families Kiln has no chip for (ESP32-C5, ESP32-P4…) are kept: they only matter to pickBuild.
    chipFamily: z.string().min(1),
    parts: z.array(PartSchema).min(1),
    improv: z.boolean().optional(),
    ota: z.unknown().optional(),
  })
  .loose();

export const ManifestSchema = z
  .object({
    name: z.string().min(1),
    version: z.string().optional(),
    home_assistant_domain: z.string().optional(),
    funding_url: z.string().optional(),
    new_install_prompt_erase: z.boolean().optional(),
    /** Deprecated in ESP Web Tools, still found in the wild. */
    new_install_skip_erase: z.boolean().optional(),
    new_install_improv_wait_time: z.number().nonnegative().optional(),
    builds: z.array(BuildSchema).min(1),
  })
  .loose();

export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestBuild = z.infer<typeof BuildSchema>;

const HINT_SCHEMA =
  'Check the manifest against the ESP Web Tools format: {name, builds: [{chipFamily, parts: [{path, offset}]}]}.';

/** Accepts the manifest's JSON text or the already-parsed value. */
export function parseManifest(input: string | unknown, name = 'manifest.json'): Manifest {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new KilnError('MANIFEST_INVALID', `${name} is not JSON: ${(e as Error).message}`, {
        hint: HINT_SCHEMA,
        details: { file: name },
      });
    }
  }
  const result = ManifestSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    throw new KilnError('MANIFEST_INVALID', `${name}: ${where}: ${issue?.message ?? 'invalid'}`, {
      hint: HINT_SCHEMA,
      details: {
        file: name,
        issues: result.error.issues.map(
          (i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`,
        ),
      },
    });
  }
  return result.data;
}

/** The build for this chip (matched on `chipFamily`, case-insensitively), or MANIFEST_NO_BUILD listing what there is. */
export function pickBuild(manifest: Manifest, chip: ChipName): ManifestBuild {
  const family = CHIP_IDENTITIES[chip].manifestFamily;
  const build = manifest.builds.find((b) => b.chipFamily.toUpperCase() === family.toUpperCase());
  if (build) return build;
  const have = manifest.builds.map((b) => b.chipFamily);
  throw new KilnError(
    'MANIFEST_NO_BUILD',
    `"${manifest.name}" has no ${family} build (it has: ${have.join(', ')})`,
    {
      hint: `This firmware is not made for an ${CHIP_IDENTITIES[chip].displayName}. Pick firmware built for it.`,
      details: { chip, family, families: have },
    },
  );
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const WINDOWS_DRIVE = /^[a-z]:[\\/]/i;

/**
 * The local path of a part, relative to the manifest's folder. Rejects absolute paths, drive letters, UNC
 * paths, URLs of any scheme (http:, https:, file:, data:) and paths that climb out with `..`.
 */
export function resolvePartPath(manifestPath: string, partPath: string): string {
  const reject = (why: string): KilnError =>
    new KilnError('MANIFEST_INVALID', `part "${partPath}": ${why}`, {
      hint: 'Kiln reads parts only from the folder that holds manifest.json. Download the parts next to it and use relative paths.',
      details: { manifest: manifestPath, part: partPath },
    });
  if (URL_SCHEME.test(manifestPath) && !WINDOWS_DRIVE.test(manifestPath))
    throw reject('the manifest itself is a URL; Kiln does not download');
  if (WINDOWS_DRIVE.test(partPath) || URL_SCHEME.test(partPath))
    throw reject(WINDOWS_DRIVE.test(partPath) ? 'is an absolute path' : 'is a URL; Kiln does not download');
  if (partPath.startsWith('/') || partPath.startsWith('\\')) throw reject('is an absolute path');
  const segments = partPath.split(/[\\/]+/);
  if (segments.includes('..')) throw reject('climbs out of the manifest folder with ".."');
  return path.join(path.dirname(manifestPath), ...segments);
}
