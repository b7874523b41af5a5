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

/** Which ROM printed a line: the ESP8266's (boot text at 74880 baud) or an ESP32-family chip's (115200). */
export type RomFamily = 'esp8266' | 'esp32';

/**
 * Lines the ROMs print, as the real-world fixtures show them (digits stand for any digit): the ESP8266 banner
 * (esp8266_rom_*), its give-up line `ets_main.c` (esp8266_rom_boot_csum_err_nonossdk304.txt); the ESP32 ROM's
 * date line, reset lines, wait and second-stage load lines (esp32_rom_download_then_flash_wdt_loop_lmicnode50.txt,
 * esp32_rom_brownout_loop_nkolban168.txt), and the `ESP-ROM:` banner of the C3/S3 with their reset lines
 * (esp32c3_rom_download_usb_reset_espwebtools465.txt, esp32c3_rom_flash_boot_loader_error_pioHome2926.txt,
 * esp32s3_rom_download_poweron_ydesp32s3_2.txt) and the C6's empty-flash loop
 * (trace_esp32c6_bootloop_rom_banner_during_sync_esptool1123.txt). The ESP32's empty-flash pair
 * `flash read err, 1000` / `ets_main.c 371` is not in the fixtures: [guess] from public reports, as
 * sim/boot-text.ts prints it. The one list of ROM lines the doctor compares against.
 */
