/**
 * The ESP8266 ROM has no CHANGE_BAUDRATE, so esptool uploads the flasher stub (12,376 bytes of text+data from
 * esptool-js 0.7.0) at 115200: about 1.1 s on the wire. But the ROM autobauds on SYNC's 0x55 bytes — esptool's
 * serial-protocol docs: "the sync packets can be sent at any baud rate, and the UART peripheral will detect this" —
 * and esptool-ck, the Arduino core's uploader for years, opened the port at the upload baud and synced the ROM
 * there directly (igrr/esptool-ck espcomm.c `espcomm_open`; 921600 through the ROM in esp8266/Arduino#37).
 *
 * So, after the usual 115200 connect and detection: reset into the loader again with the reset that just worked,
 * SYNC at the requested baud, and upload the stub at that baud. Only where a reset can reach the chip (UART lines,
 * not `no-reset`: a user holding GPIO0 is never reset again) and where the first reset was seen to reboot it
 * (boot text heard after it — a pty or an unwired adapter hears nothing, and there the ROM, already locked at
 * 115200, would ignore a faster SYNC). If the fast SYNC gets no reply — adapters such as the CH340 often cannot
 * carry 921600 (esptool#435), long wires neither (esp8266/Arduino#97) — reset and sync at 115200 again and carry on
 * exactly as before, saying why.
 */
import { cancelled } from '../core/errors';
import { Op, checksum, encodeRequest, words } from './protocol';
import { slipEncode } from './slip';
import { SYNC_TIMEOUT_MS, WAITS } from './commands';
import { ROM_BAUD } from '../vocabulary';
import { SYNC_FRAME, connectAndSync, syncAttempt, type SyncResult } from './connect';
import { isFatalLinkError } from './errors';
import { RAM_BLOCK, loadStubImage, type StubImage } from './stub';
import type { ResetStrategy } from './reset';
import type { ChipRecord } from './chips/records';
import type { EspLink } from './link';
import type { BeforeMode, LogLevel } from './api';

/** SYNCs sent at the high baud: the first is used up by the ROM's baud detection, the second must be answered. */
export const RESYNC_TRIES = 2;
/** A SYNC and its 8 replies (14 bytes each with the ESP8266's 2 status bytes). */
const SYNC_EXCHANGE_BYTES = SYNC_FRAME.length + 8 * 14;
const BITS_PER_BYTE = 10;

export function wireMs(bytes: number, baud: number): number {
  return (bytes * BITS_PER_BYTE * 1000) / baud;
}

/** Bytes the stub upload puts on the wire, host to chip: every MEM_BEGIN/MEM_DATA/MEM_END frame as sent. */
export function stubUploadWireBytes(img: StubImage): number {
  const frame = (op: number, data: Buffer, chk = 0) => slipEncode(encodeRequest(op, data, chk)).length;
  let n = 0;
  for (const [bytes, address] of [
    [img.text, img.textStart],
    [img.data, img.dataStart],
  ] as const) {
    if (bytes.length === 0) continue;
    const blocks = Math.ceil(bytes.length / RAM_BLOCK);
    n += frame(Op.MEM_BEGIN, words(bytes.length, blocks, RAM_BLOCK, address));
    for (let seq = 0; seq < blocks; seq++) {
      const block = bytes.subarray(seq * RAM_BLOCK, (seq + 1) * RAM_BLOCK);
      n += frame(Op.MEM_DATA, Buffer.concat([words(block.length, seq, 0, 0), block]), checksum(block));
    }
  }
  return n + frame(Op.MEM_END, words(0, img.entry));
}

function resetMs(reset: ResetStrategy): number {
  return reset.steps.reduce((ms, s) => ms + ('waitMs' in s ? s.waitMs : 0), 0);
}

export interface ResyncEstimate {
  /** Wire time the stub upload saves at `baud` compared with 115200. */
  savingMs: number;
  /** What a re-sync that works costs: reset, listen, the SYNC the autobaud eats, the answered one. */
  successCostMs: number;
  /** What one that fails costs: the high-baud tries, then the same reset and sync again at 115200. */
  failureCostMs: number;
  worthIt: boolean;
}

