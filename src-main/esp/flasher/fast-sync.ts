/**
 * The first SYNC at the data baud, so the ESP8266 takes the flasher stub fast. Its ROM has no CHANGE_BAUDRATE,
 * so esptool uploads the stub (12,376 bytes of text+data from esptool-js 0.7.0, ≈ 12.8 KB on the wire) at 115200:
 * about 1.1 s. But the ROM autobauds on SYNC's 0x55 bytes — esptool's serial-protocol docs: "the sync packets can
 * be sent at any baud rate, and the UART peripheral will detect this" — and esptool-ck, the Arduino core's
 * uploader for years, opened the port at the upload baud and synced the ROM there directly (igrr/esptool-ck
 * espcomm.c `espcomm_open`; 921600 through the ROM in esp8266/Arduino#37). The ROM locks onto the first rate it
 * measures (nodemcu PR #1215), so the first SYNC after a reset decides the rate, and it costs nothing extra when it
 * works: no second reset, no second handshake.
 *
 * So the first connect attempt resets as usual and SYNCs at the data baud (at most 921600, the highest rate the
 * reports above used through the ESP8266 ROM; anything higher is reached by the stub's own CHANGE_BAUDRATE later).
 * When that gets no answer — adapters such as the CH340 often cannot carry 921600 (esptool#435), long wires neither
 * (esp8266/Arduino#97) — the normal connect follows at once: reset, SYNC at 115200. A ROM that ignored the fast
 * SYNC is still listening; one that locked onto a wrong rate is reset by that connect. The failed try costs one
 * reset, its 50 ms listen and two 0.1 s SYNC timeouts (≈ 0.4 s with the short reset), against ≈ 1 s saved when it
 * works.
 *
 * Only where that reset can follow: UART lines and not `no-reset` (a user holding GPIO0 by hand is never reset
 * again; TCP has no lines). When the reset was not heard (no boot text: lines not wired to the board) the attempt
 * SYNCs at 115200 as before — a ROM locked onto a wrong rate could not be reset out of it. A tty with no modem
 * lines at all (a pty: ENOTTY) is the exception: no reset can ever reach its chip, so nothing is lost by not
 * hearing one, and the fast SYNC is tried; if the ROM there locked onto a wrong rate, SYNC_FAILED says to reset the
 * board by hand and use 115200.
 *
 * The other chips: their ROMs autobaud too. On the ESP32 and ESP32-S2 the stub goes up at this rate as well (or
 * at the data baud after a CHANGE_BAUDRATE in ROM), although esp-flasher-stub (≥ v1.1.0 src/main.c, ESP32, -S2,
 * -P4) reprograms the UART at start for the ROM's *recorded* rate (`stub_lib_uart_rominit_get_baudrate`):
 * stub-greeting.ts then finds it at 115200 or wherever it answers. The other chips' stubs leave the UART as the
 * ROM set it, so their stub goes up, and greets, at this rate (stub-greeting.ts).
 */
import { KilnError } from '../../core/errors';
import { ROM_BAUD } from '../../vocabulary';
import {
  SYNC_TRIES_PER_ATTEMPT,
  connectAndSync,
  newCapture,
  syncAttempt,
  type SyncResult,
} from '../link/connect';
import { connectStrategies } from '../link/reset';
import { isFatalLinkError } from '../link/errors';
import type { EspLink } from '../link/link';
import type { BeforeMode, LogLevel } from '../api';

/** SYNCs sent at the high baud: the first may be used up by the ROM's baud detection, the second is answered. */
export const FAST_SYNC_TRIES = 2;
/** The highest rate reported to work through the ESP8266 ROM (esp8266/Arduino#37, espressif/esptool#44). */
export const FAST_SYNC_MAX_BAUD = 921600;

export interface FastConnectOptions {
  /** The baud asked for the data transfer. */
  baud?: number | undefined;
  before?: BeforeMode | undefined;
  /** False = no stub: the ROM does the writing, and the first SYNC stays at 115200. */
  useStub?: boolean | undefined;
  attempts?: number | undefined;
  onLog?: ((level: LogLevel, message: string) => void) | undefined;
}

