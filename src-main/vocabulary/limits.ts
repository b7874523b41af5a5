/** Sizes the contract refuses beyond, so a request can never make the service hold or send unbounded data. */

/** One firmware file sent by the renderer (the largest common flash is 16 MB). */
export const MAX_FIRMWARE_BYTES = 16 * 1024 * 1024;
/** Largest flash any supported chip addresses (ESP32-S3 octal); bounds offsets and read sizes. */
export const MAX_FLASH_BYTES = 128 * 1024 * 1024;
export const MAX_IMAGES_PER_FLASH = 16;
/** One monitor write (a typed line or a pasted block). */
export const MAX_MONITOR_WRITE_BYTES = 64 * 1024;
export const MAX_MANIFEST_CHARS = 1024 * 1024;
/** The most boards a station flashes at once when a limit is asked for (a USB hub's worth; default: no limit). */
export const MAX_STATION_CONCURRENCY = 16;
