/**
 * The rate the flasher stub goes up at, and where the host finds it after MEM_END.
 *
 * ESP8266: its ROM has no CHANGE_BAUDRATE; the stub goes up at the rate the connect left (fast-sync.ts) and keeps
 * it, so its OHAI comes at that rate.
 *
 * ESP32 and ESP32-S2 (ChipRecord.stubUartAtRomBaud): esp-flasher-stub ≥ v1.1.0 (src/main.c, PR #96 "enable
 * clock/APB boost on UART transport"; esptool-js 0.7.0 ships v1.2.2) reads `stub_lib_uart_rominit_get_baudrate()`
 * at start — in esp-stub-lib src/uart.c the ROM's `UartDev.baud_rate`, 115200 when 0 — raises the clock and sets
 * UART0's divider for that rate (esp-stub-lib src/target/esp32/src/uart.c: 5 ms, wait for TX idle, divider,
 * 5 ms), then says OHAI. Whether the ROM's CHANGE_BAUDRATE or its SYNC autobaud update that field is not known
 * ([guess]: they do not — the ROM's download loop writes the divider through uart_div_modify and the field keeps
 * its boot value, 115200). So the stub goes up at the data baud — the ROM is already there after a fast SYNC,
 * else its CHANGE_BAUDRATE moves it there (at most FAST_SYNC_MAX_BAUD; on UART lines only: native USB and TCP
 * upload at the rate they have) —
 * 6.7 KB at 921600 instead of 115200, about half a second less; and
 * afterwards the host does not rely on the guess:
 *  1. right after MEM_END's reply it listens at 115200 for OHAI (the guess);
 *  2. no OHAI within GREETING_FIRST_WAIT_MS (it may also be lost while the host switched, e.g. still in an FTDI's
 *     buffer behind its latency timer when the port changed rate): SYNC at 115200, then at the upload rate, then
 *     at the figure the ROM's CHANGE_BAUDRATE carried when that differs (on the ESP32 esptool's crystal-scaled
 *     rate, which is what the ROM would have recorded); the first that answers as a stub (value 0, 2 status
 *     bytes; a ROM reply has 4) or says OHAI decides the rate. Each rate gets two SYNCs: bytes sent at a wrong
 *     rate leave the stub's SLIP receiver inside a frame, where the next END closes that garbage and the SYNC
 *     after it is skipped (esp-flasher-stub src/slip.c slip_recv_byte: END in a frame completes it, END with
 *     nothing received leaves the frame state). That miss leaves it just inside an empty frame, so the second
 *     SYNC goes with one extra END in front (closing it, then opening the SYNC); sent first, that extra END
 *     would itself be the empty frame and the SYNC skipped;
 *  3. rounds of that until the greeting's usual WAITS.stubGreetingMs are spent: STUB_FAILED, naming the rates.
 *
 * The other chips' stubs leave the UART as the ROM set it (src/main.c touches the divider on the ESP32, -S2 and -P4
 * only): they go up at the data baud the same way (the ROM's rate after a fast SYNC, else its CHANGE_BAUDRATE) and
 * greet at that rate, so no probing is needed.
 */
import { KilnError } from '../../core/errors';
import { ROM_BAUD } from '../../vocabulary';
import { Op, SYNC_PAYLOAD, decodeResponse, encodeRequest } from '../link/protocol';
import { MEM_END_ROM_TIMEOUT_MS, SYNC_TIMEOUT_MS, WAITS } from '../link/commands';
import { isFatalLinkError } from '../link/errors';
import type { ChipRecord } from '../chips/records';
import type { EspLink } from '../link/link';
import type { LogLevel } from '../api';
import { changeBaudSent } from './baud';
import { FAST_SYNC_MAX_BAUD } from './fast-sync';

export const GREETING = Buffer.from('OHAI', 'ascii');
/**
 * [guess] How long OHAI is awaited at 115200 before the SYNC probes: no capture times esp-flasher-stub's start on
 * an ESP32 (its own waits are 10 ms); the simulator's model is 50 ms (sim/device.ts STUB_START_MS, itself a
 * guess). Three times that. A later OHAI is still taken during the probes, which go on for WAITS.stubGreetingMs.
 */