/** The rate of the first SYNC, or undefined when it stays at 115200 (see above). */
export function fastSyncBaud(link: EspLink, o: FastConnectOptions): number | undefined {
  if (o.baud === undefined || o.baud <= ROM_BAUD || o.useStub === false) return undefined;
  if (link.transport.info.lines !== 'uart' || o.before === 'no-reset') return undefined;
  return Math.min(o.baud, FAST_SYNC_MAX_BAUD);
}

/**
 * Connects, trying the first SYNC at the data baud where that is safe; afterwards the transport runs at the rate
 * the loader listens at. Cancellation and a vanished port end it as themselves; SYNC_FAILED carries every attempt.
 */
export async function connectFast(link: EspLink, o: FastConnectOptions): Promise<SyncResult> {
  const log = (level: LogLevel, m: string) => o.onLog?.(level, m);
  const debug = (m: string) => log('debug', m);
  const capture = newCapture(link);
  const fast = fastSyncBaud(link, o);
  /** Set when the fast SYNC went unanswered on a port that cannot reset the chip out of a wrong lock. */
  let lockRisk: number | undefined;
  if (fast !== undefined) {
    const { transport } = link;
    const strategy = connectStrategies(transport.info.lines, o.before ?? 'default')[0]!;
    let moved = true;
    try {
      await transport.setBaudRate(fast);
    } catch (e) {
      if (isFatalLinkError(e)) throw e;
      log('warn', `the port refused ${fast} baud (${(e as Error).message}); connecting at ${ROM_BAUD}`);
      moved = false;
    }
    if (moved) {
      let stayedSlow = false;
      try {
        const r = await syncAttempt(link, strategy, capture, {
          tries: FAST_SYNC_TRIES,
          onLog: debug,
          beforeSync: async (heard) => {
            if (heard > 0 || transport.modemLines === false) return undefined;
            stayedSlow = true;
            await transport.setBaudRate(ROM_BAUD);
            debug(`nothing was heard after the reset, so it may not reach the chip: syncing at ${ROM_BAUD}`);
            return SYNC_TRIES_PER_ATTEMPT;
          },
        });
        if (!stayedSlow) log('info', `synced at ${fast} baud: the stub goes up at that rate`);
        return { ...r, capture, strategy: strategy.name, reset: strategy };
      } catch (e) {
        if (isFatalLinkError(e) || link.signal?.aborted) throw e;
        if (!stayedSlow && transport.modemLines === false) lockRisk = fast;
        if (!stayedSlow)
          log(
            'warn',
            `no SYNC reply at ${fast} baud (${(e as Error).message}): the USB-serial adapter or the wiring may not carry ${fast} to the chip's baud detection (a CH340 often cannot at 921600); connecting at ${ROM_BAUD} instead`,
          );
      }
    }
  }
  try {
    return await connectAndSync(link, { attempts: o.attempts, before: o.before, capture, onLog: debug });
  } catch (e) {
    if (lockRisk === undefined || !(e instanceof KilnError) || e.code !== 'SYNC_FAILED') throw e;
    throw lockedElsewhere(e, lockRisk);
  }
}

/**
 * SYNC_FAILED after a fast SYNC on a port that cannot reset the chip: its ROM may have locked onto a rate a few
 * percent off the fast one, and only a reset undoes that. Says so first, keeping what the connect found.
 */
function lockedElsewhere(e: KilnError, baud: number): KilnError {
  return new KilnError(e.code, e.message, {
    hint: `Kiln's first handshake went at ${baud} baud and this port cannot reset the chip, so it may be stuck on a wrong rate: put the board into download mode again (hold BOOT/GPIO0, press or power-cycle RESET) and flash with --baud 115200. ${e.hint ?? ''}`.trim(),
    details: { ...e.details, fastSyncBaud: baud },
    cause: e,
  });
}
