/**
 * CHANGE_BAUDRATE (protocol notes §6). The stub takes (new, old) and replies at the old rate, then switches;
 * the host switches after the reply, waits 50 ms and drops whatever arrived meanwhile. ROMs of the ESP32 family
 * take (new, 0); the ESP32 ROM derives its UART clock from a drifting 8 MHz oscillator, so esptool sends a rate
 * scaled by the ROM's own crystal estimate — done here too when the registers give a plausible estimate.
 * The ESP8266 ROM has no such command (it autobauds on SYNC): fast-sync.ts syncs it at the data baud, or it stays.
 */
import { KilnError } from '../../core/errors';
import { Op, words } from '../link/protocol';
import { WAITS } from '../link/commands';
import { isFatalLinkError } from '../link/errors';
import type { ChipRecord } from '../chips/records';
import type { EspLink } from '../link/link';

const ESP32_RTCCALICFG1 = 0x3ff5f06c;
const ESP32_EFUSE_WORD4 = 0x3ff5a010;

/** Returns the baud in effect afterwards. */
export async function changeBaud(link: EspLink, chip: ChipRecord, baud: number): Promise<number> {
  return (await changeBaudSent(link, chip, baud)).baud;
}

/**
 * changeBaud, also returning the figure CHANGE_BAUDRATE carried (`sent`: on the ESP32 ROM the crystal-scaled
 * rate, which is what its `UartDev.baud_rate` would hold if the ROM recorded it — stub-greeting.ts).
 */
export async function changeBaudSent(
  link: EspLink,
  chip: ChipRecord,
  baud: number,
): Promise<{ baud: number; sent: number }> {
  const old = link.transport.baudRate;
  if (baud === old) return { baud: old, sent: old };
  if (!link.isStub && !chip.rom.changeBaud) return { baud: old, sent: old };
  let sent = baud;
  if (!link.isStub && chip.name === 'esp32') sent = await esp32RomBaud(link, baud);
  try {
    await link.command(Op.CHANGE_BAUDRATE, words(sent, link.isStub ? old : 0));
  } catch (e) {
    if (isFatalLinkError(e)) throw e;
    throw new KilnError('BAUD_CHANGE_FAILED', `The board did not accept ${baud} baud.`, {
      hint: 'Try a lower baud rate (115200 always works).',
      details: { baud, cause: e instanceof KilnError ? e.code : String(e) },
      cause: e,
    });
  }
  await link.transport.setBaudRate(baud);
  await link.clock.sleep(WAITS.afterBaudChangeMs, link.signal);
  await link.flushInput();
  return { baud, sent };
}

async function esp32RomBaud(link: EspLink, baud: number): Promise<number> {
  const cali = ((await link.readReg(ESP32_RTCCALICFG1)) >>> 7) & 0x1ffffff;
  const ck8m = (await link.readReg(ESP32_EFUSE_WORD4)) & 0xff;
  const romFreq = (cali * 15625 * ck8m) / 40;
  // Registers that read as zero (or nonsense) give no estimate; send the plain rate then.
  if (romFreq < 20e6 || romFreq > 50e6) return baud;
  const valid = romFreq > 33e6 ? 40e6 : 26e6;
  return Math.floor((baud * romFreq) / valid);
}
