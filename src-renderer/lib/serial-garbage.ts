/**
 * Is the console showing garbage, the way text sent at another baud looks? A UART reading at the wrong rate turns
 * bytes into mostly non-printable ones and invalid UTF-8 (shown as U+FFFD); real text, even binary-ish log lines,
 * has almost none. The ESP8266 ROM prints its boot text at 74880 baud, so that is the usual cause on a console
 * opened at 115200 (failure-diagnosis §C).
 */

/** How many of the latest characters are judged: about two lines of boot text. */
export const GARBAGE_WINDOW = 256;
/** Fewer characters than this say nothing either way (a stray byte from a reset). */
export const GARBAGE_MIN_SAMPLE = 24;
/** Share of unprintable characters above which the output counts as garbage. Plain text is near 0; random bytes ~0.6. */
export const GARBAGE_SHARE = 0.25;

/** U+FFFD, C0 controls other than tab/LF/CR, DEL and C1 controls: what a wrong baud produces and text does not. */
function unprintable(code: number): boolean {
  if (code === 0xfffd) return true;
  if (code === 0x09 || code === 0x0a || code === 0x0d) return false;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** True when the last `GARBAGE_WINDOW` characters of `text` look like bytes read at the wrong baud. */
export function looksLikeWrongBaud(text: string): boolean {
  const sample = [...text.slice(-GARBAGE_WINDOW)];
  if (sample.length < GARBAGE_MIN_SAMPLE) return false;
  const bad = sample.filter((c) => unprintable(c.codePointAt(0)!)).length;
  return bad / sample.length > GARBAGE_SHARE;
}
