/** Firmware image handling: pure functions over bytes (no serial, no simulator, no hosts). */
export { inspectImage } from './inspect';
export type { ImageInfo } from './inspect';
export { patchImageHeader } from './patch';
export { buildImage } from './build';
export { parseManifest, pickBuild, resolvePartPath } from './manifest';
export { planImages } from './plan';
export type { PlannedImage } from './plan';
export {
  FLASH_MODES,
  FLASH_SIZE_NIBBLES,
  FLASH_FREQ_NIBBLES,
  headerFamily,
  flashModeName,
} from './header-fields';
