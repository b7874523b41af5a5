/**
 * Paths into the read-only shared folder (`../shared` next to the repository): docs, real firmware images and
 * real-world captures. Tests read fixtures from there and never copy them into the repo. A missing folder or
 * file fails with its path, so a broken checkout says what to fetch instead of failing obscurely.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function sharedDir(): string {
  const dir = path.resolve(repoRoot, '..', 'shared');
  if (!existsSync(dir)) throw new Error(`shared fixtures folder ../shared is missing (looked for ${dir})`);
  return dir;
}

export function firmwarePath(name: string): string {
  const dir = path.join(sharedDir(), 'fixtures', 'firmware');
  if (!existsSync(dir))
    throw new Error(`firmware fixtures folder ../shared/fixtures/firmware is missing (looked for ${dir})`);
  const file = path.join(dir, name);
  if (!existsSync(file))
    throw new Error(
      `firmware fixture ${name} is missing from ../shared/fixtures/firmware (looked for ${file})`,
    );
  return file;
}

export function readFirmware(name: string): Buffer {
  return readFileSync(firmwarePath(name));
}
