/**
 * The sync-failure rule table (failure-diagnosis.md §B). Order matters: the most specific evidence wins
 * (an answer, a brownout, an echo, a boot loop, a ROM banner with its boot mode), then readable application
 * text, then unreadable bytes, then silence. Each rule returns a Diagnosis or undefined.
 */
import type { CaptureFacts, HeardLine, Stream } from './capture-facts';
import { isGarbledRomLine, isMangledText, romFamily } from './line-shape';
import type { Diagnosis, SyncContext } from './sync-diagnosis';

export type SyncRule = (f: CaptureFacts, ctx: SyncContext) => Diagnosis | undefined;

function quote(l: HeardLine): string {
  return `"${l.text.trim()}" (${l.source === 'sync' ? `during sync at ${l.baud} baud` : `heard at ${l.baud} baud`})`;
}

function hexPreview(b: Buffer, max = 32): string {
  const s = [...b.subarray(0, max)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  return b.length > max ? `${s} \u2026 (${b.length} bytes)` : s;
}

function findLines(f: CaptureFacts, re: RegExp): HeardLine[] {
  return f.lines.filter((l) => re.test(l.text));
}

const LOOPBACK_STEP =
  'Test the adapter alone: unplug it from the board, connect its TX to its RX with a jumper, open a serial monitor and type \u2014 the text must echo back. No echo: the adapter, cable or port is at fault.';
/** The hands-on way in, as Kiln offers it (the guided download mode of flash/guided.ts). */
const GUIDED_MODE =
  'use Kiln\u2019s guided mode (\u201cGuide me\u201d on the Flash screen, --before manual on the command line): it waits while you do this and listens.';
const SONOFF = `On a Sonoff Basic there is no auto-reset: unplug it, hold the button (it is GPIO0), connect 3.3 V while holding it, keep holding for 2 s; the LED stays off. Easier: ${GUIDED_MODE}`;

const syncReply: SyncRule = (f) => {
  if (f.syncReplies === 0) return undefined;
  return {
    code: 'SYNC_REPLY_RECEIVED',
    title: 'The chip answered the handshake',
    explanation:
      'SYNC replies from the ROM bootloader were received, so wiring, power and boot mode were right at that moment. The failure came later: a damaged reply, a timeout after sync, or a baud change.',
    evidence: [`${f.syncReplies} SYNC replies (01 08 \u2026 07 07 12 20) in ${hexPreview(f.rx)}`],
    steps: [
      'Try again; if it repeats, lower the flashing baud rate.',
      'Use a shorter or better USB cable, without a hub.',
    ],
    confidence: 'high',
  };
};

const brownout: SyncRule = (f) => {
  const lines = findLines(f, /Brownout detector was triggered|BROWN_?OUT/i);
  if (lines.length === 0) return undefined;
  return {
    code: 'BROWNOUT_POWER',
    title: 'The supply voltage collapses: the chip resets on brownout',
    explanation:
      'The chip reported a brownout: its supply dips below the safe level, usually when the radio starts. An ESP needs a steady 3.3 V with 300 mA peaks; an FT232R adapter\u2019s 3.3 V pin (about 50 mA) cannot power it, and thin or long USB cables sag.',
    evidence: lines.slice(0, 3).map(quote),
    steps: [
      'Power the board from a proper 3.3 V supply of at least 500 mA (or the board\u2019s own USB port), with the adapter\u2019s GND connected to it.',
      'Use a short, thick USB cable plugged directly into the computer, not a hub.',
      'Add a 100\u2013470 \u00b5F capacitor across 3.3 V and GND close to the module.',
    ],
    confidence: 'high',
  };
};

const echo: SyncRule = (f) => {
  // No SYNC was sent (the guided download mode only listens): nothing could be an echo of it.
  if (f.syncFrame.length === 0) return undefined;
  const e = f.echo;
  const full = e.length >= Math.min(20, f.syncFrame.length);
  // Tools that read one byte per attempt show only the start of the frame, spread over the attempts.
  const prefix = e.length >= 2 && e.length === f.rx.length && e.atFrameStart && e.distinctValues >= 2;
  if (!full && !prefix) return undefined;
  return {
    code: 'ECHO_TX_RX_SHORTED',
    title: 'Our own bytes came back: TX and RX are connected together',
    explanation:
      'What came back is the SYNC request Kiln sent, not a reply. The adapter\u2019s TX is looped to its RX: a loopback jumper left in place, both wires on the same pin, a solder bridge, or an adapter with a built-in echo.',
    evidence: [`received ${e.length} bytes of our own SYNC frame: ${hexPreview(f.rx)}`],
    steps: [
      'Remove any jumper between TX and RX on the adapter.',
      'Connect adapter TX to the ESP\u2019s RX and adapter RX to the ESP\u2019s TX \u2014 two separate pins.',
      'Look for a solder bridge between the ESP\u2019s TX and RX pads.',
    ],
    confidence: full ? 'high' : 'medium',
  };
};

// Watchdog resets; RTCWDT_RTC_RESET is excluded because a plain EN-pin reset on many ESP32 boards reports it.
export const WATCHDOG = /^(?!RTCWDT_RTC_RESET)\w*WDT/;

const bootLoop: SyncRule = (f) => {
  const banners8 = f.esp8266Banners;
  const boots32 = f.esp32BootLines;
  // The ROM repeats "invalid header: 0xffffffff" on empty flash; reads cut lines anywhere, so a fragment counts.
  const invalidHeaders = findLines(f, /invalid hea|header: 0x[0-9a-fA-F]{8}/);
  const wdt8 = banners8.filter((b) => b.rstCause === 4);
  const wdt32 = boots32.filter((b) => b.rstName !== undefined && WATCHDOG.test(b.rstName));
  const looping =
    (banners8.length >= 2 && wdt8.length >= 1) ||
    (boots32.length >= 2 && wdt32.length >= 1) ||
    invalidHeaders.length >= 2;
  if (!looping) return undefined;
  const empty = invalidHeaders.length >= 2;
  return {
    code: 'BOOT_LOOP',
    title: empty
      ? 'The chip boot-loops: no valid program in flash'
      : 'The chip keeps resetting (watchdog boot loop)',
    explanation: empty
      ? 'The ROM finds no valid image header in flash and retries over and over. The chip is booting from flash instead of waiting in the bootloader, so it never answered SYNC.'
      : 'The chip boots from flash and is reset by its watchdog again and again. A supply that sags when the radio starts is the usual cause (the ESP8266 has no brownout message, it just resets); a crashing firmware is the other. Meanwhile it is not in the bootloader, so it does not answer SYNC.',
    evidence: [
      ...[...wdt8.map((b) => b.line), ...wdt32.map((b) => b.line), ...invalidHeaders].slice(0, 4).map(quote),
      `${banners8.length + boots32.length} boot banners seen`,
    ],
    steps: [
      'Put the chip in download mode: hold BOOT/FLASH (GPIO0) low while it resets or powers up, then connect.',
      'Check the power: a 3.3 V supply of at least 500 mA, not an FT232R\u2019s 3.3 V pin, and a good USB cable.',
      ...(empty
        ? ['Once connected, flash a valid firmware (the flash is empty or erased).']
        : ['If power is fine, the firmware itself is crashing: flash a known-good image.']),
    ],
    confidence: empty ? 'high' : 'medium',
  };
};

const esp32Download: SyncRule = (f) => {
  const waiting = findLines(f, /waiting for download/);
  const dl = f.esp32BootLines.filter((b) => b.bootName?.startsWith('DOWNLOAD'));
  if (waiting.length === 0 && dl.length === 0) return undefined;
  // The latest boot decides: download mode followed by a boot from flash is a flash boot now.
  const last = f.esp32BootLines[f.esp32BootLines.length - 1];
  if (last && !last.bootName?.startsWith('DOWNLOAD') && (last.bootName !== undefined || waiting.length === 0))
    return undefined;
  return {
    code: 'ESP32_DOWNLOAD_NO_REPLY_TX_PATH',
    title: 'The chip waits in download mode but does not hear Kiln',
    explanation:
      'The ROM says it is waiting for download, so the chip\u2019s TX reaches the computer and the boot mode is right. It never answered SYNC, so Kiln\u2019s bytes do not reach it: the adapter TX \u2192 chip RX path is broken, or the adapter drives 5 V logic the chip does not read.',
    evidence: [...dl.map((b) => b.line), ...waiting].slice(0, 3).map(quote),
    steps: [
      'Check the wire from the adapter\u2019s TX to the chip\u2019s RX (RXD0/U0RXD): seated, not broken, not on the TX pin too.',
      'Make sure the adapter runs at 3.3 V logic (jumper or switch set to 3.3 V).',
      'Test the adapter with a TX\u2013RX loopback: typed text must echo.',
    ],
    confidence: 'high',
  };
};

const esp8266Banner: SyncRule = (f) => {
  const b = f.esp8266Banners[f.esp8266Banners.length - 1];
  if (!b) return undefined;
  const evidence = f.esp8266Banners.slice(-3).map((x) => quote(x.line));
  if (b.mode === 1) {
    return {
      code: 'ESP8266_DOWNLOAD_NO_REPLY_TX_PATH',
      title: 'The ESP8266 is in download mode but does not hear Kiln',
      explanation:
        'boot mode:(1,x) means GPIO0 was low at reset: the ROM bootloader is running and its output reaches the computer. It did not answer SYNC, so Kiln\u2019s bytes are not reaching it: the adapter TX \u2192 ESP RX wire is broken or missing, or the adapter uses 5 V logic.',
      evidence,
      steps: [
        'Check the wire from the adapter\u2019s TX to the ESP8266\u2019s RX (GPIO3).',
        'Set the adapter to 3.3 V logic; 5 V signals are out of spec for the ESP8266.',
        'Test the adapter with a TX\u2013RX loopback: typed text must echo.',
      ],
      confidence: 'high',
    };
  }
  if (b.mode === 3) {
    return {
      code: 'ESP8266_FLASH_BOOT_GPIO0_HIGH',
      title: 'The ESP8266 booted its firmware: GPIO0 was not held low',
      explanation:
        'boot mode:(3,x) means GPIO0 and GPIO2 were high at reset, so the chip started the program in flash instead of the bootloader. The wiring from the ESP to the adapter works (this text arrived). To flash, GPIO0 must be low while the chip resets or powers up. ' +
        SONOFF,
      evidence,
      steps: [
        'Hold the FLASH/BOOT button (GPIO0 to GND) while you power up or reset the board, then connect.',
        'On boards with auto-reset (NodeMCU, Wemos D1), try another reset strategy or a shorter cable; on boards without (ESP-01, Sonoff), wire GPIO0 to GND by hand.',
        SONOFF,
      ],
      confidence: 'high',
    };
  }
  if (b.mode >= 4) {
    return {
      code: 'ESP8266_SDIO_BOOT_GPIO15_HIGH',
      title: 'The ESP8266 is in SDIO boot mode: GPIO15 is high',
      explanation: `boot mode:(${b.mode},${b.modeY}) means GPIO15 was high at reset. GPIO15 must be pulled low (10 k\u03a9 to GND) for both flashing and normal boot.`,
      evidence,
      steps: [
        'Pull GPIO15 to GND through 10 k\u03a9 and check nothing drives it high at reset.',
        'Then hold GPIO0 low while resetting to enter download mode.',
      ],
      confidence: 'high',
    };
  }
  return {
    code: 'ESP8266_INVALID_BOOT_MODE_GPIO2_LOW',
    title: 'The ESP8266 saw an invalid boot mode: GPIO2 is low',
    explanation: `boot mode:(${b.mode},${b.modeY}) means GPIO2 was low at reset; GPIO2 must be high (pulled up) for both flashing and normal boot.`,
    evidence,
    steps: ['Pull GPIO2 up to 3.3 V (10 k\u03a9) and make sure nothing connected to it is low at reset.'],
    confidence: 'high',
  };
};

const esp32NormalBoot: SyncRule = (f) => {
  const flash = f.esp32BootLines.filter((b) => !b.bootName?.startsWith('DOWNLOAD'));
  if (flash.length === 0) return undefined;
  // Several reset attempts but a boot banner in at most one of them, followed by application output: the
  // host's resets did nothing (no auto-reset circuit) and the banner was just the power-up. That is the
  // reset diagnosis, not a wrong boot pin.
  const attemptsWithBoot = f.attempts.filter((a) => /boot:0x[0-9a-fA-F]/.test(a.toString('latin1'))).length;
  if (f.attempts.length >= 2 && attemptsWithBoot <= 1 && appLines(f).length > 0) return undefined;
  const b = flash[flash.length - 1]!;
  return {
    code: 'ESP32_NORMAL_BOOT',
    title: 'The ESP32 booted normally instead of entering download mode',
    explanation: `boot:0x${b.boot.toString(16)}${b.bootName ? ` (${b.bootName})` : ''} is a boot from flash: the BOOT pin (GPIO0; GPIO9 on C3/C6) was high at reset, so the reset into the bootloader did not happen.`,
    evidence: flash.slice(-2).map((x) => quote(x.line)),
    steps: [
      'Hold the BOOT button, press and release EN/RESET, then release BOOT, and connect.',
      'If the board has auto-reset, try the other reset strategies; a missing capacitor on EN can make auto-reset too short.',
    ],
    confidence: 'high',
  };
};

const esp32BannerOnly: SyncRule = (f) => {
  const lines = findLines(f, /ets Jun {1,2}8 2016|ESP-ROM:esp32/);
  // Damaged ROM lines around the banner: the boot line was heard, but too hit to read (the noise rule's case).
  if (lines.length === 0 || f.esp32BootLines.length > 0 || f.damagedEsp32RomLines.length > 0)
    return undefined;
  return {
    code: 'ESP32_BOOT_MODE_UNSEEN',
    title: 'The ESP32 ROM started, but its boot mode was not seen',
    explanation:
      'The chip reset and its ROM began printing its banner instead of answering SYNC. The line that says whether it entered download mode was not captured.',
    evidence: lines.slice(0, 2).map(quote),
    steps: [
      'Hold BOOT while pressing EN/RESET, then connect.',
      'Connect again: Kiln listens after the attempts to read the whole boot message.',
    ],
    confidence: 'medium',
  };
};

/** Lines the ESP8266 ROM/eboot print while loading, not application output. */
const BOOTLOADER_LINE = /^\s*(load 0x|tail \d|chksum|csum|v[0-9a-f]{8}|~ld)/;

/** Lines the ESP32 ROM prints while loading the 2nd-stage bootloader. */
const ROM_LOAD_LINE =
  /^\s*(ets [A-Z][a-z]{2} |rst:0x|configsip|clk_drv|mode:[A-Z]+, clock|load:0x|entry 0x|ESP-ROM:|Build:|Saved PC|SPIWP)/;

/**
 * Pieces of the ESP8266 ROM banner (`ets Jan  8 2013,rst cause:2, boot mode:(3,6)`) that survive bit errors: a line
 * carrying them is garbled ROM text, not a program's output, however much of the rest is mangled.
 */
const ROM_BANNER_FRAGMENT = /rst cause:\d|20\d\d,rst /;

/**
 * Lines that read as application output: nearly all printable, with a long printable run, not what a ROM
 * or the ESP8266 eboot prints, and not text mangled on the line (a near-banner or bit-error marks, line-shape.ts):
 * noise makes the 74880-baud banner mostly printable, and it must not pass for a running program. Judged per line, so application text after a garbled 74880-baud ROM banner
 * still counts.
 */
function appLines(f: CaptureFacts): HeardLine[] {
  return f.lines.filter((l) => isAppLine(l.text));
}

/** One line judged as application output (see appLines); the post-flash boot check uses the same test. */
export function isAppLine(t: string): boolean {
  if (BOOTLOADER_LINE.test(t) || ROM_LOAD_LINE.test(t) || ROM_BANNER_FRAGMENT.test(t) || t.length === 0)
    return false;
  const printable = (t.match(/[ -~\t]/g) ?? []).length;
  const run = (t.match(/[ -~]{12,}/g) ?? []).reduce((m, x) => Math.max(m, x.length), 0);
  return printable / t.length >= 0.9 && run >= 12 && !isMangledText(t);
}

const appRunning: SyncRule = (f) => {
  const guru = findLines(f, /Guru Meditation|Backtrace:|abort\(\) was called/);
  // A REPL redrawing its line: ESC [ sequences and backspaces, and no other unreadable byte (noise has those too).
  const repl = f.streams.find(
    (s) => s.text.escapeSequences > 0 && s.text.otherBytes === s.text.escapeSequences + s.text.backspaces,
  );
  const text = appLines(f);
  if (guru.length === 0 && !repl && text.length === 0) return undefined;
  const evidence = guru.length
    ? guru.slice(0, 2).map(quote)
    : text.length
      ? text.slice(0, 3).map(quote)
      : [`terminal control bytes (ESC [ \u2026) from a running program: ${hexPreview(repl!.bytes)}`];
  return {
    code: 'APP_RUNNING_NO_RESET',
    title: 'The firmware is running: the reset into the bootloader did not happen',
    explanation:
      'What came back is output of a running program (log text, a crash report, or a REPL editing its line), so the chip was not reset into its bootloader. The board may have no auto-reset circuit (ESP-01, Sonoff), or the reset strategy does not fit its wiring.',
    evidence,
    steps: [
      `Hold BOOT/FLASH (GPIO0) low and press RESET (or power-cycle), then connect without a reset \u2014 or ${GUIDED_MODE}`,
      'On a board with auto-reset, try the other reset strategies.',
      'A serial monitor left open can also keep the lines in a state that prevents the reset: close it.',
    ],
    confidence: guru.length || text.length ? 'high' : 'medium',
  };
};

const garbled: SyncRule = (f) => {
  const withBytes = f.streams.filter((s) => s.bytes.length > 0);
  if (withBytes.length === 0) return undefined;
  const allZero = withBytes.every((s) => s.bytes.every((b) => b === 0x00));
  const listenBauds = new Set((f.capture.listens ?? []).filter((l) => l.rxHex.length > 0).map((l) => l.baud));
  // The ROM's own lines, recognisable through the damage (line-shape.ts): quoted, they show what noise did to them.
  const romLines = f.lines.filter((l) => l.text.trim().length > 0 && isGarbledRomLine(l.text));
  const damagedRom = romLines.slice(0, 2);
  // The ESP32 family's ROM prints at 115200 only: what reads as its text at 74880 is a look-alike (the ESP8266's
  // `ets_main.c`), not its evidence.
  const family = romFamily(
    ...romLines.filter((l) => l.baud !== 74880 || romFamily(l.text) !== 'esp32').map((l) => l.text),
  );
  const noiseSteps = [
    'Connect the adapter\u2019s GND to the board\u2019s GND.',
    'Set the adapter to 3.3 V logic and power the board from a supply that can deliver 300 mA.',
    'Use short wires; keep them away from motors and mains wiring.',
  ];
  const streamEvidence = (streams: Stream[]) =>
    streams.map(
      (s) =>
        `${s.source === 'sync' ? `during sync at ${s.baud} baud` : `at ${s.baud} baud`}: ${hexPreview(s.bytes)}`,
    );
  const quoted = damagedRom.map((l) => `a ROM boot line, damaged: ${quote(l)}`);
  if (!allZero && family === 'esp32') {
    // An ESP32-family ROM prints its boot text at 115200 (40 MHz crystal), so the rate it was heard at is right and
    // what damaged it is the line. Bytes heard at other rates (the 74880-baud listen meant for an ESP8266) are
    // only its text read at the wrong rate: no evidence either way, left out.
    const own = romLines.filter((l) => l.baud !== 74880 && romFamily(l.text) === 'esp32').slice(0, 2);
    const bauds = new Set(own.map((l) => l.baud));
    return {
      code: 'GARBLED_NOISE_OR_VOLTAGE',
      title: 'The ESP32\u2019s boot text arrives damaged: noise, ground or voltage',
      explanation:
        'These are the ESP32 ROM\u2019s own boot lines, heard at the 115200 baud it prints them at, with characters changed by flipped bits. The baud rate is right; the line is not: electrical noise, a missing ground, a 5 V adapter, or a supply that cannot power the chip. The same damage hits Kiln\u2019s SYNC on the way in, so the chip never answers it.',
      evidence: [
        ...own.map((l) => `a ROM boot line, damaged: ${quote(l)}`),
        ...streamEvidence(withBytes.filter((s) => bauds.has(s.baud))),
      ],
      steps: noiseSteps,
      confidence: 'high',
    };
  }
  const evidence = [...streamEvidence(withBytes), ...quoted];
  if (allZero || listenBauds.has(74880) || listenBauds.size >= 2) {
    const esp8266Banner = !allZero && family === 'esp8266';
    return {
      code: 'GARBLED_NOISE_OR_VOLTAGE',
      title: allZero ? 'Only zero bytes: the line is held low' : 'Unreadable bytes at every baud rate',
      explanation: allZero
        ? 'Bytes of value 0 with nothing else mean the receive line sits low (a break), not data: the ESP\u2019s TX is held low, unpowered, or the ground is missing.'
        : esp8266Banner
          ? 'The ESP8266 ROM\u2019s boot banner arrived damaged even in the listen at 74880 baud, the rate it prints at: the bytes are hit on the line, not read at a wrong rate. Electrical noise, a missing ground, a 5 V adapter, or a supply that cannot power the chip.'
          : 'The bytes make no sense at any baud rate tried, so they are not boot text: electrical noise, a missing ground, a 5 V adapter, or a supply that cannot power the chip.',
      evidence,
      steps: noiseSteps,
      confidence: allZero ? 'medium' : 'high',
    };
  }
  return {
    code: 'GARBLED_LIKELY_ESP8266_BOOT_74880',
    title: 'Garbled bytes: likely the ESP8266 ROM banner at 74880 baud',
    explanation:
      'The ESP8266 ROM prints its boot message at 74880 baud (with a 26 MHz crystal); read at 115200 it looks like this. If so, the chip booted but not into download mode: hold GPIO0 low at reset. If a 74880-baud listen also shows garbage, suspect noise, ground or voltage instead.',
    evidence,
    steps: [
      'Connect again and let Kiln listen at 74880 baud to read the boot message.',
      'Hold FLASH/BOOT (GPIO0) low while resetting or powering up the board.',
      ...noiseSteps,
    ],
    confidence: 'low',
  };
};

/** Linux 5.10.58+ / 5.13.10+ ch341 change broke ESP8266 auto-reset (esptool#653). Upper bound unverified: 5.15. */
function ch340ResetRegressionKernel(release: string | undefined): boolean {
  const m = release?.match(/^(\d+)\.(\d+)(?:\.(\d+))?/);
  if (!m) return false;
  const [maj, min, patch] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (maj !== 5) return false;
  return (min === 10 && patch >= 58) || (min === 13 && patch >= 10) || min === 14 || min === 15;
}

const ch340Regression: SyncRule = (f, ctx) => {
  // A hand power-up needs no auto-reset: the regression cannot explain silence through it.
  if (f.capture.manualPowerUp) return undefined;
  if (f.rx.length > 0 || (f.capture.listens ?? []).some((l) => l.rxHex.length > 0)) return undefined;
  if (ctx.usbId?.toLowerCase() !== '1a86:7523' || !ch340ResetRegressionKernel(ctx.kernelRelease))
    return undefined;
  return {
    code: 'CH340_KERNEL_RESET_REGRESSION',
    title: 'No answer: a known Linux CH340 driver regression breaks auto-reset',
    explanation: `This CH340 adapter on Linux ${ctx.kernelRelease} is in the range where a ch341 driver change broke auto-reset into the ESP8266 bootloader ("Timed out waiting for packet header"). Wiring faults give the same silence, so check those too.`,
    evidence: [
      `no bytes received in ${f.attempts.length} attempts`,
      `adapter ${ctx.usbId}`,
      `kernel ${ctx.kernelRelease}`,
    ],
    steps: [
      `Enter download mode by hand: hold FLASH (GPIO0), press and release RST, release FLASH, then connect without a reset \u2014 or ${GUIDED_MODE}`,
      'Or boot another kernel (an LTS kernel outside the affected range).',
      LOOPBACK_STEP,
    ],
    confidence: 'low',
  };
};

const silence: SyncRule = (f) => (f.capture.manualPowerUp ? silenceThroughPowerUp(f) : silenceAfterResets(f));

/** The user powered the board up (button held) while Kiln listened: the experiment rules out boot mode and reset. */
const silenceThroughPowerUp = (f: CaptureFacts): Diagnosis => ({
  code: 'NO_RESPONSE_WIRING',
  title: 'Nothing reached the adapter: a powered-up ESP always prints its banner',
  explanation:
    'You powered the board up while Kiln listened, and not one byte arrived. The ROM prints its boot banner at every power-up whatever the button does, so the chip\u2019s TX does not reach the adapter\u2019s RX: TX and RX swapped, no common ground, no power at the chip, or a faulty adapter.',
  evidence: [
    `no bytes heard at ${[...new Set((f.capture.listens ?? []).map((l) => l.baud))].join(' and ')} baud on ${f.capture.port} while the board was powered up by hand`,
  ],
  steps: [
    'Swap TX and RX: adapter TX goes to the board\u2019s RX, adapter RX to the board\u2019s TX.',
    'Connect the adapter\u2019s GND to the board\u2019s GND.',
    'Check the board gets 3.3 V (never 5 V) while you hold the button.',
    LOOPBACK_STEP,
  ],
  confidence: 'high',
});

const silenceAfterResets = (f: CaptureFacts): Diagnosis => ({
  code: 'NO_RESPONSE_WIRING',
  title: 'Nothing came back from the board',
  explanation:
    'Not a single byte arrived, during the attempts or while listening. An ESP always prints something when it resets, so its TX does not reach the adapter: TX and RX swapped, no common ground, the board unpowered, or the wrong port.',
  evidence: [
    `no bytes received in ${f.attempts.length} attempts${f.capture.listens?.length ? ` and ${f.capture.listens.length} listens` : ''} on ${f.capture.port}`,
  ],
  steps: [
    LOOPBACK_STEP,
    'Swap TX and RX: adapter TX goes to ESP RX, adapter RX to ESP TX.',
    'Connect the adapter\u2019s GND to the board\u2019s GND.',
    'Check the board has power (3.3 V, LED on).',
    'Check it is the right port: unplug the board and see which port disappears.',
  ],
  confidence: 'medium',
});

export const SYNC_RULES: readonly SyncRule[] = [
  syncReply,
  brownout,
  echo,
  bootLoop,
  esp32Download,
  esp8266Banner,
  esp32NormalBoot,
  esp32BannerOnly,
  appRunning,
  garbled,
  ch340Regression,
  silence,
];
