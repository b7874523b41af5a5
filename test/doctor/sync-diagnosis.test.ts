import { readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConnectCapture } from '../../src-main/core/capture';
import { BootTextExtractor, extractText } from '../../src-main/doctor/boot-text';
import { classifyOpenError } from '../../src-main/doctor/open-error';
import { diagnoseSync, type SyncDiagnosisCode } from '../../src-main/doctor/sync-diagnosis';
import { sharedDir } from '../helpers/shared';
import {
  bodyBytes,
  bodyText,
  captureFromBanner,
  captureFromLossyAsciiColumn,
  captureFromToolLog,
  captureFromTrace,
  misreadAtBaud,
  SYNC_FRAME_HEX,
} from './capture-readers';

interface Case {
  file: string;
  read: (name: string) => ConnectCapture;
  expected: SyncDiagnosisCode;
  /** The cause as INDEX.md gives it (per thread, or our reading where INDEX says "likely" or gives none). */
  cause: string;
  evidence?: string;
}

const CASES: Case[] = [
  // ESP8266 ROM output
  {
    file: 'esp8266_rom_boot_csum_err_nonossdk304.txt',
    read: captureFromBanner,
    expected: 'ESP8266_FLASH_BOOT_GPIO0_HIGH',
    cause: 'flash boot, boot mode:(3,6)',
    evidence: 'boot mode:(3,6)',
  },
  {
    file: 'esp8266_rom_bootmode_3_0_arduino9243.txt',
    read: captureFromBanner,
    expected: 'ESP8266_FLASH_BOOT_GPIO0_HIGH',
    cause: 'normal boot, boot mode:(3,0)',
    evidence: 'boot mode:(3,0)',
  },
  {
    file: 'esp8266_rom_wdt_reset_then_garbled_arduino9122.txt',
    read: captureFromBanner,
    expected: 'BOOT_LOOP',
    cause: 'rst cause:4 wdt reset, banner again',
    evidence: 'rst cause:4, boot mode:(3,7)',
  },
  {
    file: 'esp8266_rom_bootmode_7_0_waiting_for_host_wirelessdap17.txt',
    read: captureFromBanner,
    expected: 'ESP8266_SDIO_BOOT_GPIO15_HIGH',
    cause: 'GPIO15 high (per thread)',
    evidence: 'boot mode:(7,0)',
  },
  {
    file: 'esp8266_rom_bootmode_1_x_download_arduino9016.txt',
    read: captureFromBanner,
    expected: 'ESP8266_DOWNLOAD_NO_REPLY_TX_PATH',
    cause: 'UART download mode, GPIO0 low (per thread)',
    evidence: 'boot mode:(1,6)',
  },
  // ESP32 family ROM output
  {
    file: 'esp32_rom_download_then_flash_wdt_loop_lmicnode50.txt',
    read: captureFromBanner,
    expected: 'BOOT_LOOP',
    cause: 'TG1WDT_SYS_RESET loop after flash boot',
    evidence: 'TG1WDT_SYS_RESET',
  },
  {
    file: 'esp32_rom_brownout_loop_nkolban168.txt',
    read: captureFromBanner,
    expected: 'BROWNOUT_POWER',
    cause: 'brownout loop',
    evidence: 'Brownout detector was triggered',
  },
  {
    file: 'esp32c3_rom_download_usb_reset_espwebtools465.txt',
    read: captureFromBanner,
    expected: 'ESP32_DOWNLOAD_NO_REPLY_TX_PATH',
    cause: 'C3 in download mode',
    evidence: 'DOWNLOAD(USB/UART0/1)',
  },
  {
    file: 'esp32c3_rom_flash_boot_loader_error_pioHome2926.txt',
    read: captureFromBanner,
    expected: 'ESP32_NORMAL_BOOT',
    cause: 'C3 flash boot boot:0xc',
    evidence: 'boot:0xc (SPI_FAST_FLASH_BOOT)',
  },
  {
    file: 'esp32s3_rom_download_poweron_ydesp32s3_2.txt',
    read: captureFromBanner,
    expected: 'ESP32_DOWNLOAD_NO_REPLY_TX_PATH',
    cause: 'S3 in download mode',
    evidence: 'waiting for download',
  },
  // Tasmota on Sonoff Basic
  {
    file: 'tasmota_sonoff_basic_boot_wifi_fail_v611_tasmota3289.txt',
    read: captureFromBanner,
    expected: 'APP_RUNNING_NO_RESET',
    cause: 'firmware running after reset',
    evidence: 'Project sonoff',
  },
  {
    file: 'tasmota_sonoff_basic_wdt_bootloop_tasmota1864.txt',
    read: captureFromBanner,
    expected: 'BOOT_LOOP',
    cause: 'wdt boot loop; adapter voltage (per reporter)',
    evidence: 'rst cause:4, boot mode:(3,6)',
  },
  // esptool traces
  {
    file: 'trace_esp8266_garbage_during_sync_esptool669.txt',
    read: captureFromTrace,
    expected: 'GARBLED_LIKELY_ESP8266_BOOT_74880',
    cause: 'likely the 74880-baud ROM text read at 115200',
    evidence: '04 0c 8c 1f 00 6c db 24',
  },
  {
    file: 'trace_esp32_boot_banner_during_sync_esptool489.txt',
    read: captureFromTrace,
    expected: 'ESP32_BOOT_MODE_UNSEEN',
    cause: 'ESP32 ROM banner instead of a SYNC reply',
    evidence: 'ets Jun  8 2',
  },
  {
    file: 'trace_esp32c6_bootloop_rom_banner_during_sync_esptool1123.txt',
    read: captureFromTrace,
    expected: 'BOOT_LOOP',
    cause: 'boot loop on erased flash',
    evidence: 'header: 0xffffffff',
  },
  {
    file: 'trace_micropython_repl_invalid_head_0x08_esptool1174.txt',
    read: captureFromTrace,
    expected: 'APP_RUNNING_NO_RESET',
    cause: 'MicroPython REPL answering (app firmware)',
    evidence: '08 1b 5b 4b',
  },
  {
    file: 'trace_esp32_invalid_head_0x00_fatal_esptool752.txt',
    read: captureFromTrace,
    expected: 'GARBLED_NOISE_OR_VOLTAGE',
    cause: 'INDEX gives none; esptool says noise or corruption; our reading: line held low',
    evidence: '00 00 00',
  },
  {
    file: 'trace_esp8266_sync_connect_win_esptool620.txt',
    read: captureFromTrace,
    expected: 'SYNC_REPLY_RECEIVED',
    cause: 'SYNC replies on the second attempt',
    evidence: 'SYNC replies',
  },
  {
    file: 'trace_esp8266_sync_burst_replies_arduino6605.txt',
    read: captureFromTrace,
    expected: 'SYNC_REPLY_RECEIVED',
    cause: 'burst of SYNC replies',
    evidence: 'SYNC replies',
  },
  {
    file: 'trace_esp32_download_banner_sync_esptooljs_pr107.txt',
    read: captureFromLossyAsciiColumn,
    expected: 'ESP32_DOWNLOAD_NO_REPLY_TX_PATH',
    cause: 'download-mode banner (replies not decodable from this lossy dump, so only the banner is fed)',
    evidence: 'waiting for download',
  },
  // Tool failure logs
  {
    file: 'esptool_wrong_boot_mode_0x13_platformio_freematics172.txt',
    read: captureFromToolLog,
    expected: 'ESP32_NORMAL_BOOT',
    cause: 'wrong boot mode 0x13',
    evidence: 'boot:0x13',
  },
  {
    file: 'esptoolck_verbose_00_08_instead_of_c0_win_espasyncudp36.txt',
    read: captureFromToolLog,
    expected: 'ECHO_TX_RX_SHORTED',
    cause: 'likely our own frame echoed back',
    evidence: '00 08',
  },
  {
    file: 'esptoolck_verbose_c4_instead_of_c0_macos_ch340_arduino2404.txt',
    read: captureFromToolLog,
    expected: 'GARBLED_LIKELY_ESP8266_BOOT_74880',
    cause: 'INDEX gives none; our reading: one unreadable byte per attempt',
    evidence: 'c4',
  },
  {
    file: 'esptoolck_verbose_no_reply_win_setcommstate_naturalnerd9.txt',
    read: captureFromToolLog,
    expected: 'NO_RESPONSE_WIRING',
    cause: 'no bytes at all',
    evidence: 'no bytes received',
  },
  {
    file: 'esptoolck_sync_failed_rxtx_swapped_macos_anavi15.txt',
    read: captureFromToolLog,
    expected: 'NO_RESPONSE_WIRING',
    cause: 'RX/TX swapped (per thread)',
    evidence: 'no bytes received',
  },
  {
    file: 'esptool_timeout_ch340_arch_kernel514_esptool683.txt',
    read: captureFromToolLog,
    expected: 'NO_RESPONSE_WIRING',
    cause: 'silence; without adapter and kernel facts the wiring reading comes first',
    evidence: 'no bytes received',
  },
];

