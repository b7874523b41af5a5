/**
 * Line noise on an ESP32 must read as noise too, worded for the ESP32. Its ROM prints at 115200, the rate the host
 * syncs at, so damaged boot lines arrive among the SYNC attempts and in the 115200 listen: `waid)lg fkr downloed`,
 * `rst:0x1 8�OWMRMN^ZESET),boot:0x3  DNWnLOAD…`. Once they were read as a running program's output
 * (APP_RUNNING_NO_RESET) or as a boot mode (ESP32_NORMAL_BOOT from `boot:0x3` with its name damaged), and a
 * noise diagnosis repeated the ESP8266's 74880-baud hint. Seeds and rates as in noise-diagnosis.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectCapture } from '../../src-main/core/capture';
import { captureFacts } from '../../src-main/doctor/capture-facts';
import { isDamagedRomLine, isGarbledRomLine, romFamily } from '../../src-main/doctor/line-shape';
import { diagnoseSync, type Diagnosis } from '../../src-main/doctor/sync-diagnosis';
import { isAppLine } from '../../src-main/doctor/sync-rules';
import { identifyNoiseCaptures, noisyCapture } from './helpers/noisy-capture';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

/** What is wrong with a diagnosis of ESP32 noise, or undefined when it is the noise diagnosis worded for the ESP32. */
function wrongFor(d: Diagnosis): string | undefined {
  if (d.code !== 'GARBLED_NOISE_OR_VOLTAGE') return `${d.code} ${d.evidence.join(' / ')}`;
  const text = [d.title, d.explanation, ...d.steps, ...d.evidence].join('\n');
  if (/74880/.test(text)) return `mentions 74880: ${text}`;
  if (!/ESP32/.test(d.title) || !/115200/.test(d.explanation)) return `not worded for the ESP32: ${d.title}`;
  return undefined;
}

describe('a noisy line to an ESP32 is diagnosed as noise, worded for the ESP32', () => {
  // `captures`: how many of the 20 seeds end at SYNC_FAILED (the rest time out or fail after the handshake).
  it.each([
    { rate: 0.2, attempts: 2, label: 'two', captures: 2 },
    { rate: 0.3, attempts: 2, label: 'two', captures: 10 },
    { rate: 0.5, attempts: 2, label: 'two', captures: 17 },
    { rate: 0.3, attempts: undefined, label: 'default', captures: 2 },
    { rate: 0.5, attempts: undefined, label: 'default', captures: 16 },
  ])(
    'ESP32, noise $rate, seeds 1–20, $label attempts → GARBLED_NOISE_OR_VOLTAGE without the 74880 hint',
    async ({ rate, attempts, captures: expected }) => {
      const wrong: string[] = [];
      let captures = 0;
      for (const seed of SEEDS) {
        const capture = await noisyCapture('esp32', rate, seed, attempts);
        if (!capture) continue;
        captures++;
        const why = wrongFor(diagnoseSync(capture));
        if (why) wrong.push(`seed ${seed}: ${why}`);
      }
      expect(captures).toBe(expected);
      expect(wrong).toEqual([]);
    },
  );

  // `kiln info --port 'sim:esp32?fault=noise:0.5&seed=1'`: the service's identify. At noise 0.5, 27 of its 46
  // SYNC_FAILED captures over seeds 1–60 were read as a running program.
  it('the service\u2019s identify on a noisy ESP32 (noise 0.3 and 0.5, seeds 1–20) → GARBLED_NOISE_OR_VOLTAGE', async () => {
    const captures = await identifyNoiseCaptures('esp32', [0.3, 0.5], SEEDS);
    const wrong = captures.flatMap(({ port, capture }) => {
      const why = wrongFor(diagnoseSync(capture));
      return why ? [`${port}: ${why}`] : [];
    });
    expect(captures).toHaveLength(17);
    expect(wrong).toEqual([]);
  });

  it('damaged ESP32 ROM lines heard in those captures are the ESP32\u2019s ROM text, not application lines', () => {
    // Lines the doctor read as application output before (identify, noise 0.3–0.5, seeds 1–60): every ROM line
    // of the download and empty-flash boots, some joined by a flipped CR/LF.
    const heard = [
      'waid)lg fkr downloed',
      'wiyt)ng"vor download',
      'f\ufffdAsl0veaD!err,$1000-',
      'mts Ju.  8 2016 00:23:%7',
      'et3 J\ufffdn "8 00q6 00>2">57M',
      'ets!JUj  8 2496( 0:"2:57',
      'ets_iain,c0379 J',
      'Fnaqh reaf urv, 0002M',
      'flasj r\ufffdad drv. 1008Jeps_lai\ufffd.c 370 J',
      'sayti\ufffdg for tog.load\ufffduts$Juf(\ufffdx\ufffd0p16 00:2":53',
      'ets0KUj$ 8\ufffd"\ufffd14 0 :62:53-*\ufffdJ\ufffdst:p\ufffd30\ufffdXO\ufffdUBMN]RESMT-lromt>0x3!(\ufffd_WLLGIF_BOOP(T@BP0\ufffd]ART1/sEIG_REH^R\ufffdO_V"-)',
      'Waiping"for dmunlo`l',
    ];
    for (const t of heard) {
      expect(isGarbledRomLine(t), t).toBe(true);
      expect(isAppLine(t), t).toBe(false);
    }
    // Whose ROM: the lines only the ESP32 prints say so; a damaged date line (`ets Jun  8 2016` is close to the
    // ESP8266's `ets Jan  8 2013`) or `ets_main.c` (both ROMs) alone does not.
    expect(romFamily(...heard)).toBe('esp32');
    for (const t of ['waid)lg fkr downloed', 'Fnaqh reaf urv, 0002M', heard[10]!])
      expect(romFamily(t), t).toBe('esp32');
    expect(romFamily('et3 J\ufffdn "8 00q6 00>2">57M')).toBeUndefined();
    // The ESP8266's banner through noise is the ESP8266's.
    expect(romFamily('\ufffdet{ Jan  9`20\ufffd3,rst cau{E:2((boot!mole:)3<&)')).toBe('esp8266');
    // A boot line whose name a bit flip damaged is not a boot mode; one printed whole is, whatever its values.
    const damaged =
      'rst:0x1 8\ufffdOWMRMN^ZESET),boot:0x3  DNWnLOAD\ufffdBOKT(UART0/UIBTq/SL\ufffdO_BE\t_REO_V2)9';
    expect(isDamagedRomLine(damaged)).toBe(true);
    for (const whole of [
      'rst:0x8 (TG1WDT_SYS_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)',
      'rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)',
      'rst:0x7 (TG0WDT_SYS_RST),boot:0xc (SPI_FAST_FLASH_BOOT)',
    ])
      expect(isDamagedRomLine(whole), whole).toBe(false);
    const facts = captureFacts({
      port: 'sim:esp32',
      syncFrameHex: '',
      attempts: [{ baud: 115200, rxHex: Buffer.from(`${damaged}\r\n`, 'latin1').toString('hex') }],
    } as unknown as ConnectCapture);
    expect(facts.esp32BootLines).toEqual([]);
    expect(facts.damagedEsp32RomLines.map((l) => l.text)).toHaveLength(1);
  });

  it('program lines near an ESP32 ROM line stay application output', () => {
    for (const t of [
      'Flash read error 12',
      'Waiting for WiFi...',
      'load: config.json, 1184 bytes',
      'Entry point 0x400805e4 reached',
      'mode: DIO, clock 40 MHz',
      'E (312) app_main.c:42: sensor not found',
    ]) {
      expect(isAppLine(t), t).toBe(true);
    }
  });
});