const ESP8266_ROM_BANNER = 'ets Jan  8 2013,rst cause:2, boot mode:(3,6)';
const ROM_LINES: readonly { text: string; family: RomFamily }[] = [
  ...[ESP8266_ROM_BANNER, 'ets_main.c'].map((text) => ({ text, family: 'esp8266' as const })),
  ...[
    'ets_main.c 371',
    'ets Jun  8 2016 00:22:57',
    'rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))',
    'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)',
    'waiting for download',
    'flash read err, 1000',
    'configsip: 188777542, SPIWP:0xee',
    'configsip: 0, SPIWP:0xee',
    'clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00',
    'mode:DIO, clock div:2',
    'load:0x3fff0030,len:1184',
    'entry 0x400805e4',
    'ESP-ROM:esp32c3-api1-20210207',
    'ESP-ROM:esp32s3-20210327',
    'Build:Feb  7 2021',
    'rst:0x15 (USB_UART_CHIP_RESET),boot:0x5 (DOWNLOAD(USB/UART0/1))',
    'rst:0x1 (POWERON),boot:0x0 (DOWNLOAD(USB/UART0))',
    'Saved PC:0x400462dc',
    'invalid header: 0xffffffff',
  ].map((text) => ({ text, family: 'esp32' as const })),
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

/** One bit apart: what a single flipped bit makes of a byte (U+FFFD stands for a byte with bit 7 set). */
function oneBitApart(heard: string, sent: string): boolean {
  if (heard === '\ufffd') return true;
  const x = heard.charCodeAt(0) ^ sent.charCodeAt(0);
  return x !== 0 && (x & (x - 1)) === 0;
}

/** Cost of a one-bit substitution in the alignment below: cheap, as line noise flips single bits. */
const FLIP_COST = 0.25;
/** Steps of the alignment: an equal character, a one-bit one, an unrelated edit, a free move between lines. */
const [MATCH, FLIP, OTHER, FREE] = [0, 1, 2, 3] as const;
type Step = typeof MATCH | typeof FLIP | typeof OTHER | typeof FREE;
const STEP_COST = [0, FLIP_COST, 1, 0] as const;
/** The ROM lines' characters laid out as the alignment's states (one per position, and one past the end). */
const ROM_STATES = (() => {
  let size = 0;
  const lines = ROM_LINES.map(({ text }) => {
    const chars = [...text];
    const line = { offset: size, length: chars.length, folded: chars.map(fold), raw: chars };
    size += chars.length + 1;
    return line;
  });
  return { lines, size };
})();

export interface RomAlignment {
  /** Edits that no single flipped bit explains: a character added, lost or replaced by an unrelated one. */
  other: number;
  /** Characters one bit away from the ROM's (or from the CR/LF between two ROM lines). */
  flips: number;
  /** Characters equal to the ROM's (case-insensitive, digits alike). */
  matched: number;
}

/**
 * Cheapest reading of `t` as ROM text sent through a line that flips bits: a run of whole ROM lines (the first
 * may start and the last may end anywhere, as a capture cuts them), where a character the ROM sent may arrive
 * equal, one bit away (FLIP_COST), or unrelated, added or lost (1 each). The CR LF between two ROM lines may
 * arrive one bit away too (`M`, `J`, `*`, `-`), joining them into one heard line. Line noise leaves a ROM line
 * with nearly every edit a one-bit one; a program's line near a ROM line differs by unrelated characters.
 * Only readings with at most `maxOther` unrelated edits count (the cheapest of them is returned), and paths
 * costing more than `limit` are dropped (costs and counts only grow along a path); when none is left the answer
 * is undefined. Program text leaves every path over them within a few characters, so it is judged quickly.
 */
export function romAlignment(t: string, limit = Infinity, maxOther = Infinity): RomAlignment | undefined {
  // One state per ROM line position; the last one is `between` (after a whole line). Per state: the weighted
  // cost of the cheapest path reaching it and that path's counts.
  const total = ROM_STATES.size + 1;
  const between = total - 1;
  let cost = new Float64Array(total);
  let other = new Int32Array(total);
  let flips = new Int32Array(total);
  let matched = new Int32Array(total);
  let nCost = new Float64Array(total);
  let nOther = new Int32Array(total);
  let nFlips = new Int32Array(total);
  let nMatched = new Int32Array(total);
  /** Moves that read no character, within the new row: `from` → `to` at the cost of `kind`. */
  const move = (to: number, from: number, kind: Step) => {
    const v = nCost[from]! + STEP_COST[kind];
    if (v >= nCost[to]!) return;
    nCost[to] = v;
    nOther[to] = nOther[from]! + (kind === OTHER ? 1 : 0);
    nFlips[to] = nFlips[from]!;
    nMatched[to] = nMatched[from]!;
  };
  /** Reading one character: `from` in the old row → `to` in the new one. */
  const read = (to: number, from: number, kind: Step) => {
    const v = cost[from]! + STEP_COST[kind];
    if (v >= nCost[to]!) return;
    nCost[to] = v;
    nOther[to] = other[from]! + (kind === OTHER ? 1 : 0);
    nFlips[to] = flips[from]! + (kind === FLIP ? 1 : 0);
    nMatched[to] = matched[from]! + (kind === MATCH ? 1 : 0);
  };
  /** Moves that read nothing: lost ROM characters (left to right), a finished line, the start of the next. */
  const close = () => {
    for (const { offset, length } of ROM_STATES.lines) {
      for (let j = 1; j <= length; j++) move(offset + j, offset + j - 1, OTHER);
      move(between, offset + length, FREE);
    }
    for (const { offset, length } of ROM_STATES.lines) {
      // Only a cheaper start than the line already had can change anything further along it.
      if (nCost[between]! >= nCost[offset]!) continue;
      move(offset, between, FREE);
      for (let j = 1; j <= length; j++) move(offset + j, offset + j - 1, OTHER);
    }
  };
  // A capture may begin anywhere in a ROM line: every state starts free.
  nCost.fill(0);
  for (const c of t) {
    [cost, nCost, other, nOther, flips, nFlips, matched, nMatched] = [
      nCost,
      cost,
      nOther,
      other,
      nFlips,
      flips,
      nMatched,
      matched,
    ];
    nCost.fill(Infinity);
    // Between lines: spaces cost nothing (the ROM pads some lines), a CR or LF one bit off is a flip.
    const gap = /\s/.test(c) ? FREE : oneBitApart(c, '\r') || oneBitApart(c, '\n') ? FLIP : OTHER;
    if (other[between]! <= maxOther) read(between, between, gap);
    const fc = fold(c);
    for (const { offset, length, folded, raw } of ROM_STATES.lines) {
      for (let j = 0; j <= length; j++) {
        const from = offset + j;
        if (cost[from]! > limit || other[from]! > maxOther) continue;
        read(from, from, OTHER);
        if (j < length)
          read(from + 1, from, fc === folded[j] ? MATCH : oneBitApart(c, raw[j]!) ? FLIP : OTHER);
      }
    }
    close();
    // Program text leaves every path over the limit within a few characters: no need to read on.
    if (!nCost.some((v, k) => v <= limit && nOther[k]! <= maxOther)) return undefined;
  }
  // A capture may end anywhere in a ROM line.
  let best = 0;
  for (let k = 1; k < total; k++)
    if (nOther[k]! <= maxOther && (nOther[best]! > maxOther || nCost[k]! < nCost[best]!)) best = k;
  return { other: nOther[best]!, flips: nFlips[best]!, matched: nMatched[best]! };
}

/**
 * ROM text through bit errors: long enough to judge, at most this share of unrelated edits and fewer of them than
 * one-bit ones, and enough of it equal to the ROM's. At noise 0.5 half the bytes are hit, each by one bit, and
 * nearly all edits are one-bit ones; real program text stays ≥ 0.25 unrelated edits away from any run of ROM
 * lines (the fixtures' `00:00:21 CMD: status 0`), and a program line near one (`Flash read error 12`, 2 edits
 * from `flash read err, 1000`) has no one-bit edit to show. From 10 characters: a line needs 12 printable ones to
 * pass for a program's (sync-rules isAppLine), so shorter ones only matter padded (`Jetc_-cin.c `).
 */
const BIT_ERROR_MIN_LENGTH = 10;
const BIT_ERROR_OTHER = 0.12;
const BIT_ERROR_MATCHED = 0.33;

/** The doctor judges a capture's lines several times (app text, ROM text, boot facts): each is aligned once. */
const judged = new Map<string, boolean>();
const JUDGED_MAX = 512;

function throughBitErrors(t: string): boolean {
  const n = t.trim().length;
  if (n < BIT_ERROR_MIN_LENGTH) return false;
  const known = judged.get(t);
  if (known !== undefined) return known;
  if (judged.size >= JUDGED_MAX) judged.clear();
  const verdict = readsAsRomThroughBitErrors(t, n);
  judged.set(t, verdict);
  return verdict;
}

function readsAsRomThroughBitErrors(t: string, n: number): boolean {
  // An accepted reading has at most BIT_ERROR_OTHER·n unrelated edits, and costs FLIP_COST for each other one.
  const a = romAlignment(t.trim(), (BIT_ERROR_OTHER + FLIP_COST) * n, BIT_ERROR_OTHER * n);
  return !!a && a.other <= BIT_ERROR_OTHER * n && a.flips > a.other && a.matched >= BIT_ERROR_MATCHED * n;
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
  const shape = Math.max(...ROM_LINES.map((rom) => bannerLikeness(t, rom.text)));
  if (shape >= ROM_LINE_ITSELF || (shape >= ROM_SHAPE && marks >= MARKS_ON_ROM_LINE)) return true;
  // The long banner needs fewer marks: no program line in the fixtures comes near it with any (≤ 0.04).
  if (bannerLikeness(t) >= ROM_SHAPE && marks >= MARKS_ON_ROM_LINE_COPY) return true;
  if (throughBitErrors(t)) return true;
  return ROM_LINES.some(({ text: rom }) => {
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

/** Alignment points one family's lines must be ahead by (a damaged `ets_main.c ` is ~2 nearer the ESP32's line). */
const FAMILY_MARGIN = 4;

/**
 * Which ROM damaged ROM lines came from: the family whose ROM lines one of them aligns with clearly better than
 * with the other family's (line noise keeps enough: `waid)lg fkr downloed` is the ESP32's, `eTs!Ken 8$:0q3,rsT
 * caesEz2` the ESP8266's). Both ROMs print an `ets_main.c` line, so a damaged one alone tells nothing. Undefined
 * when no line is clear.
 */
export function romFamily(...lines: string[]): RomFamily | undefined {
  let best = 0;
  let family: RomFamily | undefined;
  for (const t of lines) {
    const score = (f: RomFamily) =>
      Math.max(...ROM_LINES.filter((rom) => rom.family === f).map((rom) => bannerLikeness(t, rom.text)));
    const margin = score('esp8266') - score('esp32');
    if (Math.abs(margin) > best) [best, family] = [Math.abs(margin), margin > 0 ? 'esp8266' : 'esp32'];
  }
  return best >= FAMILY_MARGIN ? family : undefined;
}
/**
 * ROM text visibly hit by bit errors: a mangled ROM line (isGarbledRomLine) whose alignment with the ROM lines
 * needs at least two one-bit edits, more of them than unrelated ones. A ROM line printed as the ROM prints it
 * (even with other values, `rst:0x8 (TG1WDT_SYS_RESET)`) needs few; what such a line says (a boot mode, a reset
 * cause) is not to be trusted once it is damaged.
 */
export function isDamagedRomLine(t: string): boolean {
  if (!isGarbledRomLine(t)) return false;
  const a = romAlignment(t.trim());
  return !!a && a.flips >= 2 && a.flips > a.other;
}

/** Mostly printable, but not what a program prints: a mangled ROM line or a line marked by bit errors throughout. */
export function isMangledText(t: string): boolean {
  return isGarbledRomLine(t) || noiseMarks(t) >= MARKS_ON_ANY_LINE;
}