/** Captures that are not connection attempts (post-sync exchanges, a success, Linux evidence for the access doctor). */
const NOT_SYNC_FAILURES = new Set([
  'trace_esp8266_detect_efuse_esptool620.txt',
  'trace_esp8266_stub_ohai_readflash_esptool620.txt',
  'trace_esp32_mac_stub_upload_esptool570.txt',
  'trace_esp32_detect_magic_efuse_esptool921.txt',
  'trace_esp32_rom_change_baudrate_spi_attach_esptool921.txt',
  'trace_esp32_change_baudrate_read_flash_esptool342.txt',
  'trace_esp32c6_slip_escape_in_reply_esptool963.txt',
  'esptool_esp8266_write_flash_success_v30_arduino9243.txt',
  // open failures: classified by classifyOpenError below and handled by the access report
  'esptool_port_doesnt_exist_v462_ubuntu2204_esptool918.txt',
  'serialport_permission_denied_tabby8511.txt',
  'serialport_cannot_lock_port_debug_macos_nodeserialport1826.txt',
  // Linux evidence: drives the access-report fixture cases
  'dmesg_ch340_brltty_steal_ratgdo193.txt',
  'dmesg_cp2104_brltty_steal_ubuntu2204_m5stack95.txt',
  'linux_ch340_attach_lsusb_ls_uucp_arch_everythingpresence28.txt',
  'linux_groups_dialout_not_in_session_rtkbase88.txt',
  'udev_brltty64_rules_ch340_cp210x.txt',
]);

