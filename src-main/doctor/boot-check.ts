/**
 * The post-flash boot check: what the board printed after the hard reset, read into a verdict with its evidence
 * and the next steps. The board run (flash/boot-check.ts) uses it for single flashes and the batch station. The
 * text is reduced to facts by the same code the sync diagnosis uses (captureFacts: ROM banners with boot mode and
 * reset cause, ESP32 boot lines; isAppLine for application output).
 *
 * Verdicts:
 * - booted: a flash boot (`boot mode:(3,x)` / `SPI_FAST_FLASH_BOOT`) that loaded the image, or the app's own text;
 *   it does not prove the firmware works, only that it started;
 * - boot-loop: repeated ROM banners, a watchdog reset (`rst cause:4`, `*WDT*`), a brownout, or `invalid header`
 *   over and over;
 * - no-app: the ROM stopped once (`csum err`, `ets_main.c`, `flash read err`, a strap that is not a flash boot);
 * - download-mode: GPIO0 still held low (the button, or an auto-reset circuit that keeps it low);
 * - garbage: bytes, but no readable boot — after a clean ESP8266 ROM banner this usually means a flash mode the
 *   board's flash cannot do (ESP8285, Sonoff: DOUT);
 * - silent: nothing at all.
 *
 * Why a read error points at the flash mode: the bytes were MD5-verified by the stub (which reads the flash in
 * plain SPI), so when the ROM then fails its checksum (`csum err`) or runs garbage, it read the same bytes
 * differently — and the one thing that changes how the ROM reads is the mode byte in the header at 0x0
 * (esptool docs, "SPI Flash Modes": the initial mode is taken from that header; troubleshooting: "writing with qio
 * will succeed but the chip can't read the flash back"). On ESP32-family chips the ROM only loads the
 * second-stage bootloader, which sets the mode itself, so the flash-mode advice is for the ESP8266.
 */
import type { ChipName, FlashModeOption } from '../esp/api';
import { CHIP_IDENTITIES } from '../esp/chips/table';
import { flashModeName } from '../esp/image';
import type { ConnectCapture } from '../core/capture';
import { captureFacts, type CaptureFacts, type HeardLine } from './capture-facts';
import { listenForBoot, romBaudFor, type BootListen, type BootListenOptions } from './boot-listen';
import { isAppLine, WATCHDOG } from './sync-rules';
import type { Clock } from '../core/clock';
import type { Transport } from '../serial/transport';

export type BootVerdict = 'booted' | 'boot-loop' | 'no-app' | 'download-mode' | 'garbage' | 'silent';
/** Flash modes the advice may offer to re-flash with, first to try first. */
export type RetryFlashMode = 'dout' | 'dio';
export type HeaderFlashMode = 'qio' | 'qout' | 'dio' | 'dout';

export interface BootReport {
  verdict: BootVerdict;
  /** One sentence a person can act on. */
  summary: string;
  /** What was heard, quoted with its baud, or byte counts. */
  evidence: string[];
  /** Next steps, first to try first (empty when the board booted). */
  advice: string[];
  /** Set when the advice is a re-flash with another flash mode (the UI offers it as one click). */
  retryFlashModes: RetryFlashMode[];
  /** The ROM log baud (ESP8266 74880, others 115200). */
  baud: number;
  listenedMs: number;
  /** ROM reset banners heard. */
  resets: number;
  /** The first readable lines, trimmed (bounded). */
  heard: string[];
  bytes: number;
  unreadableBytes: number;
}

export interface BootCheckContext {
  chip: ChipName;
  /** The flash mode now in the header of the image at 0x0 (ESP8266), when known. */
  flashMode?: HeaderFlashMode | undefined;
  /** This flash wrote the bootloader (at the chip's bootloader offset) and the partition table (0x8000). */
  wroteBootParts?: boolean | undefined;
}

/** The partition table's offset in every ESP-IDF default layout (CONFIG_PARTITION_TABLE_OFFSET). */
const PARTITION_TABLE_OFFSET = 0x8000;

/**
 * Whether the regions just written start at the chip's bootloader offset and at the partition table: then "flash
 * the bootloader and partition table too" would send the user to do again what was just done and verified.
 */
export function bootPartsWritten(chip: ChipName, images: readonly { offset: number }[]): boolean {
  const at = (o: number) => images.some((i) => i.offset === o);
  return at(CHIP_IDENTITIES[chip].bootloaderOffset) && at(PARTITION_TABLE_OFFSET);
}

