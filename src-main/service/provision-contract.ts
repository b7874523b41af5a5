/**
 * Provisioning's part of the contract (spread into `methods` in contract.ts): Wi-Fi and MQTT set-up over the
 * serial console after a flash. Passwords arrive as plain strings — the contract is a wire format — and the
 * service wraps them in `Secret` at once (service/provision-method.ts); no output field carries one, and every line
 * heard comes back with them replaced.
 */
import { z } from 'zod';
import { portPathSchema } from './contract-schemas';

/** WPA2 passphrases are 8–63 characters (64 hex digits for a raw key); open networks have none. */
const passwordSchema = z.string().max(64);
const shortText = z.string().min(1).max(64);

export const provisionSettingsSchema = z.object({
  wifi: z
    .array(z.object({ ssid: z.string().min(1).max(32), password: passwordSchema }))
    .min(1)
    .max(2),
  hostname: z.string().min(1).max(63).optional(),
  mqtt: z
    .object({
      host: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65535).optional(),
      user: shortText.optional(),
      password: passwordSchema.optional(),
      topic: shortText.optional(),
    })
    .optional(),
  module: z
    .string()
    .regex(/^\d{1,3}$/)
    .optional(),
  template: z.string().max(400).optional(),
  extraCommands: z.array(z.string().min(1).max(200)).max(10).optional(),
});

export const provisionResultSchema = z.object({
  firmware: z.enum(['tasmota', 'improv']),
  ip: z.string(),
  hostname: z.string().optional(),
  mqtt: z.enum(['connected', 'failed', 'not-configured', 'unknown']),
  mqttDetail: z.string().optional(),
  url: z.string().optional(),
  /** Every line heard from the firmware, passwords replaced by "[secret]". */
  heard: z.array(z.string()),
});

export const provisionMethods = {
  /**
   * Finds what runs on the port (Tasmota console or Improv responder) and sets up its Wi-Fi (and, on Tasmota,
   * host name and MQTT); resolves when the device reports an address. FIRMWARE_NOT_DETECTED, WIFI_JOIN_FAILED and
   * TIMEOUT carry `details.heard` (redacted).
   */
  provision: {
    input: z.object({
      port: portPathSchema,
      settings: provisionSettingsSchema,
      /** Upper bound for joining the Wi-Fi (restart included), default 30 s. */
      timeoutMs: z.number().int().min(1000).max(300_000).optional(),
    }),
    output: provisionResultSchema,
  },
};