describe('real-world captures', () => {
  it('every capture in the folder is either classified here or listed as not a sync failure', () => {
    const all = readdirSync(path.join(sharedDir(), 'fixtures', 'real-world')).filter((f) =>
      f.endsWith('.txt'),
    );
    const covered = new Set([...CASES.map((c) => c.file), ...NOT_SYNC_FAILURES]);
    expect(all.filter((f) => !covered.has(f))).toEqual([]);
  });

  it('the traces set aside hold no SYNC request, so they are not connection attempts', () => {
    for (const f of [...NOT_SYNC_FAILURES].filter((n) => n.startsWith('trace_'))) {
      expect(bodyText(f).replace(/\s+/g, ''), f).not.toContain('c000082400000000');
    }
  });

  it.each(CASES)('$file → $expected ($cause)', (c) => {
    const d = diagnoseSync(c.read(c.file));
    expect(d.code).toBe(c.expected);
    if (c.evidence) expect(d.evidence.join('\n')).toContain(c.evidence);
    expect(d.steps.length).toBeGreaterThan(0);
    expect(d.title.length).toBeGreaterThan(10);
  });

  it('esptool#683 with the adapter and kernel the thread names → the CH340 kernel regression', () => {
    const capture = captureFromToolLog('esptool_timeout_ch340_arch_kernel514_esptool683.txt');
    expect(capture.attempts.every((a) => a.rxHex === '')).toBe(true);
    const d = diagnoseSync(capture, { usbId: '1a86:7523', kernelRelease: '5.14.14-arch1-1' });
    expect(d.code).toBe('CH340_KERNEL_RESET_REGRESSION');
    expect(diagnoseSync(capture, { usbId: '1a86:7523', kernelRelease: '6.8.0-45-generic' }).code).toBe(
      'NO_RESPONSE_WIRING',
    );
    expect(diagnoseSync(capture, { usbId: '10c4:ea60', kernelRelease: '5.14.14-arch1-1' }).code).toBe(
      'NO_RESPONSE_WIRING',
    );
  });

  it('open failures map to the catalogue', () => {
    expect(
      classifyOpenError(
        bodyText('serialport_permission_denied_tabby8511.txt')
          .trim()
          .replace(/^Error: /, ''),
      ).code,
    ).toBe('PORT_PERMISSION_DENIED');
    const lock = bodyText('serialport_cannot_lock_port_debug_macos_nodeserialport1826.txt').match(
      /^Error:\s+(.*)$/m,
    )![1]!;
    expect(classifyOpenError(new Error(lock))).toEqual({ code: 'PORT_BUSY', errno: 'EAGAIN' });
    const missing = bodyText('esptool_port_doesnt_exist_v462_ubuntu2204_esptool918.txt').match(
      /Could not open .*$/m,
    )![0];
    expect(classifyOpenError(missing).code).toBe('PORT_NOT_FOUND');
    expect(classifyOpenError(Object.assign(new Error('x'), { code: 'EBUSY' }))).toEqual({
      code: 'PORT_BUSY',
      errno: 'EBUSY',
    });
  });
});