/** The step for a ROM that finds no bootable image at the bootloader offset, knowing what this flash wrote. */
function bootPartsStep(ctx: BootCheckContext): string {
  const chip = CHIP_IDENTITIES[ctx.chip];
  const at = `0x${chip.bootloaderOffset.toString(16)}`;
  return ctx.wroteBootParts
    ? `The bootloader (at ${at}) and the partition table were written and verified, yet the chip does not start them: check that the firmware was built for the ${chip.displayName} and that each part went to the offset its build expects.`
    : `Flash the bootloader and partition table too (the bootloader at ${at}; a merged factory image, or the ESP Web Tools manifest with every part).`;
}

/**
 * The flash mode the ESP8266 ROM will find in the header at 0x0 after this flash: the option when it patches
 * the header, else what the image at 0x0 says. Undefined for other chips (their ROM only loads a bootloader that
 * sets its own mode) and when nothing bootable is written at 0x0.
 */
export function bootFlashMode(
  chip: ChipName,
  images: readonly { offset: number; data: Uint8Array }[],
  option: FlashModeOption,
): HeaderFlashMode | undefined {
  if (chip !== 'esp8266') return undefined;
  const first = images.find((i) => i.offset === 0 && i.data[0] === 0xe9);
  if (!first) return undefined;
  return option !== 'keep' ? option : flashModeName(first.data[2] ?? 0xff);
}

const MAX_HEARD = 12;
const MAX_EVIDENCE = 5;

/** Resets, listens (boot-listen.ts) and classifies. Cancellation and port loss propagate. */
export async function checkBoot(
  transport: Transport,
  clock: Clock,
  ctx: BootCheckContext,
  opts: BootListenOptions,
): Promise<BootReport> {
  const listens = await listenForBoot(transport, ctx.chip, clock, opts);
  return classifyBoot(listens, ctx);
}

function toCapture(listens: BootListen[]): ConnectCapture {
  return {
    port: 'boot-check',
    syncFrameHex: '',
    attempts: [],
    listens: listens.map((l) => ({ baud: l.baud, rxHex: Buffer.from(l.bytes).toString('hex') })),
  };
}

function readable(text: string): boolean {
  return (text.match(/\ufffd/g)?.length ?? 0) < text.length / 4;
}

function quote(l: HeardLine): string {
  return `"${l.text.trim()}" at ${l.baud} baud`;
}

export function classifyBoot(listens: BootListen[], ctx: BootCheckContext): BootReport {
  const f = captureFacts(toCapture(listens));
  const streams = f.streams.filter((s) => s.source !== 'sync');
  const total = streams.reduce((n, s) => n + s.bytes.length, 0);
  const unreadable = streams.reduce((n, s) => n + s.text.otherBytes, 0);
  const lines = f.lines.filter((l) => l.source !== 'sync' && l.text.trim().length > 0);
  const base = {
    baud: listens.find((l) => l.role === 'rom')?.baud ?? romBaudFor(ctx.chip),
    listenedMs: listens.reduce((n, l) => n + l.listenedMs, 0),
    heard: lines
      .filter((l) => readable(l.text))
      .slice(0, MAX_HEARD)
      .map((l) => l.text.trim()),
    bytes: total,
    unreadableBytes: unreadable,
  };
  const make = (
    verdict: BootVerdict,
    resets: number,
    summary: string,
    evidence: string[],
    advice: string[] = [],
    retry: RetryFlashMode[] = [],
  ): BootReport => ({
    ...base,
    verdict,
    resets,
    summary,
    evidence: [...new Set(evidence)].slice(0, MAX_EVIDENCE),
    advice,
    retryFlashModes: retry,
  });

  if (total === 0) {
    const where = listens.map((l) => `${l.baud} baud`).join(' and ') || 'the ROM baud';
    return make(
      'silent',
      0,
      'Nothing was heard after the reset.',
      [`no byte at ${where} within ${base.listenedMs} ms of the reset`],
      [
        'Check that the board is powered and that its TX reaches the adapter\u2019s RX.',
        'If the adapter cannot reset the board (no DTR/RTS wiring, a Sonoff, a pty or TCP bridge), press RESET or power-cycle it and watch the serial monitor.',
      ],
    );
  }
  const sourceOf = (role: BootListen['role']) => {
    const l = listens.find((x) => x.role === role);
    return l ? `listen@${l.baud}` : undefined;
  };
  return ctx.chip === 'esp8266'
    ? classifyEsp8266(f, lines, ctx, make, { rom: sourceOf('rom'), app: sourceOf('app') })
    : classifyEsp32(f, lines, ctx, make);
}

type Make = (
  verdict: BootVerdict,
  resets: number,
  summary: string,
  evidence: string[],
  advice?: string[],
  retry?: RetryFlashMode[],
) => BootReport;

