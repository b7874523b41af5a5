/**
 * Listening to a board after the post-flash hard reset. The ESP8266 ROM logs at 74880 baud (26 MHz crystal)
 * and the firmware it starts usually talks at 115200, so one UART speed cannot read both: Kiln resets twice,
 * first listening at the ROM's baud, then at the app's (as the engine's listen after a failed connect does).
 * ESP32-family ROMs, bootloaders and apps all use 115200: one pass.
 *
 * Each pass ends early when the answer is already clear, so a healthy board is not held for the whole window:
 * - nothing at all within `silenceMs` of the reset (a real ROM prints within milliseconds; a pty or a board
 *   whose reset line is not wired stays quiet) ends the check;
 * - on the pass that hears the app (the ESP8266's second, the ESP32 family's only one), once readable
 *   application text has been heard, `settleMs` more without a new ROM banner. An app that crashes later than
 *   that is taken as booted: the check says the firmware started, not that it keeps running.
 * The ESP8266 ROM pass always runs its window (a watchdog loop needs ~1.5 s to show its second banner).
 */
import type { Clock } from '../core/clock';
import type { ChipName } from '../esp/api';
import type { Transport } from '../serial/transport';
import { BootTextExtractor } from './boot-text';
import { isAppLine } from './sync-rules';

export const ESP8266_ROM_BAUD = 74880;
export const ESP32_ROM_BAUD = 115200;
/** What Arduino-core/Tasmota/ESPHome firmware on an ESP8266 prints at. */
export const ESP8266_APP_BAUD = 115200;
/** Long enough for an ESP8266 watchdog loop (~1.5 s period) to show twice. */
export const DEFAULT_ROM_LISTEN_MS = 3500;
export const DEFAULT_APP_LISTEN_MS = 1500;
export const DEFAULT_SILENCE_MS = 500;
export const DEFAULT_SETTLE_MS = 800;
/** Granularity of the early-exit checks (clock sleeps, not a busy loop). */
const TICK_MS = 100;

export type BootListenRole = 'rom' | 'app';

export interface BootListen {
  role: BootListenRole;
  baud: number;
  bytes: Uint8Array;
  listenedMs: number;
}

export interface BootListenOptions {
  /** Hard-resets the board into a normal boot (the session's `finish('hard-reset')`). */
  reset(): Promise<void>;
  signal?: AbortSignal;
  /** Window of the ROM pass (default DEFAULT_ROM_LISTEN_MS). */
  romListenMs?: number;
  /** Window of the ESP8266 app pass (default DEFAULT_APP_LISTEN_MS). */
  appListenMs?: number;
  silenceMs?: number;
  settleMs?: number;
  /**
   * Listen at the ROM's baud only: a board restarted by hand is power-cycled once, not once per pass. On an
   * ESP8266 the banner and the ROM's `load`/`csum` lines still tell a clean start from a loop or a read error;
   * the firmware's own 115200-baud text is not heard then.
   */
  romPassOnly?: boolean;
}

/** The passes for a chip: ESP8266 ROM then app; every other chip one pass at 115200. */
export function bootListenPlan(chip: ChipName): { role: BootListenRole; baud: number }[] {
  return chip === 'esp8266'
    ? [
        { role: 'rom', baud: ESP8266_ROM_BAUD },
        { role: 'app', baud: ESP8266_APP_BAUD },
      ]
    : [{ role: 'rom', baud: ESP32_ROM_BAUD }];
}

export function romBaudFor(chip: ChipName): number {
  return chip === 'esp8266' ? ESP8266_ROM_BAUD : ESP32_ROM_BAUD;
}

/** Resets and listens once per pass of the plan; the transport is left at the last pass's baud. */
export async function listenForBoot(
  transport: Transport,
  chip: ChipName,
  clock: Clock,
  opts: BootListenOptions,
): Promise<BootListen[]> {
  const fullPlan = bootListenPlan(chip);
  const plan = opts.romPassOnly ? fullPlan.slice(0, 1) : fullPlan;
  const out: BootListen[] = [];
  for (const pass of plan) {
    // The app pass is the last one for an ESP8266; for ESP32-family chips the single pass hears the app too.
    const hearsApp = pass.role === 'app' || fullPlan.length === 1;
    const windowMs =
      pass.role === 'app'
        ? (opts.appListenMs ?? DEFAULT_APP_LISTEN_MS)
        : (opts.romListenMs ?? DEFAULT_ROM_LISTEN_MS);
    const heard = await listenOnce(transport, clock, pass.baud, windowMs, hearsApp, opts);
    out.push({ role: pass.role, baud: pass.baud, bytes: heard.bytes, listenedMs: heard.listenedMs });
    if (heard.bytes.byteLength === 0) break;
  }
  return out;
}

async function listenOnce(
  transport: Transport,
  clock: Clock,
  baud: number,
  windowMs: number,
  settleOnApp: boolean,
  opts: BootListenOptions,
): Promise<{ bytes: Uint8Array; listenedMs: number }> {
  await transport.setBaudRate(baud);
  await transport.discardInput();
  const chunks: Buffer[] = [];
  let appHeardAt: number | undefined;
  let bannerAfterApp = false;
  const started = clock.now();
  const lines = new BootTextExtractor((line) => {
    if (/rst cause:|rst:0x|ets Jan|ets Jun|ESP-ROM:/.test(line)) {
      if (appHeardAt !== undefined) bannerAfterApp = true;
    } else if (appHeardAt === undefined && isAppLine(line)) {
      appHeardAt = clock.now();
    }
  });
  const off = transport.onData((c) => {
    chunks.push(c);
    lines.push(c);
  });
  try {
    await opts.reset();
    const resetDone = clock.now();
    for (;;) {
      const elapsed = clock.now() - resetDone;
      // Whole milliseconds: a clock at a fractional time must not be asked for a sleep too short to advance it.
      const remaining = Math.ceil(windowMs - elapsed);
      if (remaining <= 0) break;
      const silence = opts.silenceMs ?? DEFAULT_SILENCE_MS;
      if (chunks.length === 0 && elapsed >= silence) break;
      if (
        settleOnApp &&
        appHeardAt !== undefined &&
        !bannerAfterApp &&
        clock.now() - appHeardAt >= (opts.settleMs ?? DEFAULT_SETTLE_MS)
      )
        break;
      await clock.sleep(Math.min(TICK_MS, remaining), opts.signal);
    }
  } finally {
    off();
  }
  return { bytes: Buffer.concat(chunks), listenedMs: Math.round(clock.now() - started) };
}
