/**
 * What a boot check reports, and the evidence helpers the per-chip readers (boot-esp8266.ts, boot-esp32.ts) share:
 * lines quoted with their baud, app text picked out, a stream shown as shortened hex.
 */
import type { ChipName } from '../esp/api';
import type { HeardLine } from './capture-facts';
import { isAppLine } from './sync-rules';

export type BootVerdict = 'booted' | 'boot-loop' | 'no-app' | 'download-mode' | 'garbage' | 'silent';
/** Flash modes the advice may offer to re-flash with, first to try first. */
export type RetryFlashMode = 'dout' | 'dio';
export type HeaderFlashMode = 'qio' | 'qout' | 'dio' | 'dout';

export interface BootReport {
  verdict: BootVerdict;
  /** One sentence a person can act on. */
  summary: string;
  /** What was heard, quoted with its baud, or byte counts. */
  evidence: string[];
  /** Next steps, first to try first (empty when the board booted). */
  advice: string[];
  /** Set when the advice is a re-flash with another flash mode (the UI offers it as one click). */
  retryFlashModes: RetryFlashMode[];
  /** The ROM log baud (ESP8266 74880, others 115200). */
  baud: number;
  listenedMs: number;
  /** ROM reset banners heard. */
  resets: number;
  /** The first readable lines, trimmed (bounded). */
  heard: string[];
  bytes: number;
  unreadableBytes: number;
}

export interface BootCheckContext {
  chip: ChipName;
  /** The flash mode now in the header of the image at 0x0 (ESP8266), when known. */
  flashMode?: HeaderFlashMode | undefined;
  /** This flash wrote the bootloader (at the chip's bootloader offset) and the partition table (0x8000). */
  wroteBootParts?: boolean | undefined;
}

export type Make = (
  verdict: BootVerdict,
  resets: number,
  summary: string,
  evidence: string[],
  advice?: string[],
  retry?: RetryFlashMode[],
) => BootReport;

export function find(lines: HeardLine[], re: RegExp): HeardLine[] {
  return lines.filter((l) => re.test(l.text));
}

export function appText(lines: HeardLine[]): HeardLine[] {
  return lines.filter((l) => isAppLine(l.text.trim()));
}

/** Bytes of a stream in hex, shortened. */
export function preview(s: { baud: number; bytes: Buffer; text: { otherBytes: number } }): string {
  const hex = [...s.bytes.subarray(0, 24)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${s.bytes.length} bytes at ${s.baud} baud, ${s.text.otherBytes} unreadable: ${hex}${s.bytes.length > 24 ? ' \u2026' : ''}`;
}

export function quote(l: HeardLine): string {
  return `"${l.text.trim()}" at ${l.baud} baud`;
}
