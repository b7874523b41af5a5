/**
 * The ESP8266's boot, read: the ROM banner's boot mode and reset cause, its `load`/`csum` lines (did it read the
 * image, and the same bytes that were verified?), repeats (a loop) and the app's own text.
 */
import type { CaptureFacts, HeardLine } from './capture-facts';
import { FIRMWARE_STEP, flashModeAdvice, NOISE_STEPS, POWER_STEP } from './boot-advice';
import {
  appText,
  find,
  preview,
  quote,
  type BootCheckContext,
  type BootReport,
  type Make,
} from './boot-report';

export function classifyEsp8266(
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
