/**
 * The post-flash boot check's classifier on real boot logs (fixtures/real-world, bytes as posted) and on the
 * shapes no capture covers (garbage after a clean banner, silence).
 */
import { describe, expect, it } from 'vitest';
import { classifyBoot } from '../../src-main/doctor/boot-check';
import { bootPartsWritten } from '../../src-main/doctor/boot-parts';
import type { BootCheckContext } from '../../src-main/doctor/boot-report';
import type { BootListen } from '../../src-main/doctor/boot-listen';
import { bodyBytes } from './capture-readers';

const rom = (bytes: Uint8Array, baud = 74880): BootListen => ({ role: 'rom', baud, bytes, listenedMs: 3500 });
const app = (bytes: Uint8Array): BootListen => ({ role: 'app', baud: 115200, bytes, listenedMs: 1500 });
const esp8266: BootCheckContext = { chip: 'esp8266' };
const esp32: BootCheckContext = { chip: 'esp32' };
const file = (name: string) => bodyBytes(name);
/** Deterministic bytes that are not text (what a UART at the wrong speed, or code run from misread flash, gives). */
function noise(n: number, seed = 7): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = 0x80 | (x >>> 24);
  }
  return out;
}

describe('boot check on ESP8266 captures', () => {
  it('csum err then ets_main.c after a verified flash: the ROM read the image differently → re-flash with DOUT, then DIO', () => {
    const r = classifyBoot([rom(file('esp8266_rom_boot_csum_err_nonossdk304.txt'))], esp8266);
    expect(r.verdict).toBe('no-app');
    expect(r.resets).toBe(1);
    expect(r.evidence).toContain('"csum err" at 74880 baud');
    expect(r.evidence.some((e) => e.includes('rst cause:2, boot mode:(3,6)'))).toBe(true);
    expect(r.retryFlashModes).toEqual(['dout', 'dio']);
    expect(r.advice[0]).toMatch(/flash mode DOUT/);
  });

  it('the image already in DOUT: the advice offers DIO only', () => {
    const r = classifyBoot([rom(file('esp8266_rom_boot_csum_err_nonossdk304.txt'))], {
      chip: 'esp8266',
      flashMode: 'dout',
    });
    expect(r.retryFlashModes).toEqual(['dio']);
  });

  it('rst cause:4 wdt loop with a clean load (Arduino core): boot loop, power first, no flash-mode button', () => {
    const r = classifyBoot([rom(file('esp8266_rom_wdt_reset_then_garbled_arduino9122.txt'))], esp8266);
    expect(r.verdict).toBe('boot-loop');
    expect(r.resets).toBe(2);
    expect(r.summary).toMatch(/rst cause 4, watchdog/);
    expect(r.evidence).toContain('"wdt reset" at 74880 baud');
    expect(r.retryFlashModes).toEqual([]);
    expect(r.advice[0]).toMatch(/supply/);
  });

  it('Tasmota on a Sonoff in a wdt loop (a supply problem per that thread): boot loop', () => {
    const r = classifyBoot([rom(file('tasmota_sonoff_basic_wdt_bootloop_tasmota1864.txt'))], esp8266);
    expect(r.verdict).toBe('boot-loop');
    expect(r.resets).toBe(2);
    expect(r.heard).toContain('wdt reset');
  });

  it('clean ROM load at 74880 then Tasmota at 115200: booted, the app lines are the evidence', () => {
    const r = classifyBoot(
      [
        rom(file('esp8266_rom_bootmode_3_0_arduino9243.txt')),
        app(file('tasmota_sonoff_basic_boot_wifi_fail_v611_tasmota3289.txt')),
      ],
      esp8266,
    );
    expect(r.verdict).toBe('booted');
    expect(r.baud).toBe(74880);
    expect(r.advice).toEqual([]);
    expect(r.evidence.some((e) => e.includes('Project sonoff') && e.endsWith('at 115200 baud'))).toBe(true);
  });

  it('a clean load and a silent app is still a boot; the ROM lines are quoted', () => {
    const r = classifyBoot(
      [rom(file('esp8266_rom_bootmode_3_0_arduino9243.txt')), app(Buffer.alloc(0))],
      esp8266,
    );
    expect(r.verdict).toBe('booted');
    expect(r.summary).toMatch(/printed nothing readable/);
  });

  it('a silent sketch: the app pass hears only the ROM log at the wrong baud (unreadable) → booted, no flash-mode advice', () => {
    const r = classifyBoot(
      [rom(file('esp8266_rom_bootmode_3_0_arduino9243.txt')), app(noise(180, 5))],
      esp8266,
    );
    expect(r.verdict).toBe('booted');
    expect(r.retryFlashModes).toEqual([]);
    expect(r.summary).toMatch(/printed nothing readable at 115200 baud/);
  });

  it('boot mode:(1,x) after the reset: GPIO0 still low → release the button and reset', () => {
    const r = classifyBoot([rom(file('esp8266_rom_bootmode_1_x_download_arduino9016.txt'))], esp8266);
    expect(r.verdict).toBe('download-mode');
    expect(r.advice[0]).toMatch(/Release the FLASH\/BOOT button/);
  });

  it('boot mode:(7,0) waiting for host: not a flash boot, GPIO15 named', () => {
    const r = classifyBoot(
      [rom(file('esp8266_rom_bootmode_7_0_waiting_for_host_wirelessdap17.txt'))],
      esp8266,
    );
    expect(r.verdict).toBe('no-app');
    expect(r.summary).toMatch(/GPIO15 is high/);
  });

  it('garbage at every baud after a clean ROM banner → wrong flash mode, DOUT then DIO', () => {
    const banner = Buffer.from('\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\r\n', 'latin1');
    const r = classifyBoot([rom(Buffer.concat([banner, noise(300)])), app(noise(400, 9))], {
      chip: 'esp8266',
      flashMode: 'qio',
    });
    expect(r.verdict).toBe('garbage');
    expect(r.retryFlashModes).toEqual(['dout', 'dio']);
    expect(r.advice[0]).toMatch(/asks for QIO/);
    expect(r.evidence.some((e) => e.startsWith('300 bytes at 74880 baud'))).toBe(false);
    expect(r.evidence.some((e) => /^\d+ bytes at 115200 baud, \d+ unreadable/.test(e))).toBe(true);
  });

  it('garbage with no banner at all: wiring and supply first, no one-click flash mode', () => {
    const r = classifyBoot([rom(noise(200)), app(noise(300, 3))], esp8266);
    expect(r.verdict).toBe('garbage');
    expect(r.retryFlashModes).toEqual([]);
    expect(r.advice[0]).toMatch(/GND/);
  });

  it('silence at both bauds', () => {
    const r = classifyBoot([rom(Buffer.alloc(0))], esp8266);
    expect(r.verdict).toBe('silent');
    expect(r.evidence[0]).toMatch(/^no byte at 74880 baud/);
  });
});

