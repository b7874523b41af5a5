/** Firmware image handling: pure functions over bytes (no serial, no simulator, no hosts). */
export { inspectImage, chipDisplayName } from './inspect';
export type { ImageInfo, ImageKind, ImageSegmentInfo, ExtendedHeader, EmbeddedPart } from './inspect';
export { patchImageHeader } from './patch';
export type { PatchOptions } from './patch';
export { buildImage } from './build';
export type { BuildImageOptions, BuildSegment } from './build';
export { parseManifest, pickBuild, resolvePartPath, ManifestSchema } from './manifest';
export type { Manifest, ManifestBuild, ManifestPart } from './manifest';
export { planImages } from './plan';
export type { PlanInput, PlanOptions, PlannedImage } from './plan';
export { parsePartitionTable, looksLikePartitionTable } from './partition-table';
export type { PartitionEntry, PartitionTableInfo } from './partition-table';
export {
  FLASH_MODES,
  FLASH_SIZE_NIBBLES,
  FLASH_FREQ_NIBBLES,
  headerFamily,
  flashSizeBytes,
  flashSizeName,
  flashFreqName,
  flashModeName,
  flashSizeNibble,
  flashFreqNibble,
  flashModeByte,
} from './header-fields';
export type { FlashModeName, HeaderFamily } from './header-fields';
export { isFlashMapped } from './address-map';
