/**
 * The image writer against the reader: every image buildImage writes must inspect back to exactly what was
 * asked for (property test over chips, segments, header fields), and the writer's bytes follow the format
 * (header layout, checksum = 0xEF XOR all segment data, SHA-256 of everything before it).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChipName } from '../../src-main/esp/api';
import { CHIP_NAMES } from '../../src-main/vocabulary';
import {
  FLASH_FREQ_NIBBLES,
  FLASH_MODES,
  FLASH_SIZE_NIBBLES,
  buildImage,
  headerFamily,
  inspectImage,
} from '../../src-main/esp/image';

/** RAM a segment can load into, per chip (addresses that make the image what it claims to be). */
const RAM: Record<ChipName, number> = {
  esp8266: 0x40100000,
  esp32: 0x40080000,
  esp32s2: 0x40020000,
  esp32s3: 0x40370000,
  esp32c3: 0x40380000,
  esp32c2: 0x40380000,
  esp32c6: 0x40800000,
  esp32h2: 0x40800000,
};
const FLASH_MAPPED: Record<ChipName, number> = {
  esp8266: 0x40201010,
  esp32: 0x400d0020,
  esp32s2: 0x40080020,
  esp32s3: 0x42000020,
  esp32c3: 0x42000020,
  esp32c2: 0x42000020,
  esp32c6: 0x42000020,
  esp32h2: 0x42000020,
};

const imageSpec = fc
  .constantFrom(...CHIP_NAMES)
  .chain((chip) => {
    const freqs = Object.keys(FLASH_FREQ_NIBBLES[chip]);
    const sizes = Object.keys(FLASH_SIZE_NIBBLES[headerFamily(chip)]);
    const segment = fc.record({
      mapped: fc.boolean(),
      slot: fc.integer({ min: 0, max: 0x3ff }),
      data: fc.uint8Array({ minLength: 0, maxLength: 300 }),
    });
    return fc.record({
      chip: fc.constant(chip),
      mode: fc.constantFrom(...FLASH_MODES),
      freq: fc.constantFrom(...freqs),
      size: fc.constantFrom(...sizes),
      appendSha: chip === 'esp8266' ? fc.constant(false) : fc.boolean(),
      segments: fc.array(segment, { minLength: 1, maxLength: 16 }),
    });
  })
  .map((s) => ({
    ...s,
    // The first segment is never empty (an image needs program data) and loads into RAM, where the entry is.
    segments: s.segments.map((seg, i) => ({
      address: (i > 0 && seg.mapped ? FLASH_MAPPED : RAM)[s.chip] + seg.slot * 4,
      data: i === 0 && seg.data.length === 0 ? new Uint8Array([1, 2, 3, 4]) : seg.data,
    })),
  }));