describe('synthetic captures', () => {
  const frame = Buffer.from(SYNC_FRAME_HEX, 'hex');
  const cap = (attempts: Buffer[], listens?: { baud: number; bytes: Buffer }[]): ConnectCapture => ({
    port: '/dev/ttyUSB0',
    syncFrameHex: SYNC_FRAME_HEX,
    attempts: attempts.map((b) => ({ strategy: 'classic', baud: 115200, rxHex: b.toString('hex') })),
    ...(listens ? { listens: listens.map((l) => ({ baud: l.baud, rxHex: l.bytes.toString('hex') })) } : {}),
  });
  const banner = Buffer.from(
    '\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\r\nload 0x4010f000, len 3424, room 16 \r\n',
  );

  it('silence everywhere → wiring, loopback test first', () => {
    const d = diagnoseSync(
      cap([Buffer.alloc(0), Buffer.alloc(0)], [{ baud: 74880, bytes: Buffer.alloc(0) }]),
    );
    expect(d.code).toBe('NO_RESPONSE_WIRING');
    expect(d.steps[0]).toMatch(/loopback|TX to its RX/i);
    expect(d.steps.join(' ')).toMatch(/Swap TX and RX/);
  });

  it('our frame echoed in full on every attempt → TX/RX shorted, high confidence', () => {
    const d = diagnoseSync(cap([frame, frame, frame]));
    expect(d.code).toBe('ECHO_TX_RX_SHORTED');
    expect(d.confidence).toBe('high');
  });

  it('garbage at 115200 made from the real banner at 74880: likely ESP8266 boot text, low confidence', () => {
    const garbage = misreadAtBaud(banner, 74880);
    expect(extractText(garbage).textBytes / garbage.length).toBeLessThan(0.85);
    const d = diagnoseSync(cap([garbage]));
    expect(d.code).toBe('GARBLED_LIKELY_ESP8266_BOOT_74880');
    expect(d.confidence).toBe('low');
  });

  it('the same garbage with a 74880 listen → the GPIO0 diagnosis, quoting the banner heard at 74880', () => {
    const d = diagnoseSync(
      cap(
        [misreadAtBaud(banner, 74880)],
        [
          { baud: 74880, bytes: banner },
          { baud: 115200, bytes: misreadAtBaud(banner, 74880) },
        ],
      ),
    );
    expect(d.code).toBe('ESP8266_FLASH_BOOT_GPIO0_HIGH');
    expect(d.evidence[0]).toBe('"ets Jan  8 2013,rst cause:2, boot mode:(3,6)" (heard at 74880 baud)');
    expect(d.explanation).toContain('Sonoff Basic');
  });

  it('unreadable at every baud → noise/voltage', () => {
    const noise = Buffer.from('f0e1d2c3b4a5968778695a4b3c2d1e0f8c8c8c', 'hex');
    const d = diagnoseSync(
      cap(
        [noise],
        [
          { baud: 74880, bytes: noise },
          { baud: 115200, bytes: noise },
        ],
      ),
    );
    expect(d.code).toBe('GARBLED_NOISE_OR_VOLTAGE');
    expect(d.confidence).toBe('high');
  });

  it('readable application text, Guru Meditation → firmware running', () => {
    expect(
      diagnoseSync(cap([Buffer.from("Guru Meditation Error: Core  1 panic'ed (LoadProhibited)\r\n")])).code,
    ).toBe('APP_RUNNING_NO_RESET');
    expect(
      diagnoseSync(cap([Buffer.from('[wifi] connecting to home-ap\r\n[wifi] connected, ip 192.168.1.7\r\n')]))
        .code,
    ).toBe('APP_RUNNING_NO_RESET');
  });

  it('ESP8266 (0,x) → GPIO2 low', () => {
    expect(diagnoseSync(cap([Buffer.from(' ets Jan  8 2013,rst cause:1, boot mode:(2,4)\r\n')])).code).toBe(
      'ESP8266_INVALID_BOOT_MODE_GPIO2_LOW',
    );
  });
});

