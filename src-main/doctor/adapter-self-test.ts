/**
 * The adapter self-test: with the board disconnected and a jumper between the adapter's TX and RX, every byte
 * sent must come straight back (failure-diagnosis §B: "loopback the adapter (jumper TX↔RX, typed text echoes)").
 * Kiln sends a pattern at each rate from 115200 up to the highest the adapter is trusted with
 * (serial/usb-bridges.ts) and compares the echo byte for byte. The verdict splits the silence of a failed sync
 * in two: a good adapter puts the fault in the wiring or the board; no echo or errors from some rate up put it
 * in the adapter, cable or port (a CH340 that loses bytes above its limit, §C).
 */
import type { Clock } from '../core/clock';
import { throwIfAborted } from '../core/errors';
import { bridgeForUsbId, NOMINAL_NATIVE_BAUD, SAFE_BAUD } from '../serial/usb-bridges';
import type { Transport } from '../serial/transport';
import { FLASH_BAUDS } from '../vocabulary';

/** Time allowed beyond the pattern's own wire time for the echo to come back (USB latency). [guess] */
const ECHO_SLACK_MS = 250;
const BITS_PER_BYTE = 10;

export interface LoopbackStep {
  baud: number;
  sent: number;
  received: number;
  /** Bytes missing or different from what was sent. */
  errors: number;
  ok: boolean;
}

export interface AdapterSelfTest {
  verdict: 'good' | 'no-echo' | 'faulty';
  /** The lowest rate that failed (faulty only). */
  failsFrom?: number;
  steps: LoopbackStep[];
  summary: string;
  /** What to do next, first first. */
  advice: string[];
}

/** Every byte value once, the SLIP specials and the 0x55/0xAA edges among them, in a fixed scrambled order. */
export function loopbackPattern(): Buffer {
  const out = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) out[i] = (i * 167 + 13) & 0xff; // 167 is odd: a permutation of 0..255
  return out;
}

/** The rates the self-test tries on the adapter with this USB id (unknown adapters: up to 921600). */
export function selfTestBauds(usbId: string | undefined): number[] {
  const bridge = bridgeForUsbId(usbId);
  const top = bridge?.maxReliableBaud ?? NOMINAL_NATIVE_BAUD;
  // The flash bauds, lowest first; those above the adapter's highest are left out.
  return FLASH_BAUDS.filter((b) => b <= top);
}

/** Counts bytes missing or wrong: the longest common subsequence tells a lost byte from a changed one. */
function echoErrors(sent: Buffer, got: Buffer): number {
  let prev = new Uint16Array(got.length + 1);
  let cur = new Uint16Array(got.length + 1);
  for (let i = 1; i <= sent.length; i++) {
    for (let j = 1; j <= got.length; j++)
      cur[j] = sent[i - 1] === got[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    [prev, cur] = [cur, prev];
  }
  return Math.max(sent.length, got.length) - prev[got.length]!;
}

export async function runAdapterSelfTest(o: {
  transport: Transport;
  clock: Clock;
  signal?: AbortSignal;
  /** Rates to try (default: selfTestBauds of the transport's adapter). */
  bauds?: readonly number[];
}): Promise<AdapterSelfTest> {
  const { transport, clock } = o;
  const bauds = o.bauds ?? selfTestBauds(transport.info.usbId);
  const pattern = loopbackPattern();
  const steps: LoopbackStep[] = [];
  let got: Buffer[] = [];
  const off = transport.onData((c) => got.push(c));
  try {
    for (const baud of bauds) {
      throwIfAborted(o.signal);
      await transport.setBaudRate(baud);
      await transport.discardInput();
      got = [];
      await transport.write(pattern);
      const wireMs = (pattern.length * BITS_PER_BYTE * 1000) / baud;
      await clock.sleep(wireMs + ECHO_SLACK_MS, o.signal);
      const echo = Buffer.concat(got);
      const errors = echoErrors(pattern, echo);
      steps.push({ baud, sent: pattern.length, received: echo.length, errors, ok: errors === 0 });
    }
  } finally {
    off();
    await transport.setBaudRate(SAFE_BAUD).catch(() => undefined);
  }
  return verdictOf(steps);
}

function verdictOf(steps: LoopbackStep[]): AdapterSelfTest {
  const first = steps.find((s) => !s.ok);
  const tried = steps.map((s) => s.baud);
  if (!first)
    return {
      verdict: 'good',
      steps,
      summary: `The adapter echoed every byte at ${tried.join(', ')} baud: it works.`,
      advice: [
        'The fault is in the wiring or the board: adapter TX to the board\u2019s RX, adapter RX to the board\u2019s TX, GND to GND.',
        'Check the board gets 3.3 V (never 5 V).',
      ],
    };
  if (steps.every((s) => s.received === 0))
    return {
      verdict: 'no-echo',
      steps,
      summary:
        'Nothing came back at any rate: the jumper is not between TX and RX, or the adapter does not send.',
      advice: [
        'Check the jumper sits on the adapter\u2019s TX and RX pins (not on GND or 3.3 V).',
        'Try another USB cable and port; if it still stays silent, the adapter is faulty.',
      ],
    };
  const good = steps.filter((s) => s.ok && s.baud < first.baud).map((s) => s.baud);
  return {
    verdict: 'faulty',
    failsFrom: first.baud,
    steps,
    summary: `The adapter loses or changes bytes from ${first.baud} baud up (${first.errors} of ${first.sent} wrong at ${first.baud}).`,
    advice: good.length
      ? [
          `Flash at ${good[good.length - 1]} baud or lower with this adapter.`,
          'Or use a shorter cable or another adapter (CP2102 or FT232R).',
        ]
      : ['Replace the adapter or its cable: it fails even at 115200 baud.'],
  };
}
