/**
 * The post-flash boot check: what the board printed after the hard reset, read into a verdict with its evidence
 * and the next steps. The board run (flash/boot-check.ts) uses it for single flashes and the batch station. The
 * text is reduced to facts by the same code the sync diagnosis uses (captureFacts: ROM banners with boot mode and
 * reset cause, ESP32 boot lines; isAppLine for application output).
 *
 * Verdicts:
 * - booted: a flash boot (`boot mode:(3,x)` / `SPI_FAST_FLASH_BOOT`) that loaded the image, or the app's own text;
 *   it does not prove the firmware works, only that it started;
 * - boot-loop: repeated ROM banners, a watchdog reset (`rst cause:4`, `*WDT*`), a brownout, or `invalid header`
 *   over and over;
 * - no-app: the ROM stopped once (`csum err`, `ets_main.c`, `flash read err`, a strap that is not a flash boot);
 * - download-mode: GPIO0 still held low (the button, or an auto-reset circuit that keeps it low);
 * - garbage: bytes, but no readable boot — after a clean ESP8266 ROM banner this usually means a flash mode the
 *   board's flash cannot do (ESP8285, Sonoff: DOUT);
 * - silent: nothing at all.
 *
 * Why a read error points at the flash mode: the bytes were MD5-verified by the stub (which reads the flash in
 * plain SPI), so when the ROM then fails its checksum (`csum err`) or runs garbage, it read the same bytes
 * differently — and the one thing that changes how the ROM reads is the mode byte in the header at 0x0
 * (esptool docs, "SPI Flash Modes": the initial mode is taken from that header; troubleshooting: "writing with qio
 * will succeed but the chip can't read the flash back"). On ESP32-family chips the ROM only loads the
 * second-stage bootloader, which sets the mode itself, so the flash-mode advice is for the ESP8266.
 */
import type { ConnectCapture } from '../core/capture';
import type { Clock } from '../core/clock';
import type { Transport } from '../serial/transport';
import { classifyEsp32 } from './boot-esp32';
import { classifyEsp8266 } from './boot-esp8266';
import type { BootCheckContext, BootReport, BootVerdict, RetryFlashMode } from './boot-report';
import { listenForBoot, romBaudFor, type BootListen, type BootListenOptions } from './boot-listen';
import { captureFacts } from './capture-facts';

const MAX_HEARD = 12;
const MAX_EVIDENCE = 5;

/** Resets, listens (boot-listen.ts) and classifies. Cancellation and port loss propagate. */
export async function checkBoot(
  transport: Transport,
  clock: Clock,
  ctx: BootCheckContext,
  opts: BootListenOptions,
): Promise<BootReport> {
  const listens = await listenForBoot(transport, ctx.chip, clock, opts);
  return classifyBoot(listens, ctx);
}

function toCapture(listens: BootListen[]): ConnectCapture {
  return {
    port: 'boot-check',
    syncFrameHex: '',
    attempts: [],
    listens: listens.map((l) => ({ baud: l.baud, rxHex: Buffer.from(l.bytes).toString('hex') })),
  };
}

function readable(text: string): boolean {
  return (text.match(/\ufffd/g)?.length ?? 0) < text.length / 4;
}

export function classifyBoot(listens: BootListen[], ctx: BootCheckContext): BootReport {
  const f = captureFacts(toCapture(listens));
  const streams = f.streams.filter((s) => s.source !== 'sync');
  const total = streams.reduce((n, s) => n + s.bytes.length, 0);
  const unreadable = streams.reduce((n, s) => n + s.text.otherBytes, 0);
  const lines = f.lines.filter((l) => l.source !== 'sync' && l.text.trim().length > 0);
  const base = {
    baud: listens.find((l) => l.role === 'rom')?.baud ?? romBaudFor(ctx.chip),
    listenedMs: listens.reduce((n, l) => n + l.listenedMs, 0),
    heard: lines
      .filter((l) => readable(l.text))
      .slice(0, MAX_HEARD)
      .map((l) => l.text.trim()),
    bytes: total,
    unreadableBytes: unreadable,
  };
  const make = (
    verdict: BootVerdict,
    resets: number,
    summary: string,
    evidence: string[],
    advice: string[] = [],
    retry: RetryFlashMode[] = [],
  ): BootReport => ({
    ...base,
    verdict,
    resets,
    summary,
    evidence: [...new Set(evidence)].slice(0, MAX_EVIDENCE),
    advice,
    retryFlashModes: retry,
  });

  if (total === 0) {
    const where = listens.map((l) => `${l.baud} baud`).join(' and ') || 'the ROM baud';
    return make(
      'silent',
      0,
      'Nothing was heard after the reset.',
      [`no byte at ${where} within ${base.listenedMs} ms of the reset`],
      [
        'Check that the board is powered and that its TX reaches the adapter\u2019s RX.',
        'If the adapter cannot reset the board (no DTR/RTS wiring, a Sonoff, a pty or TCP bridge), press RESET or power-cycle it and watch the serial monitor.',
      ],
    );
  }
  const sourceOf = (role: BootListen['role']) => {
    const l = listens.find((x) => x.role === role);
    return l ? `listen@${l.baud}` : undefined;
  };
  return ctx.chip === 'esp8266'
    ? classifyEsp8266(f, lines, ctx, make, { rom: sourceOf('rom'), app: sourceOf('app') })
    : classifyEsp32(f, lines, ctx, make);
}
