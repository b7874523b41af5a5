/**
 * The engine connects to the simulator with a fault injected, fails with SYNC_FAILED, and the doctor reads the
 * capture carried in that error: each fault must come out as the cause a person would look for.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src-main/core/clock';
import type { ConnectCapture } from '../../src-main/core/capture';
import { KilnError } from '../../src-main/core/errors';
import { diagnoseSync, type SyncDiagnosisCode } from '../../src-main/doctor/sync-diagnosis';
import { connectEsp } from '../../src-main/esp';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { SimulatedDevice, type SimFaults, type SimOptions } from '../../src-main/sim';

async function failedCapture(opts: Omit<SimOptions, 'clock'>): Promise<ConnectCapture> {
  const clock = new VirtualClock();
  const sim = new SimulatedDevice({ ...opts, clock });
  const pair = createMemoryPair({ path: `sim:${opts.chip}`, lines: 'uart' });
  sim.attach(pair.device);
  try {
    await connectEsp(pair.host, { clock, attempts: 2 });
  } catch (e) {
    expect(e).toBeInstanceOf(KilnError);
    expect((e as KilnError).code).toBe('SYNC_FAILED');
    return (e as KilnError).details!.capture as unknown as ConnectCapture;
  } finally {
    await pair.host.close().catch(() => undefined);
  }
  throw new Error('connect succeeded despite the fault');
}

const CASES: {
  name: string;
  chip: SimOptions['chip'];
  faults?: SimFaults;
  board?: SimOptions['board'];
  code: SyncDiagnosisCode;
  evidence?: RegExp;
}[] = [
  { name: 'swapped TX/RX', chip: 'esp8266', faults: { swapTxRx: true }, code: 'NO_RESPONSE_WIRING' },
  { name: 'shorted TX/RX', chip: 'esp8266', faults: { shortTxRx: true }, code: 'ECHO_TX_RX_SHORTED' },
  {
    name: 'ESP32 firmware running',
    chip: 'esp32',
    faults: { appRunning: true },
    code: 'APP_RUNNING_NO_RESET',
    evidence: /Project tasmota/,
  },
  {
    name: 'ESP8266 firmware running (ROM banner garbled at 115200, app text readable)',
    chip: 'esp8266',
    faults: { appRunning: true },
    code: 'APP_RUNNING_NO_RESET',
    evidence: /Project sonoff/,
  },
  {
    name: 'ESP32 brownout',
    chip: 'esp32',
    faults: { brownout: true },
    code: 'BROWNOUT_POWER',
    evidence: /Brownout/,
  },
];

describe('doctor on the simulator\u2019s faults (engine \u2194 sim in process)', () => {
  it.each(CASES)('$name → $code', async (c) => {
    const capture = await failedCapture({
      chip: c.chip,
      ...(c.faults ? { faults: c.faults } : {}),
      ...(c.board ? { board: c.board } : {}),
    });
    const d = diagnoseSync(capture);
    expect(d.code).toBe(c.code);
    if (c.evidence) expect(d.evidence.join('\n')).toMatch(c.evidence);
  });

  it('ESP8266 not in download mode (reset reaches EN, GPIO0 never low): the engine’s own 74880 listen gives the GPIO0 diagnosis', async () => {
    // `fault=not-in-download-mode`: every reset is a flash boot. The attempts hear the 74880-baud banner as
    // garbage at 115200; after failing, the engine resets once more and listens at 74880, which reads it.
    const capture = await failedCapture({ chip: 'esp8266', board: 'reset-only' });
    expect(capture.listens?.map((l) => l.baud)).toEqual([74880, 115200]);
    expect(Buffer.from(capture.listens![0]!.rxHex, 'hex').toString('latin1')).toMatch(/boot mode:\(3,\d\)/);
    const d = diagnoseSync(capture);
    expect(d.code).toBe('ESP8266_FLASH_BOOT_GPIO0_HIGH');
    expect(d.evidence[0]).toMatch(/boot mode:\(3,\d\)" \(heard at 74880 baud\)/);
  });

  it('ESP8266 not in download mode (no auto-reset board): GPIO0 diagnosis, boot-mode text as evidence', async () => {
    const capture = await failedCapture({ chip: 'esp8266', board: 'no-auto-reset' });
    // The lines reach nothing, so the engine's reset-and-listen hears no banner; the one printed at power-up
    // reached us at 115200 as garbage. A listen at 74880 during a power cycle reads it.
    const plain = diagnoseSync(capture);
    expect(plain.code).toBe('GARBLED_LIKELY_ESP8266_BOOT_74880');
    const clock = new VirtualClock();
    const sim = new SimulatedDevice({ chip: 'esp8266', board: 'no-auto-reset', clock });
    const pair = createMemoryPair({ path: 'sim:esp8266', lines: 'uart' });
    sim.attach(pair.device);
    const heard: Buffer[] = [];
    pair.host.onData((b) => heard.push(Buffer.from(b)));
    await pair.host.setBaudRate(74880);
    await pair.host.setSignals({ dtr: false, rts: true });
    await clock.sleep(100);
    await pair.host.setSignals({ dtr: false, rts: false });
    await clock.sleep(200);
    await pair.host.close();
    const d = diagnoseSync({
      ...capture,
      listens: [{ baud: 74880, rxHex: Buffer.concat(heard).toString('hex') }],
    });
    expect(d.code).toBe('ESP8266_FLASH_BOOT_GPIO0_HIGH');
    expect(d.evidence[0]).toMatch(/boot mode:\(3,\d\)" \(heard at 74880 baud\)/);
  });
});
