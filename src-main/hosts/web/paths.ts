/**
 * Where browser mode keeps its data: the same folder Electron's `app.getPath('userData')` gives the desktop app
 * (so both modes share the firmware cache, backups and settings), and the repository's build output.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'Kiln';

export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_NAME);
}

/**
 * The repository root: the nearest folder above this module with a package.json. This module runs from
 * src-main/hosts/web/ (tests, tsx) and from the bundle in dist/cli/ (`npm run web`), at different depths.
 */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Kiln: cannot find the folder that holds package.json');
    dir = parent;
  }
  return dir;
}
