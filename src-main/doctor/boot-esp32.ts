/**
 * The ESP32 family's boot, read: the ROM's `rst:`/`boot:` lines (SPI_FAST_FLASH_BOOT or DOWNLOAD), ESP-IDF's
 * bootloader and partition-table messages, brownouts, crashes and the app's own text.
 */
import type { CaptureFacts, HeardLine } from './capture-facts';
import { FIRMWARE_STEP, NOISE_STEPS, POWER_STEP } from './boot-advice';
import { bootPartsStep } from './boot-parts';
import {
  appText,
  find,
  preview,
  quote,
  type BootCheckContext,
  type BootReport,
  type Make,
} from './boot-report';
import { WATCHDOG } from './sync-rules';

export function classifyEsp32(
  f: CaptureFacts,
  lines: HeardLine[],
  ctx: BootCheckContext,
  make: Make,
): BootReport {
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
