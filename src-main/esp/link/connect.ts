/**
 * Reset into the ROM loader and SYNC (protocol notes §3). Up to `attempts` tries, cycling the reset
 * strategies; each try: drop pending input, reset, listen briefly, then up to 5 SYNCs, each waiting 0.1 s for
 * the first reply and then draining the rest of the 8. Every byte heard during reset and sync is kept per
 * attempt, and on failure travels in the SYNC_FAILED error for the doctor. Port loss, port errors and
 * cancellation end the loop as themselves: a retry never turns a specific error into a generic one.
 */
import { KilnError, cancelled } from '../../core/errors';
import type { CaptureAttempt, ConnectCapture } from '../../core/capture';
import { Op, SYNC_PAYLOAD, encodeRequest } from './protocol';
import { slipEncode } from './slip';
import { SYNC_TIMEOUT_MS, WAITS } from './commands';
import { connectStrategies, hardReset, runReset, type ResetStrategy } from './reset';
import { isFatalLinkError } from './errors';
import type { EspLink } from './link';
import type { BeforeMode } from '../api';
import { ROM_BAUD } from '../../vocabulary';

export const SYNC_TRIES_PER_ATTEMPT = 5;
const SYNC_REPLIES = 8;

export interface SyncResult {
  /** The SYNC reply value was 0: a flasher stub is already running (left from an earlier session). */
  stubRunning: boolean;
  capture: ConnectCapture;
  strategy: string;
  /** The reset that led to the answered SYNC. */
  reset: ResetStrategy;
  /**
   * Bytes heard between that reset and the first SYNC: the ROM's boot banner, garbled or not. Zero means the
   * reset may not have reached the chip (a pty, a board whose lines are not wired, the button held by hand).
   */
  heardAfterReset: number;
}

export interface SyncAttemptResult {
  stubRunning: boolean;
  heardAfterReset: number;
}

export const SYNC_FRAME: Buffer = slipEncode(encodeRequest(Op.SYNC, SYNC_PAYLOAD));

export function newCapture(link: EspLink): ConnectCapture {
  return { port: link.transport.info.path, syncFrameHex: SYNC_FRAME.toString('hex'), attempts: [] };
}

export async function connectAndSync(
  link: EspLink,
  opts: {
    attempts?: number;
    before?: BeforeMode;
    onLog?: (m: string) => void;
    /** Attempts are appended here (a fallback keeps what the attempts before it heard). */
    capture?: ConnectCapture;
  },
): Promise<SyncResult> {
  const { transport } = link;
  const signal = link.signal;
  const attempts = Math.max(1, opts.attempts ?? 7);
  const strategies = connectStrategies(transport.info.lines, opts.before ?? 'default');
  const capture = opts.capture ?? newCapture(link);

  if (transport.baudRate !== ROM_BAUD) await transport.setBaudRate(ROM_BAUD);

  for (let i = 0; i < attempts; i++) {
    const strategy = strategies[i % strategies.length]!;
    try {
      const r = await syncAttempt(link, strategy, capture, { onLog: opts.onLog });
      return { ...r, capture, strategy: strategy.name, reset: strategy };
    } catch (e) {
      if (isFatalLinkError(e)) throw e;
      if (signal?.aborted) throw cancelled();
      opts.onLog?.(`connect attempt ${i + 1}/${attempts} (${describe(strategy)}): ${(e as Error).message}`);
    }
  }
  if (transport.info.lines === 'uart' && opts.before !== 'no-reset') {
    capture.listens = await listenForBootText(link, opts.onLog);
  }
  throw syncFailed(capture);
}

/**
 * After a failed connect, reset the chip into a normal boot and listen at each ROM log baud. The ESP8266
 * ROM prints its banner at 74880 baud (with a 26 MHz crystal), which is garbage at 115200; reading it clearly
 * is what tells "GPIO0 was high" (`boot mode:(3,x)`) from "no reply in download mode" (`boot mode:(1,x)`).
 * esptool skips this; the doctor needs it. Port loss and cancellation still end as themselves.
 */
export const BOOT_LISTEN_BAUDS = [74880, ROM_BAUD] as const;

async function listenForBootText(
  link: EspLink,
  onLog?: (m: string) => void,
): Promise<{ baud: number; rxHex: string }[]> {
  const { transport, clock } = link;
  const signal = link.signal;
  const listens: { baud: number; rxHex: string }[] = [];
  for (const baud of BOOT_LISTEN_BAUDS) {
    const rx: Buffer[] = [];
    try {
      await transport.setBaudRate(baud);
      await link.flushInput();
      link.reader.setTap((chunk) => rx.push(chunk));
      try {
        await runReset(hardReset(), transport, clock, signal);
      } catch (e) {
        if (isFatalLinkError(e) || signal?.aborted) throw e;
        onLog?.(`could not reset for the boot-text listen (${(e as Error).message}); listening anyway`);
      }
      await clock.sleep(WAITS.bootTextListenMs, signal);
    } catch (e) {
      if (isFatalLinkError(e)) throw e;
      if (signal?.aborted) throw cancelled();
      onLog?.(`boot-text listen at ${baud} failed: ${(e as Error).message}`);
    } finally {
      link.reader.setTap(undefined);
    }
    listens.push({ baud, rxHex: Buffer.concat(rx).toString('hex') });
  }
  await transport.setBaudRate(ROM_BAUD).catch(() => undefined);
  return listens;
}

