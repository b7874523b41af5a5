/**
 * The simulated chip's factory MAC, and how each chip's eFuse words encode it, so the host's usual decoding
 * (protocol notes §3; esptool-js targets readMac) yields it back. Every simulated device gets its own MAC:
 * from the `mac` option, else derived from the seed under an Espressif OUI.
 */
import { KilnError } from '../core/errors';
import { Rng } from './rng';
import type { SimChip } from './types';

/** OUIs seen on real parts: ESP8266 18:FE:34 (notes §3), ESP32 24:6F:28 (trace_esp32_mac_stub_upload_esptool570.txt). */
const DEFAULT_OUI: Record<SimChip, number[]> = {
  esp8266: [0x18, 0xfe, 0x34],
  esp32: [0x24, 0x6f, 0x28],
  esp32c3: [0x34, 0x85, 0x18],
  // [guess] Espressif-registered OUIs as printed on S3 and C6 DevKit labels; any Espressif OUI would do.
  esp32s3: [0x7c, 0xdf, 0xa1],
  esp32c6: [0x40, 0x4c, 0xca],
};

export function parseMac(mac: string): number[] {
  const parts = mac.split(/[:-]/);
  const bytes = parts.map((p) => parseInt(p, 16));
  if (parts.length !== 6 || bytes.some((b, i) => !/^[0-9a-fA-F]{2}$/.test(parts[i]!) || Number.isNaN(b))) {
    throw new KilnError('BAD_REQUEST', `"${mac}" is not a MAC address.`, {
      hint: 'Write it as six hex pairs, e.g. 18:fe:34:12:34:56.',
    });
  }
  return bytes;
}

export function formatMac(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function simMac(chip: SimChip, seed: number, mac?: string): number[] {
  if (mac) return parseMac(mac);
  const rng = new Rng(seed * 7919 + 17);
  return [...DEFAULT_OUI[chip], rng.int(256), rng.int(256), rng.int(256)];
}

/**
 * ESP8266 eFuse words w0..w3 at 0x3FF00050 + 4n. Decoding (notes §3): OUI = low three bytes of w3 if w3 ≠ 0,
 * else 18:FE:34 when byte 2 of w1 is 0, AC:D0:74 when it is 1; MAC = OUI + w1 byte 1, w1 byte 0, w0 byte 3.
 * Fixed bits copied from a real chip (trace_esp8266_detect_efuse_esptool620.txt: w1 byte 3 = 0x02,
 * w2 = 0xF200B000); w0's low bytes are not in that trace and are 0 here.
 */
export function esp8266Efuse(mac: number[]): number[] {
  const [o0, o1, o2, m3, m4, m5] = mac as [number, number, number, number, number, number];
  let w3 = 0;
  let w1b2 = 0;
  if (o0 === 0x18 && o1 === 0xfe && o2 === 0x34) w1b2 = 0;
  else if (o0 === 0xac && o1 === 0xd0 && o2 === 0x74) w1b2 = 1;
  else w3 = (o0 << 16) | (o1 << 8) | o2;
  const w0 = (m5 << 24) >>> 0;
  const w1 = ((0x02 << 24) | (w1b2 << 16) | (m3 << 8) | m4) >>> 0;
  return [w0, w1, 0xf200b000, w3 >>> 0];
}

/** ESP32 eFuse BLK0 word 1 and 2: MAC = bytes 2–7 of big-endian (word2, word1) (notes §3). */
export function esp32MacWords(mac: number[]): [number, number] {
  const w1 = ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0;
  const w2 = ((mac[0]! << 8) | mac[1]!) >>> 0;
  return [w1, w2];
}