/**
 * The re-sync is tried only when the wire time it saves is at least what a failed try costs, so a bench where the
 * fast SYNC never works loses at most what one where it works gains. With the stub of esptool-js 0.7.0 (12,841
 * bytes on the wire with headers and SLIP escapes) and the short UnixTight reset (150 ms of waits): saving
 * ≈ 560 ms at 230400, ≈ 840 ms at 460800, ≈ 980 ms at 921600, against ≈ 300 ms for a re-sync that works and
 * ≈ 700 ms for one that fails — so 460800 and up re-sync (break-even when the fast SYNC works on 57 % resp. 51 %
 * of boards), 230400 and below do not, and neither does a board that needed the 550 ms reset.
 */
export function estimateResync(stubWireBytes: number, baud: number, reset: ResetStrategy): ResyncEstimate {
  const savingMs = wireMs(stubWireBytes, ROM_BAUD) - wireMs(stubWireBytes, baud);
  const syncAt = (b: number) =>
    resetMs(reset) + WAITS.afterResetListenMs + SYNC_TIMEOUT_MS + wireMs(SYNC_EXCHANGE_BYTES, b);
  const successCostMs = syncAt(baud);
  const failureCostMs =
    resetMs(reset) +
    WAITS.afterResetListenMs +
    RESYNC_TRIES * (SYNC_TIMEOUT_MS + wireMs(SYNC_FRAME.length, baud)) +
    syncAt(ROM_BAUD);
  return { savingMs, successCostMs, failureCostMs, worthIt: savingMs >= failureCostMs };
}

export interface ResyncOptions {
  /** The baud asked for the data transfer. */
  baud?: number;
  before?: BeforeMode;
  /** Connect attempts for the 115200 fallback (as for the first connect). */
  attempts?: number;
  onLog?: (level: LogLevel, message: string) => void;
}

export type ResyncOutcome = 'skipped' | 'resynced' | 'fell-back';

/**
 * Before the stub upload: moves the ROM to `opts.baud` by resetting and syncing there when that can pay off
 * (see above). Returns what happened; afterwards the transport runs at the baud the ROM listens at.
 * Cancellation and a vanished port end it as themselves; a fallback that cannot sync either is SYNC_FAILED
 * carrying every byte heard since the first connect.
 */
export async function resyncForStub(
  link: EspLink,
  chip: ChipRecord,
  sync: SyncResult,
  opts: ResyncOptions,
): Promise<ResyncOutcome> {
  const log = (level: LogLevel, m: string) => opts.onLog?.(level, m);
  const baud = opts.baud;
  const { transport } = link;
  if (chip.rom.changeBaud || baud === undefined || baud <= ROM_BAUD || sync.stubRunning) return 'skipped';
  if (transport.info.lines !== 'uart' || opts.before === 'no-reset') return 'skipped';
  if (sync.heardAfterReset === 0) {
    log(
      'debug',
      `stub upload stays at ${ROM_BAUD}: nothing was heard after the reset, so it may not reach the chip`,
    );
    return 'skipped';
  }
  const est = estimateResync(stubUploadWireBytes(loadStubImage(chip)), baud, sync.reset);
  if (!est.worthIt) {
    log(
      'debug',
      `stub upload stays at ${ROM_BAUD}: a re-sync at ${baud} would save ${Math.round(est.savingMs)} ms but risks ${Math.round(est.failureCostMs)} ms`,
    );
    return 'skipped';
  }

  try {
    await transport.setBaudRate(baud);
  } catch (e) {
    if (isFatalLinkError(e)) throw e;
    // The driver refused the rate; nothing has changed on the chip, which still listens at 115200.
    log('warn', `the port refused ${baud} baud (${(e as Error).message}); uploading the stub at ${ROM_BAUD}`);
    await transport.setBaudRate(ROM_BAUD);
    return 'fell-back';
  }
  try {
    await syncAttempt(link, sync.reset, sync.capture, { tries: RESYNC_TRIES, onLog: (m) => log('debug', m) });
    log(
      'info',
      `ROM re-synced at ${baud} baud for the stub upload (saves about ${Math.round(est.savingMs - est.successCostMs)} ms)`,
    );
    return 'resynced';
  } catch (e) {
    if (isFatalLinkError(e)) throw e;
    if (link.signal?.aborted) throw cancelled();
    log(
      'warn',
      `no SYNC reply at ${baud} baud after a reset (${(e as Error).message}): the USB-serial adapter or the wiring may not carry ${baud} to the ESP8266's baud detection (a CH340 often cannot at 921600); uploading the stub at ${ROM_BAUD} instead`,
    );
  }
  await connectAndSync(link, {
    attempts: opts.attempts,
    before: opts.before,
    capture: sync.capture,
    onLog: (m) => log('debug', m),
  });
  return 'fell-back';
}
