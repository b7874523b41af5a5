/**
 * The one shape of a post-flash boot check, as a single flash returns it (`JobResult.boot`) and as a station
 * record stores it (`DeviceRecord.bootCheck`). Pure zod and nothing from Node, so the contract and the station's
 * schemas both build on it and the renderer can import its type.
 */
import { z } from 'zod';

const bootVerdictSchema = z.enum(['booted', 'boot-loop', 'no-app', 'download-mode', 'garbage', 'silent']);

/**
 * What the board printed after the post-flash hard reset, read by the doctor (doctor/boot-check.ts). A single
 * flash reports it as a warning (the bytes are verified); a station whose profile asks for it fails the board
 * on anything but "booted".
 */
export const bootCheckResultSchema = z.object({
  verdict: bootVerdictSchema,
  /** One sentence a person can act on. */
  summary: z.string(),
  /** What was heard, quoted with its baud, or byte counts. */
  evidence: z.array(z.string()),
  /** Next steps, first to try first (absent when the board booted). */
  advice: z.array(z.string()).optional(),
  /** Set when the advice is to flash again with another flash mode, first to try first ('dout', then 'dio'). */
  retryFlashModes: z.array(z.enum(['dout', 'dio'])).optional(),
  /** The ROM log baud (ESP8266 74880; the app pass is at 115200). */
  baud: z.number().int(),
  listenedMs: z.number(),
  /** The first readable lines heard (bounded), exactly as received. */
  heard: z.array(z.string()),
  /** Resets seen in the boot text (ROM banners); 2 or more in the window is a boot loop. */
  resets: z.number().int().optional(),
  /** Bytes heard in all, and how many of them were not readable text. */
  bytes: z.number().int().optional(),
  unreadableBytes: z.number().int().optional(),
});
export type BootCheckResult = z.output<typeof bootCheckResultSchema>;
