/**
 * The flasher stub's own time per DATA block, on top of the line and the flash (issue 11's latency-honest model):
 * - the checksum and length checks run over the whole block before the ack goes out (esp-flasher-stub and the
 *   legacy stub both verify, then acknowledge, then write: protocol notes §4), so their time is on the host's
 *   critical path;
 * - inflating a FLASH_DEFL_DATA block (tinfl / miniz on the chip) happens after the ack, before the write.
 * No capture here measures either; the figures are [guess]es from clock speed: a byte loop of ~8 cycles per byte
 * for the checksum, and tinfl at ~20–40 cycles per output byte.
 * - reading flash and hashing it (SPI_FLASH_MD5, and READ_FLASH's packets with their running MD5). One real
 *   observation: an esptool v2 `--trace` of an ESP8266 (WiFi D1 mini PRO, CP2104, legacy stub) verifying
 *   261,840 bytes got the reply's header 107 ms after the command and its 16-byte MD5 body 309 ms after the
 *   header — chip time, since the header had already gone out — so at least 309 ms, ≈ 1.2 ms per KB (≈ 0.85 MB/s),
 *   more than twice the 0.5 ms/KB guessed before. Taken for the ESP8266 with either stub (esp-flasher-stub's
 *   rate is not measured: [guess] alike); the ESP32 family keeps the [guess] 0.5 ms/KB (faster CPU and SPI).
 */
import type { SimChip } from './types';

export interface StubTiming {
  /** Checks before the ack, per KB of block payload. */
  checkMsPerKB: number;
  /** Inflate, per KB of decompressed output. */
  inflateMsPerKB: number;
  /** Reading flash and hashing it, per KB (MD5 verify, READ_FLASH). */
  hashMsPerKB: number;
}

export const STUB_TIMING: Record<SimChip, StubTiming> = {
  // 80 MHz Xtensa LX106 [guess]: 8 cycles/byte → 0.1 ms/KB; ~40 cycles/byte inflate → 0.5 ms/KB (2 MB/s).
  esp8266: { checkMsPerKB: 0.1, inflateMsPerKB: 0.5, hashMsPerKB: 1.2 },
  // 160 MHz (the stub's clock on ESP32/C3/S3/C6 without a PLL change) [guess]: half the ESP8266's times.
  esp32: { checkMsPerKB: 0.05, inflateMsPerKB: 0.25, hashMsPerKB: 0.5 },
  esp32c3: { checkMsPerKB: 0.05, inflateMsPerKB: 0.25, hashMsPerKB: 0.5 },
  esp32s3: { checkMsPerKB: 0.05, inflateMsPerKB: 0.25, hashMsPerKB: 0.5 },
  esp32c6: { checkMsPerKB: 0.05, inflateMsPerKB: 0.25, hashMsPerKB: 0.5 },
};
