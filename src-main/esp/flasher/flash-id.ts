/**
 * The flash chip's JEDEC id (RDID, 0x9F) read by driving the SPI controller through READ_REG/WRITE_REG
 * (protocol notes §3). Works the same under the ROM and the stub. The register layout comes from the chip
 * record; ESP8266 keeps the data bit lengths in USR1, the ESP32 family in separate MOSI/MISO registers.
 */
import { KilnError } from '../../core/errors';
import { WAITS } from '../link/commands';
import { flashSizeFromCapacityByte, type ChipRecord } from '../chips/records';
import type { EspLink } from '../link/link';

const SPI_CMD_USR = 1 << 18;
const SPI_USR_COMMAND = 1 << 31;
const SPI_USR_MISO = 1 << 28;
const SPI_USR2_COMMAND_LEN_SHIFT = 28;
const SPI_USR1_MISO_BITLEN_SHIFT = 8;
const RDID = 0x9f;

/** Runs one SPI flash command that only reads (`readBits` ≤ 32) and returns W0. */
export async function spiFlashReadCommand(
  link: EspLink,
  chip: ChipRecord,
  command: number,
  readBits: number,
): Promise<number> {
  const spi = chip.spi;
  const reg = (off: number) => spi.base + off;
  const oldUsr = await link.readReg(reg(spi.usr));
  const oldUsr2 = await link.readReg(reg(spi.usr2));
  if (spi.misoDlen !== undefined) {
    await link.writeReg(reg(spi.misoDlen), readBits - 1);
  } else {
    await link.writeReg(reg(spi.usr1), (readBits - 1) << SPI_USR1_MISO_BITLEN_SHIFT);
  }
  await link.writeReg(reg(spi.usr), (SPI_USR_COMMAND | SPI_USR_MISO) >>> 0);
  await link.writeReg(reg(spi.usr2), ((7 << SPI_USR2_COMMAND_LEN_SHIFT) | command) >>> 0);
  await link.writeReg(reg(spi.w0), 0);
  await link.writeReg(spi.base, SPI_CMD_USR);
  let done = false;
  for (let i = 0; i < WAITS.spiPollAttempts; i++) {
    if (((await link.readReg(spi.base)) & SPI_CMD_USR) === 0) {
      done = true;
      break;
    }
  }
  if (!done) {
    throw new KilnError('DEVICE_ERROR', `The SPI flash command 0x${command.toString(16)} did not complete.`, {
      hint: 'The flash chip does not respond. Power-cycle the board; check the flash mode and wiring on custom boards.',
      details: { command },
    });
  }
  const value = await link.readReg(reg(spi.w0));
  await link.writeReg(reg(spi.usr), oldUsr);
  await link.writeReg(reg(spi.usr2), oldUsr2);
  return value;
}

export interface FlashIdentity {
  /** 24-bit JEDEC id, manufacturer in the low byte. */
  id: number;
  manufacturer: number;
  /** Bytes; 0 when the capacity byte is not one Kiln knows. */
  size: number;
}

export async function readFlashId(link: EspLink, chip: ChipRecord): Promise<FlashIdentity> {
  const id = (await spiFlashReadCommand(link, chip, RDID, 24)) & 0xffffff;
  return { id, manufacturer: id & 0xff, size: flashSizeFromCapacityByte((id >>> 16) & 0xff) };
}
