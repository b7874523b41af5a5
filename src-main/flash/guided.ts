/**
 * Guided download mode: for a board Kiln cannot reset (a Sonoff, an ESP-01 on a bare adapter), ask the user for
 * the one thing only they can do — hold the button (GPIO0) and power the board up — and listen, with no
 * deadline, until the chip speaks or the user gives up. The chip always prints its ROM banner at power-up, so
 * what is heard (or not heard) through the user's power cycle is the experiment:
 *
 * - `boot mode:(1,x)` / `DOWNLOAD…` → the ROM waits for a host now: switch to 115200 and let the caller sync at once.
 * - `boot mode:(3,x)` / `SPI_FAST_FLASH_BOOT` → GPIO0 was high at power-up: say so with the line, keep listening.
 * - bytes that read as nothing at this baud → try the other ROM baud at the next power-up; at both: noise.
 * - the user says they did it and nothing came → SYNC_FAILED with a capture marked `manualPowerUp`, which the
 *   doctor's rule table reads as wiring with high confidence.
 *
 * Lines are read with the doctor's extractor and boot-line reader (one parser); every failure is a SYNC_FAILED
 * carrying a ConnectCapture, so the diagnosis comes from the same rules as any failed connect.
 */
import type { ConnectCapture } from '../core/capture';
import type { Clock } from '../core/clock';
import { cancelled, KilnError } from '../core/errors';
import { BootTextExtractor, extractText } from '../doctor/boot-text';
import { readBootLine } from '../doctor/capture-facts';
import type { Transport } from '../serial/transport';
import { ROM_BAUD } from '../vocabulary';

/** The ESP8266 ROM prints at 74880 (26 MHz crystal); the ESP32 family at 115200. */
export const ESP8266_ROM_LOG_BAUD = 74880;
/** Quiet time that ends a burst of bytes (one boot's output). [guess] well above a byte time at 74880. */
const BURST_GAP_MS = 300;
/** A burst this soon after a readable boot line is the app talking at its own baud, not noise. */
const AFTER_BOOT_LINE_MS = 2000;
/** Fewer unreadable bytes than this are a glitch (a power edge), not a verdict on the baud. */
const GARBAGE_MIN_BYTES = 8;

export type GuidedStep = 'hold-and-power-up' | 'released-too-early' | 'other-baud' | 'download-mode';

/** What the guided step tells its host: the instruction now in force, and each thing heard. */
export type GuidedEvent =
  | { kind: 'instruction'; step: GuidedStep; text: string; listeningBaud: number; evidence?: string }
  | {
      kind: 'heard';
      text: string;
      baud: number;
      meaning: 'download' | 'normal-boot' | 'text' | 'unreadable';
    };

export interface GuidedListen {
  transport: Transport;
  clock: Clock;
  signal: AbortSignal;
  /** Baud to listen at first: 74880 for an ESP8266 (default), 115200 for the ESP32 family. */
  listenBaud?: number | undefined;
  /**
   * Resolves when the user says they have powered the board up (a button, Enter, or a listening time the user
   * chose). Without it, listening ends only with download mode or the signal.
   */
  userDone?: Promise<void> | undefined;
  onEvent(e: GuidedEvent): void;
}

const HOLD_TEXT =
  'Hold the button (GPIO0). Now unplug the board\u2019s power and plug it back in (or press RESET) \u2014 keep holding.';

