/**
 * The boot-check listener on an in-memory port and a VirtualClock: one reset per pass at the right baud, the
 * early exits (silence, a settled app) and the full ROM window an ESP8266 watchdog loop needs.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src-main/core/clock';
import { listenForBoot } from '../../src-main/doctor/boot-listen';
import { createMemoryPair } from '../../src-main/serial/memory-pair';

/** A board that, on each reset, prints `script(baudAtReset)` pieces at the given delays. */
function board(clock: VirtualClock, script: (baud: number) => { afterMs: number; text: string }[]) {
  const pair = createMemoryPair({ path: 'mem', baudRate: 115200 });
  const resets: number[] = [];
  const reset = async () => {
    const baud = pair.device.hostBaudRate;
    resets.push(baud);
    for (const piece of script(baud))
      clock.setTimer(piece.afterMs, () => pair.device.send(Buffer.from(piece.text, 'latin1')));
    await clock.sleep(100);
  };
  return { transport: pair.host, reset, resets };
}

describe('listenForBoot', () => {
  it('ESP8266: resets at 74880 then at 115200; the ROM pass runs its whole window, the app pass settles early', async () => {
    const clock = new VirtualClock();
    const b = board(clock, (baud) =>
      baud === 74880
        ? [
            {
              afterMs: 2,
              text: '\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\r\nload 0x4010f000, len 1384, room 16 \r\n',
            },
          ]
        : [{ afterMs: 150, text: '00:00:00 Project sonoff Sonoff (Topic sonoff) Version 6.1.1\r\n' }],
    );
    const listens = await listenForBoot(b.transport, 'esp8266', clock, {
      reset: b.reset,
      romListenMs: 3000,
      appListenMs: 2000,
      settleMs: 500,
    });
    expect(b.resets).toEqual([74880, 115200]);
    expect(listens.map((l) => [l.role, l.baud])).toEqual([
      ['rom', 74880],
      ['app', 115200],
    ]);
    expect(Buffer.from(listens[0]!.bytes).toString('latin1')).toContain('boot mode:(3,6)');
    expect(listens[0]!.listenedMs).toBeGreaterThanOrEqual(3000);
    // App line at ~150 ms after the reset ended, then 500 ms settle: well short of the 2000 ms window.
    expect(listens[1]!.listenedMs).toBeLessThan(1000);
    expect(listens[1]!.listenedMs).toBeGreaterThanOrEqual(500);
  });

  it('silence ends the check after silenceMs and skips the app pass', async () => {
    const clock = new VirtualClock();
    const b = board(clock, () => []);
    const listens = await listenForBoot(b.transport, 'esp8266', clock, { reset: b.reset, silenceMs: 400 });
    expect(b.resets).toEqual([74880]);
    expect(listens).toHaveLength(1);
    expect(listens[0]!.bytes.byteLength).toBe(0);
    expect(listens[0]!.listenedMs).toBeLessThan(700);
  });

  it('ESP32: one pass at 115200; a banner after the app text (a crash loop) keeps it listening to the end', async () => {
    const clock = new VirtualClock();
    const period = (at: number) => [
      { afterMs: at, text: 'rst:0x8 (TG1WDT_SYS_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n' },
      { afterMs: at + 200, text: '00:00:00.002 HDW: ESP32-D0WD v1.0 starting up\r\n' },
    ];
    const b = board(clock, () => [...period(30), ...period(600), ...period(1200)]);
    const listens = await listenForBoot(b.transport, 'esp32', clock, {
      reset: b.reset,
      romListenMs: 2500,
      settleMs: 500,
    });
    expect(b.resets).toEqual([115200]);
    expect(listens).toHaveLength(1);
    expect(listens[0]!.listenedMs).toBeGreaterThanOrEqual(2500);
  });

  it('a cancel during the listen rejects (the job reports CANCELLED)', async () => {
    const clock = new VirtualClock();
    const b = board(clock, () => [
      { afterMs: 5, text: 'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n' },
    ]);
    const ac = new AbortController();
    clock.setTimer(1000, () => ac.abort(new Error('stop')));
    await expect(
      listenForBoot(b.transport, 'esp32', clock, { reset: b.reset, signal: ac.signal }),
    ).rejects.toThrow();
  });
});
