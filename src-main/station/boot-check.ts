/**
 * The post-flash boot check: hard reset the board and listen to what it prints. The ESP8266 ROM talks at 74880
 * baud (26 MHz crystal), the ESP32 family at 115200. Kiln reports what it heard and flags what it recognises:
 * - a boot loop: two or more ROM reset banners in the window (wdt/brownout/invalid header loops);
 * - no app: the ROM found nothing bootable (ESP8266 `ets_main.c`, ESP32 `flash read err`, `invalid header`);
 * - download mode: the board came up in its loader again (GPIO0 still held low);
 * - garbage: bytes arrived but almost none are text (often a flash mode the board cannot run, or another baud);
 * - silent: nothing at all.
 * "booted" means the ROM reported a flash boot and started loading the image; it does not prove the app works.
 * The app's own output after the ROM's (e.g. Tasmota at 115200 on an ESP8266) arrives at another baud and is
 * counted as unreadable bytes, not as garbage, once a clean ROM banner has been heard.
 */
import type { Clock } from '../core/clock';
import { BootTextExtractor } from '../doctor/boot-text';
import type { ChipName } from '../esp/api';
import type { Transport } from '../serial/transport';
import type { BootCheck, BootVerdict } from './schemas';

export const ESP8266_BOOT_BAUD = 74880;
export const ESP32_BOOT_BAUD = 115200;
/** Long enough for a brownout/wdt loop (ESP8266 ~1.5 s period) to show twice. */
export const DEFAULT_LISTEN_MS = 3500;
const MAX_HEARD_LINES = 12;

export function bootBaudFor(chip: ChipName): number {
  return chip === 'esp8266' ? ESP8266_BOOT_BAUD : ESP32_BOOT_BAUD;
}

/** Starts collecting received bytes (call before the reset, so the first banner is not missed). */
export function startListening(transport: Transport): { stop(): Uint8Array } {
  const chunks: Buffer[] = [];
  const off = transport.onData((c) => chunks.push(c));
  return {
    stop() {
      off();
      return Buffer.concat(chunks);
    },
  };
}

/** Listens for `listenMs` on an open transport (already at the boot baud, board just reset). */
export async function listenForBoot(
  transport: Transport,
  chip: ChipName,
  clock: Clock,
  opts: { listenMs?: number; signal?: AbortSignal; reset: () => Promise<void> },
): Promise<BootCheck> {
  const listenMs = opts.listenMs ?? DEFAULT_LISTEN_MS;
  const baud = bootBaudFor(chip);
  await transport.setBaudRate(baud);
  await transport.discardInput();
  const listener = startListening(transport);
  let bytes: Uint8Array;
  try {
    await opts.reset();
    await clock.sleep(listenMs, opts.signal);
  } finally {
    bytes = listener.stop();
  }
  return classifyBootText(bytes, chip, baud, listenMs);
}

const ESP8266_BANNER = /rst cause:(\d+), boot mode:\((\d),(\d)\)/;
const ESP32_BANNER = /^rst:0x[0-9a-f]+ \(([A-Z_]+)\)/i;

export function classifyBootText(
  bytes: Uint8Array,
  chip: ChipName,
  baud: number,
  listenMs: number,
): BootCheck {
  const x = new BootTextExtractor();
  x.push(bytes);
  const s = x.summary();
  const lines = s.lines.map((l) => l.trim()).filter((l) => l.length > 0);
  const readable = lines.filter((l) => (l.match(/\ufffd/g)?.length ?? 0) < l.length / 4);
  const heard = readable.slice(0, MAX_HEARD_LINES);
  const base = { baud, listenedMs: listenMs, heard, bytes: s.totalBytes, unreadableBytes: s.otherBytes };
  const make = (verdict: BootVerdict, resets: number, summary: string): BootCheck => ({
    ...base,
    verdict,
    resets,
    summary,
  });

  if (s.totalBytes === 0)
    return make(
      'silent',
      0,
      'Nothing was heard after the reset: check power, and that the reset line reaches the chip.',
    );

  if (chip === 'esp8266') {
    const banners = lines.map((l) => ESP8266_BANNER.exec(l)).filter((m): m is RegExpExecArray => m !== null);
    if (banners.length === 0) return garbageOrUnknown(make, s.otherBytes, s.totalBytes);
    const first = banners[0]!;
    const mode = Number(first[2]);
    if (mode === 1)
      return make(
        'download-mode',
        banners.length,
        `The board restarted in its download mode (boot mode:(${first[2]},${first[3]})): GPIO0 is still held low.`,
      );
    if (banners.length >= 2) {
      const causes = [...new Set(banners.map((b) => b[1]))].join(', ');
      const wdt = lines.some((l) => /wdt reset/.test(l));
      return make(
        'boot-loop',
        banners.length,
        `Boot loop: ${banners.length} resets in ${Math.round(listenMs / 100) / 10} s (rst cause ${causes}${wdt ? ', watchdog' : ''}). Check the supply, then try flash mode DOUT.`,
      );
    }
    if (lines.some((l) => /ets_main\.c|csum err|chksum err/i.test(l) && !/^chksum 0x/.test(l))) {
      return make('no-app', 1, 'The ROM found no bootable firmware at 0x0 (it stopped in ets_main.c).');
    }
    const loaded = lines.some((l) => /^load 0x|^~ld|^csum 0x/.test(l));
    return make(
      'booted',
      1,
      loaded
        ? `Booted from flash (boot mode:(${first[2]},${first[3]})); the ROM loaded the firmware.`
        : `The ROM booted from flash (boot mode:(${first[2]},${first[3]})).`,
    );
  }

  const banners = lines.filter((l) => ESP32_BANNER.test(l));
  const brownout = lines.some((l) => /Brownout detector was triggered/.test(l));
  const invalid = lines.filter((l) => /invalid header|flash read err/i.test(l));
  if (banners.length === 0 && invalid.length === 0 && !brownout)
    return garbageOrUnknown(make, s.otherBytes, s.totalBytes);
  if (banners.some((l) => /DOWNLOAD/i.test(l)))
    return make(
      'download-mode',
      banners.length,
      'The board restarted in its download mode: the BOOT/GPIO0 strap is still held low.',
    );
  if (brownout)
    return make(
      'boot-loop',
      Math.max(banners.length, 2),
      'Brownout boot loop: the supply sags when the chip starts. Use a better supply or cable.',
    );
  if (invalid.length >= 2 || banners.length >= 2) {
    return make(
      'boot-loop',
      Math.max(banners.length, invalid.length),
      `Boot loop: ${invalid[0] ? `"${invalid[0]}"` : `${banners.length} resets`} repeats. The image at the bootloader offset is not bootable.`,
    );
  }
  if (invalid.length === 1)
    return make('no-app', banners.length, `The ROM found no bootable firmware ("${invalid[0]}").`);
  const entry = lines.some((l) => /^entry 0x/.test(l));
  return make(
    'booted',
    banners.length,
    entry ? 'Booted from flash; the bootloader started the firmware.' : 'The ROM booted from flash.',
  );
}

function garbageOrUnknown(
  make: (v: BootVerdict, resets: number, summary: string) => BootCheck,
  other: number,
  total: number,
): BootCheck {
  if (other / total > 0.3) {
    return make(
      'garbage',
      0,
      `Only unreadable bytes were heard (${other} of ${total}): a flash mode the board cannot run (try DOUT/DIO), or a different crystal/baud.`,
    );
  }
  return make(
    'booted',
    0,
    'Readable text was heard but no ROM banner was recognised (the firmware may print at this baud itself).',
  );
}
