/**
 * Where the two flasher-stub families behave differently, one row per difference. Read from the stubs' own
 * sources (facts only, no code taken):
 * - legacy: espressif/esptool-legacy-flasher-stub master (flasher_stub/stub_flasher.c cmd_loop,
 *   stub_write_flash.c, stub_commands.c), the same code esptool ≤ 4.7 kept in flasher_stub/;
 * - esp-flasher-stub: espressif/esp-flasher-stub v1.1.0 (src/command_handler.c handle_command). The catalogued
 *   binaries are v0.2.0–v1.2.1; that these rows hold for all of them is a [guess] (checked only against v1.1.0).
 * Shared by both (so not here): 2 status bytes [error, 0] with codes 0xC0–0xC9, SYNC answered 8 times with value
 * 0, SPI_FLASH_MD5 as 16 raw bytes (the ROM's is 32 hex characters), DATA acknowledged before the write.
 */
import type { StubFamily } from './stub-catalogue';

export interface StubBehaviour {
  family: StubFamily;
  /**
   * FLASH_END / FLASH_DEFL_END with word 0 = 0 (esptool's "reboot"): legacy flushes the reply and calls
   * software_reset() (stub_flasher.c, "passing 0 as parameter for ESP_FLASH_END means reboot now");
   * esp-flasher-stub only answers (its reboot branch is a TODO).
   */
  rebootsOnFlashEnd: boolean;
  /**
   * READ_FLASH word 3 (max in flight): legacy sends packets while sent − acked < max_in_flight
   * (handle_flash_read); esp-flasher-stub fixes it at 1 ("esptool cannot handle the data flow").
   */
  honoursMaxInFlight: boolean;
  /**
   * READ_FLASH packet larger than one 4 KB sector: legacy replies OK and then sends nothing (handle_flash_read
   * returns early); esp-flasher-stub refuses with BAD_DATA_LEN.
   */
  oversizedReadPacket: 'silent' | 'refused';
  /**
   * Erase while writing: esp-flasher-stub skips sectors that are already blank until the first non-blank one
   * (s_ensure_flash_erased_to); legacy erases every sector of the region (start_next_erase).
   */
  skipsBlankSectors: boolean;
  /** ERASE_REGION status for an unaligned address / length: legacy 0x32 / 0x33 (handle_flash_erase), new 0xC0. */
  eraseRegionUnaligned: { address: number; length: number };
  /** Status for an opcode the stub lacks: legacy 0xFF (ESP_CMD_NOT_IMPLEMENTED), new 0xC3 (INVALID_COMMAND). */
  unknownCommandCode: number;
  /**
   * A failed write: legacy keeps it as the session's last_error and reports it on every later FLASH_DATA and
   * at FLASH_END, other commands run normally (get_flash_error); esp-flasher-stub answers the very next command
   * of any kind with it and does not execute that command (accumulated_result).
   */
  deferredError: 'flash-session' | 'next-command';
  /** RUN_USER_CODE: legacy returns from its command loop into the boot; esp-flasher-stub does nothing (TODO). */
  runUserCodeBoots: boolean;
  /**
   * GET_SECURITY_INFO on chips before the S2: legacy compiles the command only for ESP32-S2 and later
   * (ESP32S2_OR_LATER), so it answers 0xFF there; esp-flasher-stub [guess] refuses it with INVALID_COMMAND.
   */
  securityInfoOnOldChips: number;
  /**
   * A frame that ends while both receive buffers are taken (one being handled, one received and waiting): both
   * stubs have exactly two (see RX_FRAME_BUFFERS in stub.ts). esp-flasher-stub's SLIP receiver has no buffer
   * armed and ignores the frame (src/slip.c slip_recv_byte, s_rx_buf NULL until the main loop re-arms);
   * legacy's ISR swaps buffers without looking (stub_flasher.c stub_handle_rx_byte), so the newest frame
   * replaces the waiting one as "the command" — it is even written into the buffer being handled, a corruption
   * not modelled here.
   */
  rxOverrun: 'dropped' | 'replaces-waiting';
}

export const STUB_BEHAVIOUR: Record<StubFamily, StubBehaviour> = {
  legacy: {
    family: 'legacy',
    rebootsOnFlashEnd: true,
    honoursMaxInFlight: true,
    oversizedReadPacket: 'silent',
    skipsBlankSectors: false,
    eraseRegionUnaligned: { address: 0x32, length: 0x33 },
    unknownCommandCode: 0xff,
    deferredError: 'flash-session',
    runUserCodeBoots: true,
    securityInfoOnOldChips: 0xff,
    rxOverrun: 'replaces-waiting',
  },
  'esp-flasher-stub': {
    family: 'esp-flasher-stub',
    rebootsOnFlashEnd: false,
    honoursMaxInFlight: false,
    oversizedReadPacket: 'refused',
    skipsBlankSectors: true,
    eraseRegionUnaligned: { address: 0xc0, length: 0xc0 },
    unknownCommandCode: 0xc3,
    deferredError: 'next-command',
    runUserCodeBoots: false,
    securityInfoOnOldChips: 0xc3,
    rxOverrun: 'dropped',
  },
};
