/**
 * Whether a heard line is text a program printed or bytes mangled on the way: noise (bit errors), a wrong baud
 * or a missing ground turn the ESP8266's 74880-baud ROM banner into lines that are mostly printable ASCII yet
 * are not application output (`"!etq BAn  8 20!3,vst\"keuSe:2…"`). Two signs tell them apart:
 * - the line still has the banner's shape: it aligns closely with `ets Jan  8 2013,rst cause:N, boot mode:(N,N)`;
 * - its characters carry the marks of flipped bits: U+FFFD (a byte that is no text), a letter whose case flipped
 *   inside a lowercase word (bit 5: `eTs`, `caesEz`), and rare symbols pressed against letters (`et{`, `e|c`).
 * Real program output (Arduino sketches, Tasmota logs, a MicroPython REPL) has few of these marks; the
 * thresholds below leave a wide margin to every line of the real-world fixtures.
 */

/** The ESP8266 ROM banner (esp8266_rom_* fixtures); digits stand for any digit. */
const ESP8266_ROM_BANNER = 'ets Jan  8 2013,rst cause:2, boot mode:(3,6)';

/** Characters seldom printed next to a letter by a program, and often made from one by a flipped bit. */
const RARE_SYMBOL = /[`{|}~^\\$&*#<>]/;
const LETTER = /[A-Za-z]/;

/** Case-insensitive, and any digit matches any digit (the banner's numbers vary). */
function fold(c: string): string {
  return c >= '0' && c <= '9' ? '0' : c.toLowerCase();
}

/**
 * Best local alignment score (Smith–Waterman: +1 match, −1 mismatch or gap) of any stretch of `t` with any
 * stretch of the banner. Text unrelated to the banner scores a few points; a banner with every third byte
 * flipped still scores 10 or more.
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

/** Enough banner shape that a few marks of noise make it a mangled banner (real text about the banner has ≤ 0.04). */
const BANNER_SHAPE = 10;
const MARKS_ON_BANNER = 0.05;
/** Marks of noise no program's output shows (the real-world fixtures top out near 0.1, on a pasted terminal line). */
const MARKS_ON_ANY_LINE = 0.15;

/** The ESP8266 ROM banner read through noise or at a near baud: evidence of a bad line, never a program's output. */
export function isGarbledRomBanner(t: string): boolean {
  return noiseMarks(t) >= MARKS_ON_BANNER && bannerLikeness(t) >= BANNER_SHAPE;
}

/** Mostly printable, but not what a program prints: a mangled banner or a line marked by bit errors throughout. */
export function isMangledText(t: string): boolean {
  return isGarbledRomBanner(t) || noiseMarks(t) >= MARKS_ON_ANY_LINE;
}
