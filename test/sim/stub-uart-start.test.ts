/**
 * esp-flasher-stub ≥ v1.1.0 on the ESP32 sets the UART, at start, to the ROM's recorded download baud
 * (`UartDev.baud_rate`; src/main.c, PR #96): the simulator keeps that at 115200 unless `romRecordsChangedBaud`
 * (the other side of the [guess]) says the ROM recorded its autobaud lock or CHANGE_BAUDRATE. Other stubs and chips
 * keep the rate the ROM ran at. Asserted on the bytes the host hears at each rate.
 */
import { describe, expect, it } from 'vitest';
import { Op, SYNC_PAYLOAD, decodeResponse, words } from '../../src-main/esp/link/protocol';
import { CHIP_FACTS, romCalibratedXtalHz } from '../../src-main/sim/chip-facts';
import type { SimOptions } from '../../src-main/sim/types';
import { rig, type Rig } from './rig';
import { uploadStub } from './stub-upload';

const isOhai = (f: Buffer) => f.toString('latin1') === 'OHAI';

/** Reset, SYNC at the rig's host baud (the ROM autobauds onto it), SPI_ATTACH, stub upload at that rate. */
async function uploadedAt(
  chip: 'esp32' | 'esp32c3',
  hostBaud: number,
  extra: Partial<Omit<SimOptions, 'clock'>> = {},
): Promise<Rig> {
  const r = rig({ chip, hostBaud, ...extra });
  await r.classicReset();
  await r.sync();
  await r.command(Op.SPI_ATTACH, Buffer.alloc(8));
  await uploadStub(r, chip);
  return r;
}

/** Listens at `baud` from now on; true when OHAI arrives there. */
async function greetsAt(r: Rig, baud: number): Promise<boolean> {
  await r.pair.host.setBaudRate(baud);
  r.decoder.reset();
  r.frames.length = 0;
  return r.until(() => r.frames.some(isOhai), 500);
}

/** SYNC at the host's current baud: the stub's 8 replies (value 0, 2 status bytes), or none. */
async function stubSyncReplies(r: Rig): Promise<number> {
  r.frames.length = 0;
  await r.send(Op.SYNC, SYNC_PAYLOAD);
  await r.wait(50);
  return r.frames
    .map((f) => decodeResponse(f))
    .filter((x) => x?.op === Op.SYNC && x.value === 0 && x.data.length === 2).length;
}

describe('esp-flasher-stub start on the ESP32: the UART at the ROM-recorded baud', () => {
  it('stub uploaded at 921600: OHAI comes at 115200 (the ROM keeps its boot value), and the stub answers there', async () => {
    const r = await uploadedAt('esp32', 921600);
    expect(await greetsAt(r, 115200)).toBe(true);
    expect(r.device.mode).toBe('stub');
    expect(await stubSyncReplies(r)).toBe(8);
    await r.pair.host.setBaudRate(921600);
    expect(await stubSyncReplies(r)).toBe(0);
    await r.close();
  });

  it('a host that stays at 921600 hears no OHAI (it is garbage at that rate)', async () => {
    const r = await uploadedAt('esp32', 921600);
    expect(await greetsAt(r, 921600)).toBe(false);
    expect(r.device.mode).toBe('stub');
    await r.close();
  });

  it('romRecordsChangedBaud: the autobaud lock at 921600 is recorded, so the stub stays at 921600', async () => {
    const r = await uploadedAt('esp32', 921600, { romRecordsChangedBaud: true });
    expect(await greetsAt(r, 921600)).toBe(true);
    expect(await stubSyncReplies(r)).toBe(8);
    await r.close();
  });

  it('romRecordsChangedBaud: after the ROM CHANGE_BAUDRATE the stub runs at the figure the command carried', async () => {
    const r = rig({ chip: 'esp32', romRecordsChangedBaud: true });
    await r.classicReset();
    await r.sync();
    await r.command(Op.SPI_ATTACH, Buffer.alloc(8));
    // esptool's figure for 921600 on this ROM (scaled by its crystal estimate, 38.72 MHz): the ROM then runs at 921600.
    const carried = Math.floor((921600 * romCalibratedXtalHz(CHIP_FACTS.esp32.romCal!)) / 40e6);
    await r.command(Op.CHANGE_BAUDRATE, words(carried, 0));
    await r.pair.host.setBaudRate(921600);
    await r.wait(50);
    await uploadStub(r, 'esp32');
    expect(await greetsAt(r, carried)).toBe(true);
    expect(await stubSyncReplies(r)).toBe(8);
    await r.close();
  });

  it('without romRecordsChangedBaud the same CHANGE_BAUDRATE leaves the stub at 115200', async () => {
    const r = rig({ chip: 'esp32' });
    await r.classicReset();
    await r.sync();
    await r.command(Op.SPI_ATTACH, Buffer.alloc(8));
    await r.command(Op.CHANGE_BAUDRATE, words(892_000, 0));
    await r.pair.host.setBaudRate(921600);
    await r.wait(50);
    await uploadStub(r, 'esp32');
    expect(await greetsAt(r, 115200)).toBe(true);
    await r.close();
  });

  it('the C3 stub leaves the UART alone: uploaded at 921600, it greets at 921600', async () => {
    const r = await uploadedAt('esp32c3', 921600);
    expect(await greetsAt(r, 921600)).toBe(true);
    expect(await stubSyncReplies(r)).toBe(8);
    await r.close();
  });
});
