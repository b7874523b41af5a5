/**
 * Parsing what people type after `kiln`: numbers in hex or decimal (with K/M units for sizes), FILE@OFFSET,
 * OFFSET:SIZE regions, and bauds from the vocabulary's allowlist. Every refusal is a BAD_REQUEST that names the
 * text it refused and shows a form that works, and maps to the usage exit code.
 */
import { KilnError } from '../../core/errors';
import { BAUD_RATES, MAX_FLASH_BYTES } from '../../vocabulary';

export function usageError(message: string, hint: string): KilnError {
  return new KilnError('BAD_REQUEST', message, { hint });
}

const UNITS: Record<string, number> = { '': 1, k: 1024, kb: 1024, m: 1024 * 1024, mb: 1024 * 1024 };

/** `0x1000`, `4096`, `4K`, `1MB` → a non-negative integer; undefined when the text is not a number at all. */
export function parseNumberText(text: string): number | undefined {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t.slice(2), 16);
  const m = /^(\d+)\s*(k|kb|m|mb)?$/i.exec(t);
  if (!m) return undefined;
  return Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()]!;
}

/** A flash offset or size given on the command line (`what` names the option in the message). */
export function parseFlashNumber(text: string, what: string, opts: { min?: number } = {}): number {
  const n = parseNumberText(text);
  if (n === undefined || !Number.isSafeInteger(n)) {
    throw usageError(
      `${what} "${text}" is not a number.`,
      'Write it in hex (0x10000) or decimal (65536); sizes may use K or M (64K, 4M).',
    );
  }
  if (n < (opts.min ?? 0) || n > MAX_FLASH_BYTES) {
    throw usageError(
      `${what} ${text} is out of range.`,
      `Use a value from ${opts.min ?? 0} up to 128M (the largest flash Kiln addresses).`,
    );
  }
  return n;
}

export interface FileArg {
  /** The path as typed (no offset). */
  file: string;
  offset?: number;
}

/**
 * `app.bin` → {file}; `app.bin@0x10000` / `app.bin@65536` → {file, offset}. The split is at the last `@`;
 * a suffix with a dot in it is part of the file name (`v1@2.0.bin`), anything else must be an offset.
 */
export function parseFileArg(text: string): FileArg {
  if (text === '')
    throw usageError(
      'An empty firmware argument was given.',
      'Name a file, e.g. firmware.bin or app.bin@0x10000.',
    );
  const at = text.lastIndexOf('@');
  if (at < 0) return { file: text };
  const file = text.slice(0, at);
  const suffix = text.slice(at + 1);
  if (/[./\\]/.test(suffix)) return { file: text };
  if (file === '')
    throw usageError(`"${text}" has an offset but no file.`, 'Write FILE@OFFSET, e.g. app.bin@0x10000.');
  if (suffix === '')
    throw usageError(
      `"${text}" ends with @ but gives no offset.`,
      'Write FILE@OFFSET, e.g. app.bin@0x10000, or leave out the @.',
    );
  return { file, offset: parseFlashNumber(suffix, `The offset in "${text}"`) };
}

/** `0x9000:0x6000` or `36864:24576` (OFFSET:SIZE). */
export function parseRegion(text: string): { offset: number; size: number } {
  const parts = text.split(':');
  if (parts.length !== 2)
    throw usageError(
      `The region "${text}" is not OFFSET:SIZE.`,
      'Write it like 0x9000:0x6000 (offset, then size).',
    );
  return {
    offset: parseFlashNumber(parts[0]!, 'The region offset'),
    size: parseFlashNumber(parts[1]!, 'The region size', { min: 1 }),
  };
}

export function parseBaud(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(BAUD_RATES as readonly number[]).includes(n)) {
    throw usageError(`The baud "${text}" is not one Kiln uses.`, `Pick one of: ${BAUD_RATES.join(', ')}.`);
  }
  return n;
}

/** `--listen 30`: whole seconds, 1 to a day (the contract's bounds for a guided listen). */
export function parseSeconds(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 86_400)) {
    throw usageError(
      `"${text}" is not a number of seconds.`,
      'Write whole seconds from 1 to 86400, e.g. 30.',
    );
  }
  return n;
}

/** `--tcp 127.0.0.1:4000`, `--tcp :4000` or `--tcp 4000` (host defaults to loopback; 0 = any free port). */
export function parseListenAddress(text: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-f:]+\]|[A-Za-z0-9.-]*):)?(\d{1,5})$/i.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535)
    throw usageError(
      `"${text}" is not HOST:PORT.`,
      'Write it like 127.0.0.1:4000 (or :0 for any free port).',
    );
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '') || '127.0.0.1';
  return { host, port };
}