/** Resolves with the download banner line once the chip is in download mode (transport left at 115200). */
export async function waitForDownloadMode(o: GuidedListen): Promise<{ line: string }> {
  const { transport, clock } = o;
  let baud = o.listenBaud ?? ESP8266_ROM_LOG_BAUD;
  const heard = new Map<number, Buffer[]>();
  const unreadableAt = new Set<number>();
  let lastBootLineAt = -Infinity;
  let lastNormalBoot: string | undefined;
  let burst: Buffer[] = [];
  let cancelBurstTimer: (() => void) | undefined;

  return new Promise<{ line: string }>((resolve, reject) => {
    let settled = false;
    const cleanups: (() => void)[] = [];
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      cancelBurstTimer?.();
      for (const c of cleanups) c();
      fn();
    };
    const fail = (e: unknown) => finish(() => reject(e));
    const instruct = (step: GuidedStep, text: string, evidence?: string) =>
      o.onEvent({ kind: 'instruction', step, text, listeningBaud: baud, ...(evidence ? { evidence } : {}) });

    const capture = (): ConnectCapture => ({
      port: transport.info.path,
      syncFrameHex: '',
      attempts: [],
      listens: [...new Set([baud, ...heard.keys()])].map((b) => ({
        baud: b,
        rxHex: Buffer.concat(heard.get(b) ?? []).toString('hex'),
      })),
      manualPowerUp: true,
    });
    const syncFailed = (message: string) =>
      new KilnError('SYNC_FAILED', message, {
        hint: 'See the diagnosis: what was heard while you powered the board up.',
        details: { capture: capture() as unknown as Record<string, unknown> },
      });

    const onLine = (text: string) => {
      if (settled || text.trim() === '') return;
      const boot = readBootLine({ text, source: `listen@${baud}`, baud });
      const download = boot.esp8266?.mode === 1 || !!boot.esp32?.bootName?.startsWith('DOWNLOAD');
      const normal =
        (boot.esp8266 !== undefined && boot.esp8266.mode !== 1) ||
        (boot.esp32 !== undefined && !boot.esp32.bootName?.startsWith('DOWNLOAD'));
      if (boot.esp8266 || boot.esp32) lastBootLineAt = clock.now();
      o.onEvent({
        kind: 'heard',
        text,
        baud,
        meaning: download ? 'download' : normal ? 'normal-boot' : 'text',
      });
      if (download) {
        instruct('download-mode', 'Download mode heard: you can let go of the button; connecting', text);
        // The ROM waits for a host only until something else resets it: sync at once, at the ROM's 115200.
        finish(() => {
          transport
            .setBaudRate(ROM_BAUD)
            .then(() => resolve({ line: text }))
            .catch(reject);
        });
      } else if (normal) {
        lastNormalBoot = text;
        instruct(
          'released-too-early',
          `GPIO0 was high when the board started: the button was released too early, or it is not wired to GPIO0. ${HOLD_TEXT}`,
          text,
        );
      }
    };
    let extractor = new BootTextExtractor(onLine);

    const endBurst = () => {
      cancelBurstTimer = undefined;
      const bytes = Buffer.concat(burst);
      burst = [];
      const t = extractText(bytes);
      const readableLine = t.lines.some((l) => l.length >= 4 && !l.includes('\ufffd'));
      if (
        t.otherBytes < GARBAGE_MIN_BYTES ||
        t.otherBytes < t.textBytes ||
        readableLine ||
        clock.now() - lastBootLineAt < AFTER_BOOT_LINE_MS
      )
        return;
      o.onEvent({ kind: 'heard', text: bytes.toString('latin1'), baud, meaning: 'unreadable' });
      unreadableAt.add(baud);
      const other = baud === ESP8266_ROM_LOG_BAUD ? ROM_BAUD : ESP8266_ROM_LOG_BAUD;
      if (unreadableAt.has(other)) {
        fail(
          syncFailed('Only unreadable bytes arrived, at both ROM baud rates, while the board powered up.'),
        );
        return;
      }
      baud = other;
      extractor = new BootTextExtractor(onLine);
      transport
        .setBaudRate(baud)
        .then(
          () =>
            instruct(
              'other-baud',
              `Kiln could not read that; it now listens at ${baud} baud. Power the board up again with the button held.`,
            ),
          fail,
        );
    };

    cleanups.push(
      transport.onData((chunk) => {
        if (settled) return;
        (heard.get(baud) ?? heard.set(baud, []).get(baud)!).push(chunk);
        burst.push(chunk);
        cancelBurstTimer?.();
        cancelBurstTimer = clock.setTimer(BURST_GAP_MS, endBurst);
        extractor.push(chunk);
      }),
    );
    cleanups.push(
      transport.onClose((e) => fail(e ?? cancelled('The port was closed while Kiln was listening.'))),
    );
    const onAbort = () => fail(cancelled());
    if (o.signal.aborted) return onAbort();
    o.signal.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => o.signal.removeEventListener('abort', onAbort));
    o.userDone?.then(
      () =>
        fail(
          syncFailed(
            lastNormalBoot !== undefined
              ? 'The board powered up but never in download mode: GPIO0 was high each time.'
              : 'Nothing arrived while the board was powered up by hand.',
          ),
        ),
      () => undefined,
    );

    transport
      .setBaudRate(baud)
      .then(() => instruct('hold-and-power-up', HOLD_TEXT))
      .catch(fail);
  });
}