export const GREETING_FIRST_WAIT_MS = 150;
/** SYNC rounds over the candidate rates before giving up, even when the greeting's time is spent. */
const MIN_PROBE_ROUNDS = 2;
/** Both stub families answer SYNC 8 times, value 0, with 2 status bytes (protocol notes §2). */
const SYNC_REPLIES = 8;
const STUB_STATUS_LEN = 2;

/** What the greeting needs to know about the upload. */
export interface StubUpload {
  /** Rates besides 115200 and the upload rate where the stub may answer (what the ROM's CHANGE_BAUDRATE carried). */
  alsoTry: number[];
}

/** Before the upload: moves the ROM to the rate the stub goes up at (see above). */
export async function prepareStubUpload(
  link: EspLink,
  chip: ChipRecord,
  dataBaud: number | undefined,
  onLog?: (level: LogLevel, message: string) => void,
): Promise<StubUpload> {
  const rate = link.transport.baudRate;
  if (chip.name === 'esp8266') return { alsoTry: [] };
  // Only a UART gains from it: on native USB the rate is nominal, and over TCP the far end's rate is not ours to set.
  // At most the fast SYNC's rate: anything above is reached by the stub's own CHANGE_BAUDRATE afterwards, where a
  // bridge that cannot make it fails with a code the baud fallback acts on (a failed upload would say STUB_FAILED).
  const target =
    dataBaud === undefined || link.transport.info.lines !== 'uart' || !chip.rom.changeBaud
      ? undefined
      : Math.min(dataBaud, FAST_SYNC_MAX_BAUD);
  if (!chip.stubUartAtRomBaud) {
    // These stubs leave UART0 as the ROM set it (esp-flasher-stub src/main.c reprograms the divider on the ESP32,
    // -S2 and -P4 only): the stub goes up, and greets, at the ROM's rate, whatever set it (autobaud or a change).
    if (target !== undefined && target !== rate) await romBaudOrStay(link, chip, target, onLog);
    return { alsoTry: [] };
  }
  if (target === undefined || target === rate) return { alsoTry: [] };
  const sent = await romBaudOrStay(link, chip, target, onLog);
  return { alsoTry: sent !== undefined && sent !== target ? [sent] : [] };
}

/**
 * The ROM's CHANGE_BAUDRATE to `target`; returns the figure it carried (crystal-scaled on the ESP32), or undefined
 * when the ROM kept its rate (the host switches only after a reply, so the stub can still go up at that rate).
 */
async function romBaudOrStay(
  link: EspLink,
  chip: ChipRecord,
  target: number,
  onLog?: (level: LogLevel, message: string) => void,
): Promise<number | undefined> {
  try {
    return (await changeBaudSent(link, chip, target)).sent;
  } catch (e) {
    if (isFatalLinkError(e) || !(e instanceof KilnError) || e.code !== 'BAUD_CHANGE_FAILED') throw e;
    onLog?.(
      'warn',
      `the ROM did not take ${target} baud; the flasher stub goes up at ${link.transport.baudRate}`,
    );
    return undefined;
  }
}

/** After MEM_END was sent: waits for the stub, and leaves the port at the rate it answers at. */
export async function greetStub(
  link: EspLink,
  chip: ChipRecord,
  upload: StubUpload = { alsoTry: [] },
): Promise<void> {
  if (!chip.stubUartAtRomBaud) {
    // The ROM answers MEM_END quickly (errors there are ignored, as esptool does), then the stub says OHAI.
    if (!(await waitGreeting(link, WAITS.stubGreetingMs))) throw noGreeting(chip);
    return;
  }
  const deadline = link.clock.now() + WAITS.stubGreetingMs;
  const uploadBaud = link.transport.baudRate;
  await memEndReply(link);
  if (uploadBaud !== ROM_BAUD) {
    // No tcflush here: OHAI may already sit in the kernel's buffer when a busy host gets round to it (the switch
    // and a flush each take a thread-pool trip), and flushing it cost ~0.5 s of probes in 2 runs of 3 on a loaded
    // pty bench. Bytes that came at the wrong rate only make junk frames, which waitGreeting skips.
    link.reader.flush();
    await link.transport.setBaudRate(ROM_BAUD);
  }
  if (await waitGreeting(link, GREETING_FIRST_WAIT_MS)) return;
  const rates = [...new Set([ROM_BAUD, uploadBaud, ...upload.alsoTry])];
  for (let round = 0; round < MIN_PROBE_ROUNDS || link.clock.now() < deadline; round++) {
    for (const rate of rates) if (await probe(link, rate)) return;
  }
  throw new KilnError(
    'STUB_FAILED',
    `The flasher stub was uploaded at ${uploadBaud} baud but neither said hello nor answered SYNC at ${rates.join(', ')} baud.`,
    {
      hint: 'Reset the board into download mode and try again, or flash without the stub (slower).',
      details: { chip: chip.name, uploadBaud, triedBauds: rates },
    },
  );
}

