/**
 * What a ConnectCapture shows, reduced to the facts the sync rules test: the bytes per attempt, the text lines
 * (from the sync attempts and from each listen, tagged with where they were heard), ROM banners recognised in
 * those lines, SYNC replies, and how much of our own SYNC frame came back.
 */
import type { ConnectCapture } from '../core/capture';
import { BootTextExtractor, type TextSummary } from './boot-text';
import { isDamagedRomLine, romFamily } from './line-shape';

export interface HeardLine {
  text: string;
  /** 'sync' (during the attempts, at the host's baud) or 'listen@74880' etc. */
  source: string;
  baud: number;
}

export interface Esp8266Banner {
  line: HeardLine;
  rstCause: number | undefined;
  /** boot mode (x,y): x = GPIO15<<2 | GPIO0<<1 | GPIO2. */
  mode: number;
  modeY: number;
}

export interface Esp32BootLine {
  line: HeardLine;
  rstCode: number | undefined;
  rstName: string | undefined;
  boot: number;
  bootName: string | undefined;
}

export interface Stream {
  source: string;
  baud: number;
  bytes: Buffer;
  text: TextSummary;
}

export interface CaptureFacts {
  capture: ConnectCapture;
  syncFrame: Buffer;
  attempts: Buffer[];
  /** All attempt bytes in order. */
  rx: Buffer;
  streams: Stream[];
  lines: HeardLine[];
  esp8266Banners: Esp8266Banner[];
  esp32BootLines: Esp32BootLine[];
  /**
   * ESP32-family ROM lines visibly hit by bit errors (line-shape.ts). A boot line among them is not read into
   * esp32BootLines unless its `rst:0x… (…),boot:0x… (…)` came through whole: a flipped bit turns
   * `boot:0x3 (DOWNLOAD_BOOT` into `boot:0x3  DNWnLOAD` or `boot:0x7 (DOWNLOAD_BMOT`, and read as a boot mode it
   * would send the user to the boot pins instead of the line.
   */
  damagedEsp32RomLines: HeardLine[];
  /** Bytes of our SYNC frame that came back: the longest run shared with the frame. */
  echo: { length: number; atFrameStart: boolean; distinctValues: number };
  syncReplies: number;
}

function fromHex(hex: string): Buffer {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '');
  return Buffer.from(clean.length % 2 ? clean.slice(0, -1) : clean, 'hex');
}

function summarise(bytes: Buffer): TextSummary {
  const x = new BootTextExtractor();
  x.push(bytes);
  return x.summary();
}

/** Longest run of `rx` that appears in `frame` (frames repeat, so search frame+frame). */
function longestSharedRun(rx: Buffer, frame: Buffer): { length: number; start: number; bytes: Buffer } {
  const hay = Buffer.concat([frame, frame]);
  let best: { length: number; start: number; bytes: Buffer } = {
    length: 0,
    start: -1,
    bytes: Buffer.alloc(0),
  };
  const limit = Math.min(rx.length, 8192);
  let prev = new Uint16Array(hay.length + 1);
  let cur = new Uint16Array(hay.length + 1);
  for (let i = 1; i <= limit; i++) {
    for (let j = 1; j <= hay.length; j++) {
      cur[j] = rx[i - 1] === hay[j - 1] ? prev[j - 1]! + 1 : 0;
      if (cur[j]! > best.length)
        best = { length: cur[j]!, start: (j - cur[j]!) % frame.length, bytes: rx.subarray(i - cur[j]!, i) };
    }
    [prev, cur] = [cur, prev];
    cur.fill(0);
  }
  return best;
}

/** The ESP32-family ROM's `rst:0x%x (%s),boot:0x%x (%s)` with both names whole, as every fixture prints it. */
const WHOLE_ESP32_BOOT_LINE =
  /rst:0x[0-9a-f]+ \([A-Z0-9_]+\),boot:0x[0-9a-f]+ \([A-Z0-9_]+(\([A-Z0-9_/]+\))?\)/;

/**
 * The ROM boot facts in one line of text: an ESP8266 `boot mode:(x,y)` banner and/or an ESP32-family
 * `boot:0x..` line. Used for captures here and, line by line, by the guided download mode (flash/guided.ts).
 */
export function readBootLine(line: HeardLine): { esp8266?: Esp8266Banner; esp32?: Esp32BootLine } {
  const out: { esp8266?: Esp8266Banner; esp32?: Esp32BootLine } = {};
  const m8 = line.text.match(/boot mode:\((\d),(\d)\)/);
  if (m8) {
    const cause = line.text.match(/rst cause:(\d+)/);
    out.esp8266 = {
      line,
      rstCause: cause ? Number(cause[1]) : undefined,
      mode: Number(m8[1]),
      modeY: Number(m8[2]),
    };
  }
  const m32 = line.text.match(/boot:0x([0-9a-fA-F]+)(?:\s*\(([A-Za-z_]+))?/);
  if (m32) {
    const rst = line.text.match(/rst:0x([0-9a-fA-F]+)\s*\(([A-Za-z0-9_]+)/);
    out.esp32 = {
      line,
      rstCode: rst ? parseInt(rst[1]!, 16) : undefined,
      rstName: rst?.[2],
      boot: parseInt(m32[1]!, 16),
      bootName: m32[2],
    };
  }
  return out;
}

export function captureFacts(capture: ConnectCapture): CaptureFacts {
  const syncFrame = fromHex(capture.syncFrameHex);
  const attempts = capture.attempts.map((a) => fromHex(a.rxHex));
  const rx = Buffer.concat(attempts);
  const syncBaud = capture.attempts[0]?.baud ?? 115200;
  const streams: Stream[] = [{ source: 'sync', baud: syncBaud, bytes: rx, text: summarise(rx) }];
  for (const l of capture.listens ?? []) {
    const bytes = fromHex(l.rxHex);
    streams.push({ source: `listen@${l.baud}`, baud: l.baud, bytes, text: summarise(bytes) });
  }
  const lines: HeardLine[] = streams.flatMap((s) =>
    s.text.lines.map((text) => ({ text, source: s.source, baud: s.baud })),
  );

  const esp8266Banners: Esp8266Banner[] = [];
  const esp32BootLines: Esp32BootLine[] = [];
  const damagedEsp32RomLines: HeardLine[] = [];
  for (const line of lines) {
    const boot = readBootLine(line);
    const damaged = isDamagedRomLine(line.text) && romFamily(line.text) === 'esp32';
    if (damaged) damagedEsp32RomLines.push(line);
    if (boot.esp8266) esp8266Banners.push(boot.esp8266);
    if (boot.esp32 && (!damaged || WHOLE_ESP32_BOOT_LINE.test(line.text))) esp32BootLines.push(boot.esp32);
  }

  // Our frame echoed: a long shared run anywhere, or (tools that read a byte per attempt) the start of the
  // frame spread over the attempts.
  const run =
    syncFrame.length > 0 ? longestSharedRun(rx, syncFrame) : { length: 0, start: -1, bytes: Buffer.alloc(0) };
  const echo = {
    length: run.length,
    atFrameStart: run.start >= 0 && run.start <= 2,
    distinctValues: new Set(run.bytes).size,
  };

  const hex = rx.toString('hex');
  const syncReplies = (hex.match(/0108(0200|0400)07071220/g) ?? []).length;

  return {
    capture,
    syncFrame,
    attempts,
    rx,
    streams,
    lines,
    esp8266Banners,
    esp32BootLines,
    damagedEsp32RomLines,
    echo,
    syncReplies,
  };
}
