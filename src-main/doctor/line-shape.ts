/**
 * Whether a heard line is text a program printed or bytes mangled on the way: noise (bit errors), a wrong baud
 * or a missing ground turn the ESP8266's 74880-baud ROM banner (and the other ROM lines) into lines that are mostly
 * printable ASCII yet are not application output (`"!etq BAn  8 20!3,vst\"keuSe:2…"`). Two signs tell them apart:
 * - the line still has a ROM line's shape: it aligns closely with `ets Jan  8 2013,rst cause:N, boot mode:(N,N)`
 *   or another line of ROM_LINES;
 * - its characters carry the marks of flipped bits: U+FFFD (a byte that is no text), a letter whose case flipped
 *   inside a lowercase word (bit 5: `eTs`, `caesEz`), and rare symbols pressed against letters (`et{`, `e|c`).
 * Real program output (Arduino sketches, Tasmota logs, a MicroPython REPL) has few of these marks; the
 * thresholds below leave a wide margin to every line of the real-world fixtures.
 */

/**
 * Lines the ROMs print, as the real-world fixtures show them (digits stand for any digit): the ESP8266 banner
 * (esp8266_rom_*), its give-up line `ets_main.c` (esp8266_rom_boot_csum_err_nonossdk304.txt), and the ESP32 ROM's
 * date line, reset lines and wait (esp32_rom_download_then_flash_wdt_loop_lmicnode50.txt and others). The ESP32's
 * empty-flash pair `flash read err, 1000` / `ets_main.c 371` is not in the fixtures: [guess] from public reports,
 * as sim/boot-text.ts prints it.
 */
const ESP8266_ROM_BANNER = 'ets Jan  8 2013,rst cause:2, boot mode:(3,6)';
const ROM_LINES = [
  ESP8266_ROM_BANNER,
  'ets_main.c',
  'ets_main.c 371',
  'ets Jun  8 2016 00:22:57',
  'rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))',
  'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)',
  'waiting for download',
  'flash read err, 1000',
];

