/**
 * Line noise must read as noise. The engine connects to a simulated ESP8266 with seeded bit errors
 * (`fault=noise:P`, `seed=N`), fails with SYNC_FAILED, and the doctor reads the capture: the ROM banner mangled by
 * noise (heard in the 74880-baud listen) is a bad line, never a running program. Once it was read as application
 * output (APP_RUNNING_NO_RESET, "no auto-reset circuit"), sending the user to the wrong fix.
 * The other side: no line of the real-world fixtures (real chips, real programs) reads as mangled text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureFacts } from '../../src-main/doctor/capture-facts';
import { bannerLikeness, isGarbledRomLine, isMangledText } from '../../src-main/doctor/line-shape';
import { diagnoseSync } from '../../src-main/doctor/sync-diagnosis';
import { isAppLine } from '../../src-main/doctor/sync-rules';
import { sharedDir } from '../helpers/shared';
import { identifyNoiseCaptures, noisyCapture } from './helpers/noisy-capture';

/** What the ROMs print, as the fixtures quote it. */
const ROM_TEXT =
  /ets (Jan|Jun) {1,2}8|rst:0x|boot:0x|waiting for (download|host)|boot mode:|configsip|clk_drv|mode:[A-Z]+, clock div|load:0x|entry 0x|E?SP-ROM:|Build:[A-Z][a-z]{2} |Saved PC|invalid header/;

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('a noisy line is diagnosed as noise, not as a running program', () => {
  // attempts 2 (the doctor's own short connect) and the engine's default (what the service and CLI run).
  // `captures`: how many of the 20 seeds end at SYNC_FAILED (the rest get through the handshake and fail later).
  it.each([
    { rate: 0.2, attempts: 2, label: 'two', captures: 6 },
    { rate: 0.3, attempts: 2, label: 'two', captures: 5 },
    { rate: 0.5, attempts: 2, label: 'two', captures: 20 },
    { rate: 0.3, attempts: undefined, label: 'default', captures: 1 },
    { rate: 0.5, attempts: undefined, label: 'default', captures: 15 },
  ])(
    'ESP8266, noise $rate, seeds 1–20, $label attempts → GARBLED_NOISE_OR_VOLTAGE',
    async ({ rate, attempts, captures: expected }) => {
      const wrong: string[] = [];
      let captures = 0;
      for (const seed of SEEDS) {
        const capture = await noisyCapture('esp8266', rate, seed, attempts);
        if (!capture) continue;
        captures++;
        const d = diagnoseSync(capture);
        if (d.code !== 'GARBLED_NOISE_OR_VOLTAGE')
          wrong.push(`seed ${seed}: ${d.code} ${d.evidence.join(' / ')}`);
        // Never worded for the other family (a damaged `ets_main.c` is near the ESP32's line too).
        else if (/ESP32/.test(`${d.title} ${d.explanation}`))
          wrong.push(`seed ${seed}: worded for an ESP32: ${d.title}`);
      }
      // The seeds give real captures (not a test that passes on connects that never fail at SYNC).
      expect(captures).toBe(expected);
      expect(wrong).toEqual([]);
    },
  );

  // `kiln info --port 'sim:esp8266?fault=noise:0.5&seed=1'`: the service's identify, whose connect starts with a SYNC
  // at the data baud. Seeds 1, 4 and 5 at noise 0.5 were read as a running program there.
  it('the service\u2019s identify on a noisy ESP8266 (noise 0.3 and 0.5, seeds 1–20) → GARBLED_NOISE_OR_VOLTAGE', async () => {
    const captures = await identifyNoiseCaptures('esp8266', [0.3, 0.5], SEEDS);
    const wrong = captures.flatMap(({ port, capture }) => {
      const d = diagnoseSync(capture);
      return d.code !== 'GARBLED_NOISE_OR_VOLTAGE' || /ESP32/.test(`${d.title} ${d.explanation}`)
        ? [`${port}: ${d.code} ${d.title} ${d.evidence.join(' / ')}`]
        : [];
    });
    expect(captures.length).toBeGreaterThanOrEqual(10);
    expect(wrong).toEqual([]);
  });

  it('mangled banners heard in those captures are garbled ROM text, not application lines', () => {
    // Lines heard at 74880 baud in the seeded captures above (noise 0.3 and 0.5).
    const mangled = [
      ' eTs!Ken \ufffd8$:0q3,rsT caesEz2,\ufffdB\ufffd\ufffd40mmee:,;-69',
      '\ufffdet{ Jan  9`20\ufffd3,rst cau{E:2((boot!mole:)3<&)',
      '0ets Jan "80\ufffd\ufffd93,rwt cau{a:2, b/ot moDe\ufffd(3,2)\ufffd',
      '* et3 Jaf  8`2p53,vst #Ausd>2$\ufffdbgot$MOde:(;,69-*\ufffd',
      ' ets jan($9 \ufffd403,p{t b\ufffdusg;:.$bmo| m\ufffdde:(3<>)',
    ];
    for (const t of mangled) {
      expect(isGarbledRomLine(t), t).toBe(true);
      expect(isAppLine(t), t).toBe(false);
    }
    // Heard at noise 0.2–0.5 (seeds up to 60): the banner with few marks, or hit hard but whole; the ROM's
    // `ets_main.c` line a few bit errors away.
    for (const t of [
      '* %tS Jan  8 201s,sst \ufffdause:2, bood mode:(3,6)\ufffd',
      'etw Jan !8 20\ufffd3,rS4 caqse:2,`boot!mode: 2l6)',
      'etq Jan $8 20!3,rs4 ciu\ufffdd;2, bOgt igfE:,7-\ufffdi',
      '"utw(J!l  ((201;,rrt cAUse:2,(bk\ufffdp\ufffdmoda:*3,6)\ufffd',
      'J ets J`f (8 2012,r3v0#!usd83$\ufffdb/o|0mgdd2)3.6)',
      'Jets_main.b J',
      'uts_mainnc(*',
      // Noise 0.2, seed 56, two attempts: `ets_main.c` with three bits flipped and its LF read as `J`.
      'Jetc_-cin.c ',
    ]) {
      expect(isGarbledRomLine(t), t).toBe(true);
      expect(isAppLine(t), t).toBe(false);
    }
    // Short pieces of it, too far gone to show the banner's shape, still bear the marks of flipped bits.
    for (const t of ['\ufffd*eTsWm`yN&# ', '\ufffd*Ets_mqkn*c ', '\ufffdJeTq_eaij.c$\t*']) {
      expect(bannerLikeness(t), t).toBeLessThan(10);
      expect(isAppLine(t), t).toBe(false);
    }
  });

  it('program output stays application output: every readable line of the real-world fixtures', () => {
    const dir = path.join(sharedDir(), 'fixtures/real-world');
    let readable = 0;
    const misread: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt') || f.endsWith('.md'))) {
      for (const raw of readFileSync(path.join(dir, file), 'latin1').split(/\r?\n/)) {
        const t = raw.replace(/[^\x20-\x7e\t]/g, '\ufffd');
        // Readable as isAppLine counts it: nearly all printable (the fixtures' garbled 74880-baud bytes are not).
        if (t.trim().length < 12 || (t.match(/\ufffd/g) ?? []).length > t.length / 10) continue;
        // ROM lines, and notes quoting them, are ROM text (isGarbledRomLine is meant to say so).
        if (ROM_TEXT.test(t)) continue;
        readable++;
        if (isMangledText(t)) misread.push(`${file}: ${t}`);
      }
    }
    expect(readable).toBeGreaterThan(500);
    expect(misread).toEqual([]);
    // A Tasmota boot (tasmota_sonoff_basic_boot_wifi_fail_v611_tasmota3289.txt) and typical sketch output.
    for (const t of [
      '00:00:00 Project sonoff Sonoff (Topic sonoff, Fallback DVES_4B67BA, GroupTopic sonoffs) Version 6.1.1-2_3_0',
      '00:00:07 WIF: Connect failed as AP cannot be reached',
      'MicroPython v1.19.1 on 2022-06-18; ESP module with ESP8266',
      '>>> print("hello from the REPL")',
      'WiFi connected, IP address: 192.168.1.42',
      'Waiting for WiFi...',
      'Flash read error 12',
      'Connecting to WiFi',
      'E (312) app_main.c:42: sensor not found',
      '00:00:01 MQT: stat/sonoff/RESULT = {"POWER":"ON"}',
    ]) {
      expect(isAppLine(t), t).toBe(true);
    }
  });

  it('the capture facts still carry the mangled banner as a heard line, and the noise diagnosis quotes it', async () => {
    const capture = await noisyCapture('esp8266', 0.5, 10);
    expect(capture).toBeDefined();
    const facts = captureFacts(capture!);
    expect(facts.lines.some((l) => l.baud === 74880 && isGarbledRomLine(l.text))).toBe(true);
    const d = diagnoseSync(capture!);
    expect(d.code).toBe('GARBLED_NOISE_OR_VOLTAGE');
    expect(d.evidence.some((e) => e.startsWith('at 74880 baud:'))).toBe(true);
    // The damaged banner is quoted as such, so a person sees what the noise did to the ROM's text.
    expect(d.evidence.join('\n')).toMatch(/a ROM boot line, damaged: ".*" \(heard at 74880 baud\)/);
    // Worded for the ESP8266, whose ROM prints at 74880: damaged even at that rate, so the line, not the baud.
    expect(d.explanation).toMatch(/ESP8266 ROM.*74880 baud/);
  });
});
