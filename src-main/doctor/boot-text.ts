/**
 * Streaming text extractor for what a board prints: feed it the received bytes in chunks split anywhere and
 * it yields the same lines and counts as if fed in one piece. Works byte by byte on purpose: a boot log read
 * at the wrong baud is not valid UTF-8, so no decoder state may depend on where a chunk ends.
 * Printable ASCII and tab become text; CR is dropped; LF ends a line; every other byte counts as unreadable
 * and shows as U+FFFD in the line. ESC '[' sequences (a REPL's line editing) are counted separately.
 */

export interface TextSummary {
  lines: string[];
  /** Printable ASCII, tab, CR and LF. */
  textBytes: number;
  /** Everything else. */
  otherBytes: number;
  /** ESC '[' pairs: terminal control from an application (a REPL), not a ROM. */
  escapeSequences: number;
  /** 0x08 bytes (backspace: line editing echo). */
  backspaces: number;
  /** Count of 0x00 bytes: a line held low reads as zero bytes (break). */
  zeroBytes: number;
  totalBytes: number;
}

export class BootTextExtractor {
  private current = '';
  private readonly done: string[] = [];
  private textBytes = 0;
  private otherBytes = 0;
  private escapeSequences = 0;
  private backspaces = 0;
  private zeroBytes = 0;
  private afterEsc = false;
  private onLine: ((line: string) => void) | undefined;

  /** `onLine` is called for each completed line as it completes. */
  constructor(onLine?: (line: string) => void) {
    this.onLine = onLine;
  }

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.afterEsc && b === 0x5b) this.escapeSequences++;
      this.afterEsc = b === 0x1b;
      if (b === 0x0a) {
        this.textBytes++;
        this.finishLine();
      } else if (b === 0x0d) {
        this.textBytes++;
      } else if ((b >= 0x20 && b <= 0x7e) || b === 0x09) {
        this.textBytes++;
        this.current += String.fromCharCode(b);
      } else {
        this.otherBytes++;
        if (b === 0x08) this.backspaces++;
        if (b === 0x00) this.zeroBytes++;
        this.current += '\ufffd';
      }
    }
  }

  private finishLine(): void {
    this.done.push(this.current);
    this.onLine?.(this.current);
    this.current = '';
  }

  /** Everything so far, including the unfinished last line (does not end the stream). */
  summary(): TextSummary {
    const lines = this.current.length > 0 ? [...this.done, this.current] : [...this.done];
    return {
      lines,
      textBytes: this.textBytes,
      otherBytes: this.otherBytes,
      escapeSequences: this.escapeSequences,
      backspaces: this.backspaces,
      zeroBytes: this.zeroBytes,
      totalBytes: this.textBytes + this.otherBytes,
    };
  }
}

export function extractText(bytes: Uint8Array): TextSummary {
  const x = new BootTextExtractor();
  x.push(bytes);
  return x.summary();
}