/** Characters seldom printed next to a letter by a program, and often made from one by a flipped bit. */
const RARE_SYMBOL = /[`{|}~^\\$&*#<>]/;
const LETTER = /[A-Za-z]/;

/** Case-insensitive, and any digit matches any digit (the banner's numbers vary). */
function fold(c: string): string {
  return c >= '0' && c <= '9' ? '0' : c.toLowerCase();
}

/**
 * Best local alignment score (Smith–Waterman: +1 match, −1 mismatch or gap) of any stretch of `t` with any
 * stretch of `banner` (by default the ESP8266 ROM banner). Text unrelated to it scores a few points; a banner with
 * every third byte flipped still scores 10 or more.
 */
export function bannerLikeness(t: string, banner = ESP8266_ROM_BANNER): number {
  const b = [...banner].map(fold);
  let prev = new Int16Array(b.length + 1);
  let cur = new Int16Array(b.length + 1);
  let best = 0;
  for (let i = 0; i < t.length; i++) {
    const c = fold(t[i]!);
    cur[0] = 0;
    for (let j = 1; j <= b.length; j++) {
      const diag = prev[j - 1]! + (c === b[j - 1] ? 1 : -1);
      const v = Math.max(0, diag, prev[j]! - 1, cur[j - 1]! - 1);
      cur[j] = v;
      if (v > best) best = v;
    }
    [prev, cur] = [cur, prev];
  }
  return best;
}

/**
 * Fewest edits (case-insensitive, digits alike) that turn some stretch of `t` into the whole of `rom`: a short ROM
 * line hit by a few bit errors is a few edits away; a program's line sharing only a prefix with it is not.
 */
function editsFromWhole(t: string, rom: string): number {
  const r = [...rom].map(fold);
  // Rows over `rom`, columns over `t`; a stretch of `t` may start and end anywhere (first row 0, min of last).
  let prev = new Array<number>(t.length + 1).fill(0);
  for (let i = 1; i <= r.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      const sub = prev[j - 1]! + (fold(t[j - 1]!) === r[i - 1] ? 0 : 1);
      cur[j] = Math.min(sub, prev[j]! + 1, cur[j - 1]! + 1);
    }
    prev = cur;
  }
  return Math.min(...prev);
}

/**
 * Share of the line's characters that bear the marks of bit errors: U+FFFD, a lowercase–uppercase–lowercase
 * flip, a rare symbol touching a letter (not one of a deliberate run like `***` or `|---|`).
 */
export function noiseMarks(t: string): number {
  if (t.length === 0) return 0;
  let marks = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    const before = t[i - 1] ?? ' ';
    const after = t[i + 1] ?? ' ';
    if (c === '\ufffd') marks++;
    else if (/[A-Z]/.test(c) && /[a-z]/.test(before) && /[a-z]/.test(after)) marks++;
    else if (
      RARE_SYMBOL.test(c) &&
      before !== c &&
      after !== c &&
      (LETTER.test(before) || LETTER.test(after))
    )
      marks++;
  }
  return marks / t.length;
}

/**
 * Enough ROM-line shape that a few marks of noise make it a mangled ROM line (program output in the fixtures has
 * ≤ 0.07 marks: "Features: WiFi").
 */
const ROM_SHAPE = 10;
const MARKS_ON_ROM_LINE = 0.08;
/** Aligned this well, it contains a ROM line with a few bytes hit (program output in the fixtures scores ≤ 15). */
const ROM_LINE_ITSELF = 20;
/** A whole short ROM line with at most this share of its characters hit, and little else on the line. */
const ROM_LINE_EDITS = 0.25;
const ROM_LINE_EDITS_UNMARKED = 2;
const ROM_LINE_JUNK = 4;
/**
 * A ROM line of ≥ 20 characters may be hit harder when the line bears marks of bit errors: real text is
 * ≥ 0.53 of the banner's length away from it (24 edits, a fixture note); noisy banners at noise 0.4–0.7 are
 * often 0.33–0.45 away.
 */
const ROM_LINE_EDITS_MARKED = 0.45;
const MARKS_ON_ROM_LINE_COPY = 0.05;
/** Marks of noise no program's output shows (the real-world fixtures top out near 0.1, on a pasted terminal line). */
const MARKS_ON_ANY_LINE = 0.15;

/**
 * A ROM line (the ESP8266 banner, an ESP32 boot line, …) read through noise or at a near baud: evidence of a bad
 * line, never a program's output: a short ROM line a few edits away (a mangled `ets_main.c`), or a line aligning
 * strongly with one, or clearly and with marks of flipped bits.
 */
export function isGarbledRomLine(t: string): boolean {
  const length = t.trim().length;
  const marks = noiseMarks(t);
  const shape = Math.max(...ROM_LINES.map((rom) => bannerLikeness(t, rom)));
  if (shape >= ROM_LINE_ITSELF || (shape >= ROM_SHAPE && marks >= MARKS_ON_ROM_LINE)) return true;
  // The long banner needs fewer marks: no program line in the fixtures comes near it with any (≤ 0.04).
  if (bannerLikeness(t) >= ROM_SHAPE && marks >= MARKS_ON_ROM_LINE_COPY) return true;
  return ROM_LINES.some((rom) => {
    if (length > rom.length + ROM_LINE_JUNK) return false;
    const edits = editsFromWhole(t, rom);
    const share = edits / rom.length;
    // A few edits with no mark at all ('uts_mainnc(*'); more only with a sign of noise ('Flash read error 12',
    // 4 edits from 'flash read err, 1000', is a program's).
    if (edits <= ROM_LINE_EDITS_UNMARKED || (marks > 0 && share <= ROM_LINE_EDITS)) return true;
    // The shorter the ROM line, the more a program's line can share with it ('Waiting for WiFi...' has a mark,
    // the case of WiFi, and is 0.4 of 'waiting for download' away): short ones need clearer marks.
    const enoughMarks = rom.length >= 40 ? MARKS_ON_ROM_LINE_COPY : MARKS_ON_ROM_LINE;
    return rom.length >= 20 && marks >= enoughMarks && share <= ROM_LINE_EDITS_MARKED;
  });
}

/** Mostly printable, but not what a program prints: a mangled ROM line or a line marked by bit errors throughout. */
export function isMangledText(t: string): boolean {
  return isGarbledRomLine(t) || noiseMarks(t) >= MARKS_ON_ANY_LINE;
}
