/**
 * Guided download mode (`before: 'manual'`) through the real service, engine and simulator: a Sonoff with no
 * auto-reset wiring whose user's hands are scripted in its `sim:` URL (seconds from the port opening). The
 * VirtualClock runs the scripts and the listening without wall time.
 */
import { describe, expect, it } from 'vitest';
import { buildImage } from '../../src-main/esp/image';
import type { EventPayload } from '../../src-main/service/contract';
import type { HandAction } from '../../src-main/vocabulary';
import { pattern } from './fakes';
import { simService } from './helpers/sim-service';

const image = buildImage({
  chip: 'esp8266',
  entry: 0x40100004,
  segments: [{ address: 0x40100000, data: pattern(6000, 5) }],
  mode: 'qio',
  freq: '40m',
  size: '1MB',
});

async function guidedFlash(port: string, listenSeconds = 20) {
  const s = simService();
  try {
    const fw = await s.service.call('inspectFirmware', { name: 'tasmota.bin', bytes: image });
    const { jobId } = await s.service.call('startFlash', {
      port,
      before: 'manual',
      listenSeconds,
      images: [{ sha256: fw.sha256, name: 'tasmota.bin', offset: 0 }],
      options: { flashMode: 'dout' },
    });
    const done = (await s.service.waitForJob(jobId)) as EventPayload<'jobDone'>;
    const logs = s.events
      .filter((e) => e.event === 'jobLog' && (e.payload as { jobId: string }).jobId === jobId)
      .map((e) => (e.payload as EventPayload<'jobLog'>).message);
    const steps = s.events
      .filter((e) => e.event === 'jobPhase' && (e.payload as { jobId: string }).jobId === jobId)
      .map((e) => (e.payload as EventPayload<'jobPhase'>).message ?? '');
    const flash = done.ok ? s.service.virtualDevice(port).readFlash(0, image.length) : undefined;
    return { done, logs, steps, flash };
  } finally {
    await s.service.shutdown();
  }
}

describe('guided download mode on a virtual Sonoff', () => {
  it('a good board: button held through a power cycle → (1,x) heard → flashed in DOUT and verified', async () => {
    const { done, logs, steps, flash } = await guidedFlash(
      'sim:esp8266?board=sonoff&wiring=dout&hands=hold@0.5,power@1,release@3',
    );
    expect(done.error).toBeUndefined();
    expect(steps).toContain(
      'Hold the button (GPIO0). Now unplug the board\u2019s power and plug it back in (or press RESET) \u2014 keep holding. (listening at 74880 baud)',
    );
    expect(steps).toContain('Download mode heard: you can let go of the button; connecting');
    expect(logs.some((l) => /^Heard at 74880 baud: .*rst cause:1, boot mode:\(1,\d\)/.test(l))).toBe(true);
    if (done.result?.kind !== 'flash') throw new Error('not a flash result');
    expect(done.result.regions.every((r) => r.verified)).toBe(true);
    expect(flash![2]).toBe(3); // DOUT in the header on the chip
    expect(Buffer.from(flash!.subarray(8)).equals(image.subarray(8))).toBe(true);
    // The script never power-cycles the board again: Kiln asked, waited the listening time, and says it did not
    // watch the start (the flash itself stays verified).
    expect(steps.filter((m) => m.startsWith('Let go of the button'))).toEqual([
      'Let go of the button (GPIO0), then unplug the board\u2019s power and plug it back in (or press RESET) so Kiln can watch it start. (listening at 74880 baud)',
    ]);
    expect(done.result.boot).toBeUndefined();
    expect(logs).toContain(
      'The boot check could not run (Nothing was heard within 20 s of asking for a power cycle, so Kiln did not watch the board start.); the flash itself is verified.',
    );
  });

  it('button released too early: (3,6) heard and named as the cause, then the second try works', async () => {
    const { done, logs, steps } = await guidedFlash(
      'sim:esp8266?board=sonoff&wiring=dout&hands=power@1,hold@4,power@5,release@7',
    );
    expect(
      steps.some((m) =>
        m.startsWith('GPIO0 was high when the board started: the button was released too early'),
      ),
    ).toBe(true);
    const heard = logs.filter((l) => l.startsWith('Heard'));
    const first = heard.findIndex((l) => /Heard at 74880 baud: .*boot mode:\(3,6\)/.test(l));
    const second = heard.findIndex((l) => /Heard at 74880 baud: .*boot mode:\(1,\d\)/.test(l));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(second).toBeGreaterThan(first);
    expect(done.ok).toBe(true);
  });

  it('swapped TX/RX: silence through the power cycle → wiring, high confidence', async () => {
    const { done, logs } = await guidedFlash(
      'sim:esp8266?board=sonoff&fault=swap-txrx&hands=hold@0.5,power@1,release@3',
      8,
    );
    expect(done.ok).toBe(false);
    expect(done.error?.code).toBe('SYNC_FAILED');
    expect(done.diagnosis).toMatchObject({ code: 'NO_RESPONSE_WIRING', confidence: 'high' });
    expect(done.diagnosis?.title).toBe(
      'Nothing reached the adapter: a powered-up ESP always prints its banner',
    );
    expect(done.diagnosis?.steps[0]).toMatch(/^Swap TX and RX/);
    expect(logs.some((l) => l.startsWith('Heard'))).toBe(false);
  });

  it('no power at the board: the same silence, the same high-confidence wiring/power diagnosis', async () => {
    const { done } = await guidedFlash('sim:esp8266?board=sonoff&fault=unpowered&hands=hold@0.5,power@1', 8);
    expect(done.error?.code).toBe('SYNC_FAILED');
    expect(done.diagnosis).toMatchObject({ code: 'NO_RESPONSE_WIRING', confidence: 'high' });
    expect(done.diagnosis?.steps.join(' ')).toContain('3.3 V');
  });

  it('button never held: every power-up is (3,6) → GPIO0 high, with the line as evidence', async () => {
    const { done } = await guidedFlash('sim:esp8266?board=sonoff&hands=power@1', 8);
    expect(done.error?.code).toBe('SYNC_FAILED');
    expect(done.diagnosis?.code).toBe('ESP8266_FLASH_BOOT_GPIO0_HIGH');
    expect(done.diagnosis?.evidence.join('\n')).toContain('boot mode:(3,6)');
  });
});

