/**
 * What each chip prints on its UART when it comes out of reset, and at which baud. Texts are taken from real
 * captures in fixtures/real-world (cited per text); where no capture covers a case the text is marked
 * [guess]. Delays between segments are guesses of the right order (ROM start-up a few ms, app start-up
 * ~0.1–0.3 s); nothing here is tuned to make a host look good.
 */
import { CHIP_IDENTITIES } from '../esp/chips/table';
import type { FlashMemory } from './flash-memory';
import { MISREAD_LOOP_MS } from './flash-wiring';
import type { SimChip } from './types';

export interface BootSegment {
  /** Milliseconds after the previous segment was queued (after reset for the first one). */
  afterMs: number;
  baud: number;
  text: string;
}

export interface BootScript {
  segments: BootSegment[];
  /** Repeated after `segments`, every `everyMs`, while the host port is open (boot loops, app chatter). */
  loop?: { everyMs: number; segments: BootSegment[] };
  /** Where the chip ends up: listening for SLIP commands, or not. */
  listens: boolean;
}

export type ResetCause = 'power-on' | 'reset-pin' | 'usb-core-reset';

export interface BootContext {
  chip: SimChip;
  download: boolean;
  cause: ResetCause;
  /**
   * Flash holds a bootable image (first byte 0xE9/0xEA) where the ROM boots from (the chip record's bootloader
   * offset: 0x1000 on the ESP32, 0x0 on the others) — e.g. the app-running fault.
   */
  hasApp: boolean;
  brownout: boolean;
  /**
   * ESP8266: the flash answers reads in the mode the image header asks for (flash-wiring.ts). False = the ROM
   * misreads the image: checksum error and a watchdog loop.
   */
  headerModeReadable?: boolean;
  /** Station MAC, used by the app's hostname (Tasmota derives it from the chip id). */
  mac: number[];
  /** ESP32: what the ROM finds at 0x1000 (a second-stage bootloader image) and whether 0x8000 holds a partition table. */
  esp32Flash?: Esp32FlashLayout;
}

/** What the layout reader needs of the flash: single reads, so a sparse flash stays sparse (flash-memory.ts). */
type FlashBytes = Pick<FlashMemory, 'byteAt' | 'readUInt32LE' | 'size'>;

export interface Esp32FlashLayout {
  bootloader?: { flashMode: number; segments: { addr: number; len: number }[]; entry: number };
  partitionTable: boolean;
}

/** Reads the image header the ESP32 ROM loads from 0x1000 (esptool image format: 8-byte header, 16-byte
 *  extended header, then segments of [load address, length, data]). Undefined when it is not a plausible image. */
export function esp32FlashLayout(flash: FlashBytes): Esp32FlashLayout {
  const partitionTable = flash.byteAt(0x8000) === 0xaa && flash.byteAt(0x8001) === 0x50;
  const at = CHIP_IDENTITIES.esp32.bootloaderOffset;
  if (flash.byteAt(at) !== 0xe9) return { partitionTable };
  const count = flash.byteAt(at + 1);
  const segments: { addr: number; len: number }[] = [];
  let off = at + 24;
  for (let i = 0; i < count; i++) {
    if (count > 16 || off + 8 > flash.size) return { partitionTable };
    const addr = flash.readUInt32LE(off);
    const len = flash.readUInt32LE(off + 4);
    if (len > 0x80000) return { partitionTable };
    segments.push({ addr, len });
    off += 8 + len;
  }
  return {
    bootloader: { flashMode: flash.byteAt(at + 2), segments, entry: flash.readUInt32LE(at + 4) },
    partitionTable,
  };
}

const CRLF = '\r\n';
const lines = (...l: string[]) => l.map((s) => s + CRLF).join('');

// ---- ESP8266: ROM prints at 74880 baud (26 MHz crystal), the app at its own 115200. ----

/** esp8266_rom_bootmode_1_x_download_arduino9016.txt, esp8266_rom_boot_csum_err_nonossdk304.txt (leading space). */
function esp8266Banner(cause: number, mode: string): string {
  return `${CRLF} ets Jan  8 2013,rst cause:${cause}, boot mode:${mode}${CRLF}${CRLF}`;
}

/** eboot lines of an Arduino-core image: tasmota_sonoff_basic_boot_wifi_fail_v611_tasmota3289.txt. */
const ESP8266_EBOOT = lines(
  'load 0x4010f000, len 1384, room 16 ',
  'tail 8',
  'chksum 0x2d',
  'csum 0x2d',
  'v3fff3b48',
  '~ld',
);