describe('buildImage ↔ inspectImage', () => {
  it('round-trips chip, header fields, segments, checksum and SHA (property)', () => {
    fc.assert(
      fc.property(imageSpec, (s) => {
        const entry = s.segments[0]!.address;
        const image = buildImage({ ...s, entry });
        const info = inspectImage(image, 'built.bin');
        const esp32 = s.chip !== 'esp8266';
        expect(info.kind).toBe(esp32 ? 'esp32-family' : 'esp8266');
        expect(info.chip).toBe(s.chip);
        expect(info.flashMode).toBe(s.mode);
        expect(info.flashSize).toBe(s.size);
        // Names that share a nibble (ESP32-C6 '80m' and '40m') decode to the first one listed.
        expect(FLASH_FREQ_NIBBLES[s.chip][info.flashFreq!]).toBe(FLASH_FREQ_NIBBLES[s.chip][s.freq]);
        expect(info.entry).toBe(entry);
        expect(info.segments.map((g) => [g.address, g.length])).toEqual(
          s.segments.map((g) => [g.address, Math.ceil(g.data.length / 4) * 4]),
        );
        for (const [i, g] of info.segments.entries()) {
          expect(
            Buffer.from(image.subarray(g.fileOffset, g.fileOffset + s.segments[i]!.data.length)),
          ).toEqual(Buffer.from(s.segments[i]!.data));
        }
        expect(info.sha256.appended).toBe(s.appendSha);
        expect(info.imageLength).toBe(image.length);
        expect((info.imageLength - (s.appendSha ? 32 : 0)) % 16).toBe(0); // the checksum ends a 16-byte block
        expect(info.warnings).toEqual([]);
        if (esp32) {
          const mapsFlash = s.segments.some(
            (g, i) =>
              i > 0 &&
              g.data.length > 0 &&
              g.address >= FLASH_MAPPED[s.chip] &&
              g.address < FLASH_MAPPED[s.chip] + 0x1000,
          );
          expect(info.role).toBe(mapsFlash ? 'app' : 'bootloader');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('writes the documented bytes for a small ESP32-C3 image', () => {
    const image = buildImage({
      chip: 'esp32c3',
      entry: 0x40380000,
      mode: 'dio',
      freq: '80m',
      size: '4MB',
      segments: [{ address: 0x40380000, data: Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55) }],
    });
    // header: magic, 1 segment, DIO, 4MB (2) << 4 | 80 MHz (0xF), entry LE
    expect(image.subarray(0, 8).toString('hex')).toBe('e901022f00003840');
    expect(image.subarray(8, 24).toString('hex')).toBe(
      'ee000000' + '0500' + '00' + '0000' + '0000' + '00000000' + '01',
    );
    expect(image.subarray(24, 32).toString('hex')).toBe('0000384008000000'); // address, length padded to 8
    expect(image.subarray(32, 40).toString('hex')).toBe('1122334455000000');
    // 40 bytes so far: 7 bytes of padding, then the checksum at 47.
    expect(image[47]).toBe(0xef ^ 0x11 ^ 0x22 ^ 0x33 ^ 0x44 ^ 0x55);
    expect(image.length).toBe(48 + 32);
    expect(image.subarray(48).toString('hex')).toBe(
      createHash('sha256').update(image.subarray(0, 48)).digest('hex'),
    );
  });

  it('classifies bootloader vs app by flash-mapped segments', () => {
    const base = {
      chip: 'esp32' as const,
      entry: 0x40080000,
      mode: 'dio' as const,
      freq: '40m',
      size: '4MB',
    };
    const boot = inspectImage(
      buildImage({
        ...base,
        segments: [
          { address: 0x40080000, data: new Uint8Array(8) },
          { address: 0x3ffe0000, data: new Uint8Array(8) },
        ],
      }),
    );
    const app = inspectImage(
      buildImage({
        ...base,
        segments: [
          { address: 0x3f400020, data: new Uint8Array(8) },
          { address: 0x40080000, data: new Uint8Array(8) },
        ],
      }),
    );
    expect(boot.role).toBe('bootloader');
    expect(app.role).toBe('app');
  });

  it('recognises ESP8266 RTOS SDK v3 images (extended header, chip id 0, ESP8266 addresses)', () => {
    const image = buildImage({
      chip: 'esp32',
      entry: 0x40100000,
      mode: 'dio',
      freq: '40m',
      size: '4MB',
      segments: [
        { address: 0x40100000, data: new Uint8Array(16) },
        { address: 0x3ffe8000, data: new Uint8Array(8) },
      ],
    });
    const info = inspectImage(image);
    expect(info.kind).toBe('esp8266');
    expect(info.chip).toBe('esp8266');
    expect(info.extendedHeader?.chipId).toBe(0);
    // Decoded with the ESP8266 size table: nibble 2 is 1 MB there.
    expect(info.flashSize).toBe('1MB');
  });

  it('refuses settings the header cannot express', () => {
    const base = {
      entry: 0x40100000,
      mode: 'dio' as const,
      freq: '40m',
      segments: [{ address: 0x40100000, data: new Uint8Array(4) }],
    };
    expect(() => buildImage({ ...base, chip: 'esp8266', size: '32MB' })).toThrow(/cannot be written/);
    expect(() => buildImage({ ...base, chip: 'esp32', size: '256KB' })).toThrow(/cannot be written/);
    expect(() => buildImage({ ...base, chip: 'esp32c2', size: '4MB', freq: '80m' })).toThrow(/80m/);
  });
});

describe('inspectImage on corrupted built images', () => {
  const good = (): Buffer =>
    buildImage({
      chip: 'esp32s3',
      entry: 0x40370000,
      mode: 'qio',
      freq: '80m',
      size: '8MB',
      segments: [
        { address: 0x40370000, data: new Uint8Array(64).fill(7) },
        { address: 0x3fc90000, data: new Uint8Array(32).fill(9) },
      ],
    });

  it('segment count 0 and a bad hash flag are rejected', () => {
    const zero = good();
    zero[1] = 0;
    expect(() => inspectImage(zero, 'z.bin')).toThrow(
      'z.bin: the header claims 0 segments (an image has 1 to 16)',
    );
    const flag = good();
    flag[23] = 2;
    expect(() => inspectImage(flag, 'f.bin')).toThrow(
      "f.bin: the extended header's hash-appended flag is 0x02 (must be 0 or 1)",
    );
  });

  it('a segment claiming more bytes than the file has', () => {
    const img = good();
    img.writeUInt32LE(30212, 28);
    const cut = img.subarray(0, 48);
    expect(() => inspectImage(cut, 'app.bin')).toThrow(
      'app.bin: segment 1 (load address 0x40370000) claims 30,212 bytes but the file ends after 48',
    );
  });

  it('an unknown chip id is a warning, not an error', () => {
    const img = good();
    img.writeUInt16LE(23, 12); // ESP32-C5 in esptool's table
    const sha = createHash('sha256')
      .update(img.subarray(0, img.length - 32))
      .digest();
    sha.copy(img, img.length - 32);
    const info = inspectImage(img);
    expect(info.chip).toBeUndefined();
    expect(info.warnings).toEqual(['the header names chip id 23 (ESP32-C5), a chip Kiln has no record for']);
  });
});