describe('adapterSelfTest through the service', () => {
  /** The user's hands on the board behind `port`: board off the adapter, jumper on TX–RX. */
  function jumperOn(s: ReturnType<typeof simService>, port: string): void {
    const hands = s.service.virtualDevice(port).hands;
    if (!hands) throw new Error(`${port} has no hands`);
    hands.do('loop');
  }

  it('a virtual CH340 with the jumper, losing bytes above 460800: faulty from 921600', async () => {
    const s = simService();
    const port = 'sim:esp8266?board=sonoff&adapter=ch340&fault=adapter-limit:460800&hands=';
    try {
      jumperOn(s, port);
      const r = await s.service.call('adapterSelfTest', { port });
      expect(r.verdict).toBe('faulty');
      expect(r.failsFrom).toBe(921600);
      expect(r.steps.map((x) => [x.baud, x.ok])).toEqual([
        [115200, true],
        [230400, true],
        [460800, true],
        [921600, false],
      ]);
      expect(r.summary).toMatch(/^The adapter loses or changes bytes from 921600 baud up/);
    } finally {
      await s.service.shutdown();
    }
  });

  it('the founding story: silence through the power-up, then the loopback passes, so the fault is the wiring', async () => {
    const port = 'sim:esp8266?board=sonoff&wiring=dout&adapter=ch340&fault=swap-txrx&hands=';
    const s = simService();
    try {
      const fw = await s.service.call('inspectFirmware', { name: 'tasmota.bin', bytes: image });
      const flash = async () => {
        const { jobId } = await s.service.call('startFlash', {
          port,
          before: 'manual',
          listenSeconds: 10,
          images: [{ sha256: fw.sha256, name: 'tasmota.bin', offset: 0 }],
          options: { flashMode: 'dout' },
        });
        return {
          jobId,
          done: s.service.waitForJob(jobId) as Promise<EventPayload<'jobDone'>>,
        };
      };
      /** Resolves once Kiln shows an instruction starting with `text` for the job (it is listening). */
      const listening = async (jobId: string, text: string) => {
        const shown = () =>
          s.events.some(
            (e) =>
              e.event === 'jobPhase' &&
              (e.payload as EventPayload<'jobPhase'>).jobId === jobId &&
              (e.payload as EventPayload<'jobPhase'>).message?.startsWith(text),
          );
        while (!shown()) await new Promise((r) => setImmediate(r));
      };
      // The user's hands, through the contract as the GUI moves them.
      const act = (action: HandAction) => s.service.call('virtualHands', { port, action });
      // 1. Guided mode, button held, power cycled: nothing reaches the adapter.
      await act('hold');
      await act('power');
      const first = await (await flash()).done;
      expect(first.diagnosis).toMatchObject({ code: 'NO_RESPONSE_WIRING', confidence: 'high' });
      // 2. Board off, jumper on the adapter: the adapter is good.
      expect(await act('loop')).toEqual({ buttonHeld: true, powered: false, swapped: true, loopback: true });
      const test = await s.service.call('adapterSelfTest', { port });
      expect(test.verdict).toBe('good');
      expect(test.advice[0]).toMatch(/^The fault is in the wiring or the board/);
      // 3. Jumper off, wires swapped back, button held, power on: (1,x), flashed in DOUT, verified.
      await act('unloop');
      await act('unswap');
      await act('hold');
      const job = await flash();
      await listening(job.jobId, 'Hold the button');
      await act('on');
      // 4. Written and verified; Kiln cannot reset this board, so it asks for the second power cycle, button
      //    released, and watches the new firmware start.
      await listening(job.jobId, 'Let go of the button (GPIO0), then unplug');
      await act('release');
      await act('power');
      const second = await job.done;
      expect(second.error).toBeUndefined();
      if (second.result?.kind !== 'flash') throw new Error('not a flash');
      expect(second.result.regions.every((r) => r.verified)).toBe(true);
      expect(s.service.virtualDevice(port).readFlash(2, 1)[0]).toBe(3);
      expect(second.result.boot).toMatchObject({ verdict: 'booted', baud: 74880 });
      expect(second.result.boot?.evidence.join('\n')).toMatch(/boot mode:\(3,\d\)/);
      // One power cycle by hand: the ROM pass only, and the summary says so.
      expect(second.result.boot?.summary).toContain('Kiln listened at the ROM\u2019s 74880 baud only');
      await expect(s.service.call('virtualHands', { port: 'sim:esp8266', action: 'hold' })).rejects.toThrow(
        'has no hands',
      );
    } finally {
      await s.service.shutdown();
    }
  });
});