function tasmotaTopic(mac: number[]): { fallback: string; host: string } {
  const id = ((mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0;
  const hex = id.toString(16).toUpperCase().padStart(6, '0');
  return { fallback: `DVES_${hex}`, host: `sonoff-${(id & 0x1fff).toString().padStart(4, '0')}` };
}

function esp8266Script(c: BootContext): BootScript {
  const rom = 74880;
  const cause = c.cause === 'power-on' ? 1 : 2;
  if (c.brownout) {
    // The ESP8266 has no brownout message: a sagging supply shows as a wdt-reset boot loop
    // (tasmota_sonoff_basic_wdt_bootloop_tasmota1864.txt, per that thread a supply problem; failure-diagnosis §B).
    const loopText = esp8266Banner(4, '(3,6)') + lines('wdt reset');
    return {
      segments: [{ afterMs: 2, baud: rom, text: esp8266Banner(cause, '(3,6)') }],
      loop: { everyMs: 1500, segments: [{ afterMs: 0, baud: rom, text: loopText }] },
      listens: false,
    };
  }
  if (c.download)
    return { segments: [{ afterMs: 2, baud: rom, text: esp8266Banner(cause, '(1,7)') }], listens: true };
  if (c.hasApp && c.headerModeReadable === false) {
    // The header asks for a read mode this board's flash does not answer (flash-wiring.ts: fact vs guess).
    const giveUp = lines('csum err', 'ets_main.c ');
    return {
      segments: [{ afterMs: 2, baud: rom, text: esp8266Banner(cause, '(3,6)') + giveUp }],
      loop: {
        everyMs: MISREAD_LOOP_MS,
        segments: [{ afterMs: 0, baud: rom, text: esp8266Banner(4, '(3,6)') + lines('wdt reset') + giveUp }],
      },
      listens: false,
    };
  }
  if (!c.hasApp) {
    // [guess] Erased flash: the ROM gives up like in the csum-err capture, whose last line is `ets_main.c`.
    return {
      segments: [{ afterMs: 2, baud: rom, text: esp8266Banner(cause, '(3,6)') + lines('ets_main.c ') }],
      listens: false,
    };
  }
  const t = tasmotaTopic(c.mac);
  return {
    segments: [
      { afterMs: 2, baud: rom, text: esp8266Banner(cause, '(3,6)') + ESP8266_EBOOT },
      // App output at 115200, Tasmota 6.1.1 on a Sonoff Basic (tasmota3289 capture; topic from the MAC).
      {
        afterMs: 120,
        baud: 115200,
        text: lines(
          '',
          `00:00:00 Project sonoff Sonoff (Topic sonoff, Fallback ${t.fallback}, GroupTopic sonoffs) Version 6.1.1-2_3_0`,
          `00:00:00 WIF: Connecting to AP1 kiln-lab in mode 11N as ${t.host}...`,
        ),
      },
    ],
    loop: {
      everyMs: 7000,
      segments: [
        {
          afterMs: 0,
          baud: 115200,
          text: lines(
            '00:00:07 WIF: Connect failed as AP cannot be reached',
            `00:00:07 WIF: Connecting to AP1 kiln-lab in mode 11N as ${t.host}...`,
          ),
        },
      ],
    },
    listens: false,
  };
}

// ---- ESP32: ROM and app at 115200 (40 MHz crystal). ----

const ESP32_ETS = `ets Jun  8 2016 00:22:57${CRLF}${CRLF}`;
/** Second-stage load lines: esp32_rom_download_then_flash_wdt_loop_lmicnode50.txt. */
const ESP32_FLASH_LOAD = lines(
  'configsip: 188777542, SPIWP:0xee',
  'clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00',
  'mode:DIO, clock div:2',
  'load:0x3fff0030,len:1184',
  'load:0x40078000,len:13132',
  'load:0x40080400,len:3036',
  'entry 0x400805e4',
);
/**
 * What the ROM prints while loading the image at 0x1000: the configsip/clk_drv lines and the "mode:…, clock div:"
 * line as in esp32_rom_download_then_flash_wdt_loop_lmicnode50.txt; one "load:0x%08x,len:%d" line per segment and
 * "entry 0x%08x" in that capture's format, with the values of the image actually in flash. The mode name follows
 * the header's flash-mode byte; "clock div:2" and "configsip: 188777542" are the capture's (a [guess] for others).
 */
function esp32RomLoadLines(img: NonNullable<Esp32FlashLayout['bootloader']>): string {
  const mode = ['QIO', 'QOUT', 'DIO', 'DOUT'][img.flashMode] ?? 'DIO';
  const hex8 = (n: number) => n.toString(16).padStart(8, '0');
  return lines(
    'configsip: 188777542, SPIWP:0xee',
    'clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00',
    `mode:${mode}, clock div:2`,
    ...img.segments.map((sg) => `load:0x${hex8(sg.addr)},len:${sg.len}`),
    `entry 0x${hex8(img.entry)}`,
  );
}
/**
 * An ESP-IDF second-stage bootloader finding erased flash at 0x8000. The lines are ESP-IDF's own: "partition %d
 * invalid magic number 0x%x" (bootloader_support flash_partitions.c, esp_partition_table_verify, with the magic an
 * erased sector reads, 0xffff), then "Failed to verify partition table" and "load partition table error!"
 * (bootloader_utility.c / bootloader_start.c), and all three together as a real board printed them (a public
 * ESP32-C3 bring-up note found through the code search: "E (35) flash_parts: partition 0 invalid magic number …").
 * The info lines before them (IDF version, SPI mode, chip revision) depend on the bootloader's IDF version and are
 * left out; colour codes off and the timestamps are [guess].
 */
const NO_PARTITION_TABLE = lines(
  'E (35) flash_parts: partition 0 invalid magic number 0xffff',
  'E (35) boot: Failed to verify partition table',
  'E (35) boot: load partition table error!',
);
/** esp32_rom_brownout_loop_nkolban168.txt, verbatim (one period of the loop). */
const ESP32_BROWNOUT = lines(
  'Brownout detector was triggered',
  '',
  'ets Jun  8 2016 00:22:57',
  '',
  'rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)',
  'configsip: 0, SPIWP:0xee',
  'clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00',
  'mode:DIO, clock div:2',
  'load:0x3fff0018,len:4',
  'load:0x3fff001c,len:812',
  'load:0x40078000,len:0',
  'load:0x40078000,len:10212',
  'entry 0x40078a00',
  '',
);
/** [guess] Illustrative app start-up text (readable, 115200) for the app-running fault on ESP32-family chips. */
const ESP32_APP = lines(
  '',
  '00:00:00.002 HDW: ESP32-D0WD v1.0',
  '00:00:00.052 Project tasmota - Tasmota Version 13.2.0(release-tasmota32)',
);
const APP_LOOP = lines('00:00:07.000 WIF: Connect failed as AP cannot be reached');

function esp32Script(c: BootContext): BootScript {
  const b = 115200;
  if (c.brownout) {
    return {
      segments: [{ afterMs: 30, baud: b, text: ESP32_BROWNOUT }],
      loop: { everyMs: 400, segments: [{ afterMs: 0, baud: b, text: ESP32_BROWNOUT }] },
      listens: false,
    };
  }
  if (c.download) {
    // esp32_rom_download_then_flash_wdt_loop_lmicnode50.txt (first two lines) after the ets header.
    const text =
      ESP32_ETS +
      lines(
        'rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))',
        'waiting for download',
      );
    return { segments: [{ afterMs: 30, baud: b, text }], listens: true };
  }
  const head = ESP32_ETS + lines('rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)');
  const second = c.esp32Flash?.bootloader;
  if (second && !c.esp32Flash!.partitionTable) {
    // A second-stage bootloader but no partition table: the ROM loads the bootloader, which cannot verify the
    // table and resets the chip (bootloader_reset → software system reset, rst:0x3), over and over.
    const load = esp32RomLoadLines(second);
    const reboot = ESP32_ETS + lines('rst:0x3 (SW_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)');
    return {
      segments: [{ afterMs: 30, baud: b, text: head + load + NO_PARTITION_TABLE }],
      loop: { everyMs: 80, segments: [{ afterMs: 0, baud: b, text: reboot + load + NO_PARTITION_TABLE }] },
      listens: false,
    };
  }
  if (!c.hasApp) {
    // [guess] Erased flash: the ROM cannot read a valid bootloader header and stops.
    return {
      segments: [{ afterMs: 30, baud: b, text: head + lines('flash read err, 1000', 'ets_main.c 371 ') }],
      listens: false,
    };
  }
  return {
    segments: [
      { afterMs: 30, baud: b, text: head + (second ? esp32RomLoadLines(second) : ESP32_FLASH_LOAD) },
      { afterMs: 250, baud: b, text: ESP32_APP },
    ],
    loop: { everyMs: 7000, segments: [{ afterMs: 0, baud: b, text: APP_LOOP }] },
    listens: false,
  };
}

// ---- ESP32-C3, -S3, -C6: "ESP-ROM:" style banner, ROM and app at 115200. ----

interface EspRom {
  /** First two banner lines. */
  header: string;
  /** The strap word and name printed for download and flash boot. */
  downloadBoot: string;
  flashBoot: string;
  /** Chip and revision in the app's "chip" line. */
  appChip: string;
}

const ESP_ROM: Record<'esp32c3' | 'esp32s3' | 'esp32c6', EspRom> = {
  // esp32c3_rom_download_usb_reset_espwebtools465.txt / esp32c3_rom_flash_boot_loader_error_pioHome2926.txt.
  esp32c3: {
    header: lines('ESP-ROM:esp32c3-api1-20210207', 'Build:Feb  7 2021'),
    downloadBoot: 'boot:0x5 (DOWNLOAD(USB/UART0/1))',
    flashBoot: 'boot:0xc (SPI_FAST_FLASH_BOOT)',
    appChip: 'ESP32-C3 v0.4',
  },
  // esp32s3_rom_download_poweron_ydesp32s3_2.txt (download). Flash boot strap word: [guess] 0x8, the value of the
  // S3's SPI boot strapping (GPIO0 high, GPIO46 low) as the other ROMs print theirs.
  esp32s3: {
    header: lines('ESP-ROM:esp32s3-20210327', 'Build:Mar 27 2021'),
    downloadBoot: 'boot:0x0 (DOWNLOAD(USB/UART0))',
    flashBoot: 'boot:0x8 (SPI_FAST_FLASH_BOOT)',
    appChip: 'ESP32-S3 v0.2',
  },
  // "ESP-ROM:esp32c6-20220919" from trace_esp32c6_bootloop_rom_banner_during_sync_esptool1123.txt (the capture is
  // cut after "B"). [guess] the Build line (the ROM date written out as the other ROMs do) and both strap words.
  esp32c6: {
    header: lines('ESP-ROM:esp32c6-20220919', 'Build:Sep 19 2022'),
    downloadBoot: 'boot:0x4 (DOWNLOAD(USB/UART/SDIO_REI_REO_V2))',
    flashBoot: 'boot:0xc (SPI_FAST_FLASH_BOOT)',
    appChip: 'ESP32-C6 v0.0',
  },
};

function espRomScript(c: BootContext, rom: EspRom): BootScript {
  const b = 115200;
  // After a power-on reset there is no "Saved PC" line (as in esp32s3_rom_download_poweron_ydesp32s3_2.txt);
  // after a USB core reset there is (espwebtools465, C3; [guess] the same reset code on the S3 and C6).
  const rst = c.cause === 'usb-core-reset' ? 'rst:0x15 (USB_UART_CHIP_RESET)' : 'rst:0x1 (POWERON)';
  const savedPc = c.cause === 'usb-core-reset' ? lines('Saved PC:0x400462dc') : '';
  if (c.brownout) {
    // [guess] brownout loop: same message as the ESP32 capture, this ROM's header, reset code 0xf.
    const period =
      lines('Brownout detector was triggered', '') +
      rom.header +
      lines(`rst:0xf (BROWN_OUT_RST),${rom.flashBoot}`);
    return {
      segments: [{ afterMs: 30, baud: b, text: period }],
      loop: { everyMs: 400, segments: [{ afterMs: 0, baud: b, text: period }] },
      listens: false,
    };
  }
  if (c.download) {
    return {
      segments: [
        {
          afterMs: 30,
          baud: b,
          text: rom.header + lines(`${rst},${rom.downloadBoot}`) + savedPc + lines('waiting for download'),
        },
      ],
      listens: true,
    };
  }
  const head = rom.header + lines(`${rst},${rom.flashBoot}`) + savedPc;
  if (!c.hasApp) {
    // Erased flash boot-loops on "invalid header: 0xffffffff", back to back: in
    // trace_esp32c6_bootloop_rom_banner_during_sync_esptool1123.txt esptool flushed its input and read 64 bytes of
    // these lines 2 ms later, i.e. they follow at line rate (a 28-byte line takes 2.4 ms at 115200). Seen on the
    // C6 ROM; assumed the same on the C3 and S3.
    const invalid = lines('invalid header: 0xffffffff');
    return {
      segments: [{ afterMs: 30, baud: b, text: head + invalid }],
      loop: { everyMs: 2.5, segments: [{ afterMs: 0, baud: b, text: invalid }] },
      listens: false,
    };
  }
  return {
    segments: [
      {
        afterMs: 30,
        baud: b,
        // C3 lines from esp32c3_rom_flash_boot_loader_error_pioHome2926.txt; [guess] reused on the S3 and C6.
        text:
          head +
          lines('SPIWP:0xee', 'mode:DIO, clock div:1', 'load:0x3fcd5820,len:0x1714', 'entry 0x403ce000'),
      },
      { afterMs: 250, baud: b, text: ESP32_APP.replace('ESP32-D0WD v1.0', rom.appChip) },
    ],
    loop: { everyMs: 7000, segments: [{ afterMs: 0, baud: b, text: APP_LOOP }] },
    listens: false,
  };
}

export function bootScript(c: BootContext): BootScript {
  if (c.chip === 'esp8266') return esp8266Script(c);
  if (c.chip === 'esp32') return esp32Script(c);
  return espRomScript(c, ESP_ROM[c.chip]);
}