/** MEM_END's reply from the ROM, at the upload rate; a refusal or none is ignored (esptool does the same). */
async function memEndReply(link: EspLink): Promise<void> {
  try {
    await link.reader.waitResponse(Op.MEM_END, MEM_END_ROM_TIMEOUT_MS, link.signal);
  } catch (e) {
    if (isFatalLinkError(e)) throw e;
  }
}

async function switchTo(link: EspLink, baud: number): Promise<void> {
  await link.transport.setBaudRate(baud);
  await link.flushInput();
}

/** True when OHAI arrives within `ms`; other frames (MEM_END's reply, garbage) are skipped. */
async function waitGreeting(link: EspLink, ms: number): Promise<boolean> {
  const deadline = link.clock.now() + ms;
  for (;;) {
    const remaining = deadline - link.clock.now();
    if (remaining <= 0) return false;
    try {
      const frame = await link.reader.nextFrame(remaining, link.signal, quiet);
      if (frame.equals(GREETING)) return true;
    } catch (e) {
      if (isFatalLinkError(e)) throw e;
      return false;
    }
  }
}

/** SYNCs at `baud` (see above): true when a stub answers (or its late OHAI arrives); the port stays at `baud`. */
async function probe(link: EspLink, baud: number): Promise<boolean> {
  if (link.transport.baudRate !== baud) await switchTo(link, baud);
  return (await probeOnce(link, false)) || probeOnce(link, true);
}

async function probeOnce(link: EspLink, leadingEnd: boolean): Promise<boolean> {
  await link.writeRaw(encodeRequest(Op.SYNC, SYNC_PAYLOAD), link.signal, { leadingEnd });
  const deadline = link.clock.now() + SYNC_TIMEOUT_MS;
  for (;;) {
    const remaining = deadline - link.clock.now();
    if (remaining <= 0) return false;
    let frame: Buffer;
    try {
      frame = await link.reader.nextFrame(remaining, link.signal, quiet);
    } catch (e) {
      if (isFatalLinkError(e)) throw e;
      return false;
    }
    const r = decodeResponse(frame);
    const stubSync =
      r?.op === Op.SYNC && r.value === 0 && r.data.length === STUB_STATUS_LEN && r.data[0] === 0;
    if (stubSync || frame.equals(GREETING)) {
      await drainSync(link, stubSync ? SYNC_REPLIES - 1 : SYNC_REPLIES);
      return true;
    }
  }
}

/** Takes the rest of the SYNC replies off the line, so none can pose as a later command's reply. */
async function drainSync(link: EspLink, count: number): Promise<void> {
  for (let k = 0; k < count; k++) {
    try {
      await link.reader.waitResponse(Op.SYNC, WAITS.syncDrainMs, link.signal);
    } catch (e) {
      if (isFatalLinkError(e)) throw e;
      break;
    }
  }
  await link.flushInput();
}

function quiet(): KilnError {
  return new KilnError('TIMEOUT', 'quiet');
}

function noGreeting(chip: ChipRecord): KilnError {
  return new KilnError('STUB_FAILED', 'The flasher stub was uploaded but did not say hello.', {
    hint: 'Reset the board into download mode and try again, or flash without the stub (slower).',
    details: { chip: chip.name },
  });
}