describe('streaming text extractor', () => {
  const files = CASES.filter((c) => c.read === captureFromBanner).map((c) => c.file);

  it('gives identical results fed whole, in 17-byte slices, and byte by byte', () => {
    for (const f of files) {
      const bytes = bodyBytes(f);
      const whole = extractText(bytes);
      for (const size of [17, 1]) {
        const x = new BootTextExtractor();
        for (let i = 0; i < bytes.length; i += size) x.push(bytes.subarray(i, i + size));
        expect(x.summary(), `${f} in ${size}-byte slices`).toEqual(whole);
      }
    }
  });

  it('gives identical results for any split (property)', () => {
    const all = Buffer.concat([...files.map(bodyBytes), Buffer.from('08 1b5b4b 24 1b 5b', 'hex')]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: all.length }), { maxLength: 40 }), (cuts) => {
        const points = [0, ...[...cuts].sort((a, b) => a - b), all.length];
        const lines: string[] = [];
        const x = new BootTextExtractor((l) => lines.push(l));
        for (let i = 1; i < points.length; i++) x.push(all.subarray(points[i - 1]!, points[i]!));
        const whole = extractText(all);
        expect(x.summary()).toEqual(whole);
        expect(lines).toEqual(whole.lines.slice(0, lines.length));
      }),
      { numRuns: 200 },
    );
  });

  it('counts REPL escapes split across chunks', () => {
    const x = new BootTextExtractor();
    x.push(Buffer.from([0x08, 0x1b]));
    x.push(Buffer.from([0x5b, 0x4b]));
    expect(x.summary().escapeSequences).toBe(1);
    expect(x.summary().backspaces).toBe(1);
  });
});

describe('rule boundaries', () => {
  const cap = (hex: string): ConnectCapture => ({
    port: '/dev/ttyUSB0',
    syncFrameHex: SYNC_FRAME_HEX,
    attempts: [{ strategy: 'classic', baud: 115200, rxHex: hex }],
  });

  it('ESC [ inside noise is not a REPL', () => {
    expect(diagnoseSync(cap('8c1b5b92f0e1d2c3')).code).toBe('GARBLED_LIKELY_ESP8266_BOOT_74880');
    expect(diagnoseSync(cap('081b5b4b081b5b4b24')).code).toBe('APP_RUNNING_NO_RESET');
  });

  it('a few zero bytes from the middle of our frame are not an echo', () => {
    expect(diagnoseSync(cap('000000')).code).toBe('GARBLED_NOISE_OR_VOLTAGE');
    expect(diagnoseSync(cap('c0000824')).code).toBe('ECHO_TX_RX_SHORTED');
  });

  it('a SYNC reply wins over boot text around it', () => {
    const text = Buffer.from(' ets Jan  8 2013,rst cause:2, boot mode:(1,6)\r\n').toString('hex');
    expect(diagnoseSync(cap(text + 'c001080200070712200000c0')).code).toBe('SYNC_REPLY_RECEIVED');
    expect(diagnoseSync(cap(text)).code).toBe('ESP8266_DOWNLOAD_NO_REPLY_TX_PATH');
  });
});

describe('ESP32 boot order', () => {
  const cap = (text: string): ConnectCapture => ({
    port: '/dev/ttyUSB0',
    syncFrameHex: SYNC_FRAME_HEX,
    attempts: [{ strategy: 'classic', baud: 115200, rxHex: Buffer.from(text).toString('hex') }],
  });
  it('the latest boot line decides between download mode and a flash boot', () => {
    const dl =
      'rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n';
    const flash =
      'ets Jun  8 2016 00:22:57\r\n\r\nrst:0x10 (RTCWDT_RTC_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n';
    expect(diagnoseSync(cap(dl)).code).toBe('ESP32_DOWNLOAD_NO_REPLY_TX_PATH');
    expect(diagnoseSync(cap(dl + flash)).code).toBe('ESP32_NORMAL_BOOT');
    expect(diagnoseSync(cap(flash + dl)).code).toBe('ESP32_DOWNLOAD_NO_REPLY_TX_PATH');
  });
});