/**
 * One attempt at the transport's current baud: reset with `strategy`, listen, then up to `tries` SYNCs. Every
 * byte heard is appended to `capture` as one attempt. Throws the last sync error (or a fatal link error).
 */
export interface SyncAttemptOptions {
  tries?: number;
  onLog?: (m: string) => void;
  /**
   * Called after the reset and its listen, before the first SYNC, with the bytes heard meanwhile: it may move the
   * port to another baud (the fast first SYNC going back to 115200 when no reset was heard) and returns how many
   * SYNCs to send then, or undefined to keep `tries`.
   */
  beforeSync?: (heardAfterReset: number) => Promise<number | undefined>;
}

export async function syncAttempt(
  link: EspLink,
  strategy: ResetStrategy,
  capture: ConnectCapture,
  opts: SyncAttemptOptions = {},
): Promise<SyncAttemptResult> {
  const rx: Buffer[] = [];
  let heard = 0;
  const record: CaptureAttempt = { strategy: strategy.name, baud: link.transport.baudRate, rxHex: '' };
  capture.attempts.push(record);
  link.reader.setTap((chunk) => {
    rx.push(chunk);
    heard += chunk.length;
  });
  try {
    return await attempt(link, strategy, opts, record, () => heard);
  } finally {
    link.reader.setTap(undefined);
    record.rxHex = Buffer.concat(rx).toString('hex');
  }
}

async function attempt(
  link: EspLink,
  strategy: ResetStrategy,
  opts: SyncAttemptOptions,
  record: CaptureAttempt,
  heardSoFar: () => number,
): Promise<SyncAttemptResult> {
  const { transport, clock } = link;
  const onLog = opts.onLog;
  let tries = opts.tries ?? SYNC_TRIES_PER_ATTEMPT;
  const signal = link.signal;
  await link.flushInput();
  const heardBefore = heardSoFar();
  try {
    await runReset(strategy, transport, clock, signal);
  } catch (e) {
    // A port without modem lines (a pty: ENOTTY) cannot reset the board; like esptool, carry on and try to sync.
    if (isFatalLinkError(e) || signal?.aborted) throw e;
    onLog?.(`could not set DTR/RTS (${(e as Error).message}); trying to sync without a reset`);
  }
  // Boot text arrives now; the tap keeps it, the frame queue must not. (No reset on a tty without modem lines.)
  if (transport.modemLines !== false) await clock.sleep(WAITS.afterResetListenMs, signal);
  const heardAfterReset = heardSoFar() - heardBefore;
  if (opts.beforeSync) {
    tries = (await opts.beforeSync(heardAfterReset)) ?? tries;
    record.baud = transport.baudRate;
  }
  let lastError: unknown;
  for (let t = 0; t < tries; t++) {
    await link.flushInput();
    await link.writeRaw(encodeRequest(Op.SYNC, SYNC_PAYLOAD), signal);
    try {
      const first = await link.reader.waitResponse(Op.SYNC, SYNC_TIMEOUT_MS, signal);
      // The loader answers SYNC 8 times; take the others off the line so they cannot pose as later replies.
      for (let k = 1; k < SYNC_REPLIES; k++) {
        try {
          await link.reader.waitResponse(Op.SYNC, WAITS.syncDrainMs, signal);
        } catch (e) {
          if (isFatalLinkError(e)) throw e;
          break;
        }
      }
      await link.flushInput();
      return { stubRunning: first.value === 0, heardAfterReset };
    } catch (e) {
      if (isFatalLinkError(e)) throw e;
      lastError = e;
    }
  }
  throw lastError instanceof Error ? lastError : new Error('no SYNC reply');
}

function describe(s: ResetStrategy): string {
  return s.delayMs === undefined ? s.name : `${s.name} ${s.delayMs / 1000}s`;
}

/** SYNC_FAILED with a first guess at the cause; the doctor reads the capture for the full diagnosis. */
export function syncFailed(capture: ConnectCapture): KilnError {
  const all = capture.attempts.map((a) => a.rxHex).join('');
  const sync = capture.syncFrameHex;
  let hint: string;
  if (all.length === 0) {
    hint =
      'Nothing came back at all: check that the board is powered, that TX goes to RX and RX to TX, and that the board is in download mode (hold BOOT/GPIO0 low while resetting or powering up).';
  } else if (all.includes(sync.slice(0, 24))) {
    hint =
      'Kiln\u2019s own bytes came back: TX and RX look shorted together (or the adapter echoes). Check the wiring.';
  } else {
    hint =
      'The board sent data but never answered the handshake: it is probably running its firmware instead of the bootloader. Hold BOOT/GPIO0 low while resetting, or check the reset wiring.';
  }
  const heard = all.length / 2;
  return new KilnError(
    'SYNC_FAILED',
    `No bootloader handshake on ${capture.port} after ${capture.attempts.length} attempts (${heard} bytes heard).`,
    {
      hint,
      details: { capture: capture as unknown as Record<string, unknown> },
    },
  );
}