describe('boot check on ESP32-family captures', () => {
  it('brownout loop', () => {
    const r = classifyBoot([rom(file('esp32_rom_brownout_loop_nkolban168.txt'), 115200)], esp32);
    expect(r.verdict).toBe('boot-loop');
    expect(r.evidence[0]).toBe('"Brownout detector was triggered" at 115200 baud');
  });

  it('download banner, then a flash boot that the TG1 watchdog resets: boot loop (the latest boot decides)', () => {
    const r = classifyBoot(
      [rom(file('esp32_rom_download_then_flash_wdt_loop_lmicnode50.txt'), 115200)],
      esp32,
    );
    expect(r.verdict).toBe('boot-loop');
    expect(r.summary).toMatch(/TG1WDT_SYS_RESET/);
  });

  it('C3 and S3 download banners: download mode', () => {
    for (const name of [
      'esp32c3_rom_download_usb_reset_espwebtools465.txt',
      'esp32s3_rom_download_poweron_ydesp32s3_2.txt',
    ]) {
      expect(
        classifyBoot([rom(file(name), 115200)], { chip: name.startsWith('esp32c3') ? 'esp32c3' : 'esp32s3' })
          .verdict,
      ).toBe('download-mode');
    }
  });

  it('C3 loader error after a TG0 watchdog reset: a boot loop on an unbootable image, flash the bootloader too', () => {
    const r = classifyBoot([rom(file('esp32c3_rom_flash_boot_loader_error_pioHome2926.txt'), 115200)], {
      chip: 'esp32c3',
    });
    expect(r.verdict).toBe('boot-loop');
    expect(r.evidence[0]).toBe('"ets_loader.c 78" at 115200 baud');
    expect(r.advice[0]).toMatch(/bootloader and partition table/);
    expect(r.retryFlashModes).toEqual([]);
  });

  it('the same loader error after a flash that wrote the bootloader and partition table: no advice to write them again', () => {
    const r = classifyBoot([rom(file('esp32c3_rom_flash_boot_loader_error_pioHome2926.txt'), 115200)], {
      chip: 'esp32c3',
      wroteBootParts: bootPartsWritten('esp32c3', [{ offset: 0x0 }, { offset: 0x8000 }, { offset: 0x10000 }]),
    });
    expect(r.verdict).toBe('boot-loop');
    expect(r.advice[0]).not.toMatch(/^Flash the bootloader/);
    expect(r.advice[0]).toMatch(
      /^The bootloader \(at 0x0\) and the partition table were written and verified/,
    );
    expect(bootPartsWritten('esp32', [{ offset: 0x0 }, { offset: 0x8000 }])).toBe(false); // ESP32: 0x1000
  });

  it('invalid header once, on a plain power-on boot: no bootable image', () => {
    const text =
      'ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\nrst:0x1 (POWERON),boot:0xc (SPI_FAST_FLASH_BOOT)\r\ninvalid header: 0xffffffff\r\n';
    const r = classifyBoot([rom(Buffer.from(text, 'latin1'), 115200)], { chip: 'esp32c3' });
    expect(r.verdict).toBe('no-app');
    expect(r.summary).toContain('invalid header: 0xffffffff');
  });
});