function find(lines: HeardLine[], re: RegExp): HeardLine[] {
  return lines.filter((l) => re.test(l.text));
}

function appText(lines: HeardLine[]): HeardLine[] {
  return lines.filter((l) => isAppLine(l.text.trim()));
}

/** Bytes of a stream in hex, shortened. */
function preview(s: { baud: number; bytes: Buffer; text: { otherBytes: number } }): string {
  const hex = [...s.bytes.subarray(0, 24)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${s.bytes.length} bytes at ${s.baud} baud, ${s.text.otherBytes} unreadable: ${hex}${s.bytes.length > 24 ? ' \u2026' : ''}`;
}

const POWER_STEP =
  'Check the supply: a steady 3.3 V with at least 500 mA (an FT232R adapter\u2019s 3.3 V pin cannot), a short USB cable, and GND shared with the adapter.';
const FIRMWARE_STEP =
  'If the supply is fine, the firmware itself crashes at start-up: flash a known-good image to compare.';
const NOISE_STEPS = [
  'Connect the adapter\u2019s GND to the board\u2019s GND and set the adapter to 3.3 V logic.',
  'Use short wires and a supply that can deliver 300 mA.',
];

function flashModeAdvice(current: HeaderFlashMode | undefined): {
  advice: string[];
  retry: RetryFlashMode[];
} {
  const retry: RetryFlashMode[] =
    current === 'dout' ? ['dio'] : current === 'dio' ? ['dout'] : ['dout', 'dio'];
  const asked = current ? ` The image now asks for ${current.toUpperCase()}.` : '';
  const advice =
    retry[0] === 'dout'
      ? [
          `Flash again with flash mode DOUT: every ESP8285, most Sonoff boards and some ESP-01/ESP-12 modules can only read their flash that way.${asked}`,
          'If DOUT does not boot either, try DIO.',
          POWER_STEP,
        ]
      : [`Flash again with flash mode ${retry[0]!.toUpperCase()}.${asked}`, POWER_STEP];
  return { advice, retry };
}

function classifyEsp8266(
  f: CaptureFacts,
  lines: HeardLine[],
  ctx: BootCheckContext,
  make: Make,
  sources: { rom: string | undefined; app: string | undefined },
): BootReport {
  const banners = f.esp8266Banners.filter((b) => b.line.source !== 'sync');
  const app = appText(lines);
  const streams = f.streams.filter((s) => s.source !== 'sync' && s.bytes.length > 0);
  const mostlyUnreadable = (s: (typeof streams)[number]) => s.text.otherBytes > 0.3 * s.bytes.length;

  if (banners.length === 0) {
    if (app.length > 0)
      return make(
        'booted',
        0,
        'The firmware is running: its own output was heard (no ROM banner was recognised).',
        app.slice(0, 3).map(quote),
      );
    if (streams.every(mostlyUnreadable)) {
      return make(
        'garbage',
        0,
        'Only unreadable bytes were heard, at every baud tried: no ROM banner, no firmware output.',
        streams.map(preview),
        [
          ...NOISE_STEPS,
          'If the wiring is sound, the board may need another flash mode: flash again with DOUT.',
        ],
      );
    }
    return make(
      'booted',
      0,
      'Readable text was heard, but no ROM banner or firmware line was recognised.',
      lines.slice(0, 3).map(quote),
    );
  }

  const first = banners[0]!;
  const bannerEvidence = banners.slice(0, 3).map((b) => quote(b.line));
  if (first.mode === 1) {
    return make(
      'download-mode',
      banners.length,
      `The board restarted in its download mode (boot mode:(1,${first.modeY})): GPIO0 is still held low.`,
      bannerEvidence,
      [
        'Release the FLASH/BOOT button (or the GPIO0 jumper) and press RESET, or power-cycle the board.',
        'On an auto-reset board, close any serial monitor holding DTR asserted.',
      ],
    );
  }
  if (first.mode !== 3) {
    const pin =
      first.mode >= 4 ? 'GPIO15 is high (it must be pulled low)' : 'GPIO2 is low (it must be pulled high)';
    return make(
      'no-app',
      banners.length,
      `The board did not boot from flash (boot mode:(${first.mode},${first.modeY})): ${pin}.`,
      [
        ...bannerEvidence,
        ...find(lines, /waiting for host/)
          .slice(0, 1)
          .map(quote),
      ],
      ['Check the strapping pins: GPIO15 to GND through 10 k\u03a9, GPIO2 and GPIO0 high at reset.'],
    );
  }

  // The ROM's own account of the load: `load 0x…`/`csum 0x…` lines mean it read the image; `csum err` or a
  // checksum that differs from the one it computed (chksum vs csum) means it read something else.
  const readErrors = find(lines, /csum err|chksum err|flash read err/i);
  const checksums = lines
    .map((l) => /^\s*(chksum|csum) 0x([0-9a-f]+)/i.exec(l.text))
    .filter((m): m is RegExpExecArray => m !== null);
  const lastChk = checksums.filter((m) => m[1] === 'chksum').pop();
  const lastCsum = checksums.filter((m) => m[1] === 'csum').pop();
  const mismatch =
    lastChk && lastCsum && lastChk[2] !== lastCsum[2]
      ? [`ROM checksum ${lastCsum[2]} differs from the image\u2019s ${lastChk[2]}`]
      : [];
  const stopped = find(lines, /ets_main\.c/);
  const loaded = find(lines, /^\s*(load 0x|csum 0x|~ld)/);
  const wdt = banners.filter((b) => b.rstCause === 4);
  const romStream = streams.find((s) => s.source === sources.rom);
  const appStream = sources.app === sources.rom ? undefined : streams.find((s) => s.source === sources.app);
  // After a clean banner: none of the `load`/`csum` lines every flash boot prints, only unreadable bytes, and no
  // firmware text at the app's baud either. (Unreadable bytes on the app pass alone prove nothing: it starts with
  // the ROM's own 74880-baud log, and a firmware may print at another baud.)
  const garbageAfterBanner =
    loaded.length === 0 &&
    readErrors.length === 0 &&
    stopped.length === 0 &&
    app.length === 0 &&
    romStream !== undefined &&
    mostlyUnreadable(romStream);
  const appUnreadable = appStream !== undefined && app.length === 0 && mostlyUnreadable(appStream);
  const readProblem = readErrors.length > 0 || mismatch.length > 0 || garbageAfterBanner;

  if (banners.length >= 2 || wdt.length > 0) {
    const causes = [...new Set(banners.map((b) => b.rstCause).filter((c) => c !== undefined))].join(', ');
    const evidence = [
      ...bannerEvidence,
      ...readErrors.slice(0, 2).map(quote),
      ...mismatch,
      ...find(lines, /wdt reset/)
        .slice(0, 1)
        .map(quote),
    ];
    if (readProblem) {
      const { advice, retry } = flashModeAdvice(ctx.flashMode);
      return make(
        'boot-loop',
        banners.length,
        `The ROM cannot read the firmware it was given and the chip keeps resetting (${banners.length} resets, rst cause ${causes}): the verified image most likely asks for a flash mode this board cannot do.`,
        evidence,
        advice,
        retry,
      );
    }
    return make(
      'boot-loop',
      banners.length,
      `The chip keeps resetting: ${banners.length} resets (rst cause ${causes}${wdt.length ? ', watchdog' : ''}). The firmware starts, then the chip resets.`,
      evidence,
      [
        POWER_STEP,
        FIRMWARE_STEP,
        ...(ctx.flashMode && ctx.flashMode !== 'dout'
          ? ['On an ESP8285 or Sonoff board, also try flash mode DOUT.']
          : []),
      ],
    );
  }

  if (readErrors.length > 0 || mismatch.length > 0) {
    const { advice, retry } = flashModeAdvice(ctx.flashMode);
    return make(
      'no-app',
      1,
      'The ROM could not load the firmware (checksum error) although the bytes on the flash were verified: it reads them in another way, most likely a flash mode this board cannot do.',
      [
        ...bannerEvidence,
        ...readErrors.slice(0, 2).map(quote),
        ...mismatch,
        ...stopped.slice(0, 1).map(quote),
      ],
      advice,
      retry,
    );
  }
  if (stopped.length > 0) {
    return make(
      'no-app',
      1,
      'The ROM found no bootable firmware at 0x0 (it stopped in ets_main.c).',
      [...bannerEvidence, ...stopped.slice(0, 1).map(quote)],
      [
        'Flash the complete firmware: an ESP8266 boots the image at 0x0 (a bootloader or the whole app), not an app at another offset alone.',
      ],
    );
  }
  if (garbageAfterBanner) {
    const { advice, retry } = flashModeAdvice(ctx.flashMode);
    return make(
      'garbage',
      1,
      'After a clean ROM banner only unreadable bytes followed, at every baud tried: most likely a flash mode the board cannot do.',
      [...bannerEvidence, ...streams.map(preview)],
      advice,
      retry,
    );
  }
  const summary =
    app.length > 0
      ? 'Booted: the ROM loaded the firmware and it is printing.'
      : loaded.length > 0
        ? sources.app === undefined
          ? `Booted from flash (boot mode:(3,${first.modeY})); the ROM loaded the firmware (Kiln listened at the ROM\u2019s ${romStream?.baud ?? 74880} baud only, not at the firmware\u2019s).`
          : `Booted from flash (boot mode:(3,${first.modeY})); the ROM loaded the firmware, which printed nothing readable${appUnreadable ? ` at ${appStream.baud} baud (it may use another)` : ''}.`
        : `The ROM booted from flash (boot mode:(3,${first.modeY})).`;
  return make('booted', 1, summary, [
    ...bannerEvidence,
    ...loaded.slice(-1).map(quote),
    ...app.slice(0, 2).map(quote),
  ]);
}

function classifyEsp32(f: CaptureFacts, lines: HeardLine[], ctx: BootCheckContext, make: Make): BootReport {
  const boots = f.esp32BootLines.filter((b) => b.line.source !== 'sync');
  const brownout = find(lines, /Brownout detector was triggered/);
  const invalid = find(lines, /invalid header|flash read err|ets_loader\.c/i);
  const crash = find(lines, /Guru Meditation|Backtrace:|abort\(\) was called/);
  const app = appText(lines).filter((l) => !/invalid header|Brownout/i.test(l.text));
  const streams = f.streams.filter((s) => s.source !== 'sync' && s.bytes.length > 0);
  const last = boots[boots.length - 1];

  if (boots.length === 0 && invalid.length === 0 && brownout.length === 0) {
    if (app.length > 0)
      return make(
        'booted',
        0,
        'The firmware is running: its own output was heard.',
        app.slice(0, 3).map(quote),
      );
    if (streams.every((s) => s.text.otherBytes > 0.3 * s.bytes.length)) {
      return make(
        'garbage',
        0,
        'Only unreadable bytes were heard: no ROM banner, no firmware output.',
        streams.map(preview),
        NOISE_STEPS,
      );
    }
    return make(
      'booted',
      0,
      'Readable text was heard, but no ROM banner was recognised.',
      lines.slice(0, 3).map(quote),
    );
  }
  if (last?.bootName?.startsWith('DOWNLOAD')) {
    return make(
      'download-mode',
      boots.length,
      'The board restarted in its download mode: the BOOT (GPIO0; GPIO9 on C3/C6) strap is still held low.',
      [
        quote(last.line),
        ...find(lines, /waiting for download/)
          .slice(0, 1)
          .map(quote),
      ],
      ['Release the BOOT button and press EN/RESET, or power-cycle the board.'],
    );
  }
  if (brownout.length > 0) {
    return make(
      'boot-loop',
      Math.max(boots.length, 2),
      'Brownout boot loop: the supply sags when the chip starts.',
      brownout.slice(0, 2).map(quote),
      [POWER_STEP],
    );
  }
  const watchdog = boots.filter((b) => b.rstName !== undefined && WATCHDOG.test(b.rstName));
  if (invalid.length >= 2 || boots.length >= 2 || watchdog.length > 0) {
    const evidence = [
      ...invalid.slice(0, 2),
      ...boots.slice(0, 2).map((b) => b.line),
      ...crash.slice(0, 1),
    ].map(quote);
    if (invalid.length > 0) {
      return make(
        'boot-loop',
        Math.max(boots.length, invalid.length),
        `The ROM keeps restarting on "${invalid[0]!.text.trim()}": the image at the bootloader offset is not bootable.`,
        evidence,
        [bootPartsStep(ctx)],
      );
    }
    return make(
      'boot-loop',
      boots.length,
      `The chip keeps resetting: ${boots.length} resets${watchdog.length ? ` (${watchdog[0]!.rstName})` : ''}. The firmware starts, then the chip resets.`,
      evidence,
      [POWER_STEP, FIRMWARE_STEP],
    );
  }
  if (invalid.length === 1) {
    return make(
      'no-app',
      boots.length,
      `The ROM found no bootable firmware ("${invalid[0]!.text.trim()}").`,
      [...boots.slice(0, 1).map((b) => quote(b.line)), quote(invalid[0]!)],
      [bootPartsStep(ctx)],
    );
  }
  const entry = find(lines, /^\s*entry 0x/);
  return make(
    'booted',
    boots.length,
    app.length > 0
      ? 'Booted: the bootloader started the firmware and it is printing.'
      : entry.length > 0
        ? 'Booted from flash; the bootloader started the firmware.'
        : 'The ROM booted from flash.',
    [
      ...boots.slice(0, 1).map((b) => quote(b.line)),
      ...entry.slice(0, 1).map(quote),
      ...app.slice(0, 2).map(quote),
    ],
  );
}
