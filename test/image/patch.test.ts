import { describe, expect, it } from 'vitest';
import { buildImage, inspectImage, patchImageHeader } from '../../src-main/esp/image';
import { kilnErrorOf } from '../helpers/errors';
import { readFirmware } from '../helpers/shared';

function diffOffsets(a: Uint8Array, b: Uint8Array): number[] {
  expect(b.length).toBe(a.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

describe('patchImageHeader', () => {
  it('ESP8266 at 0x0: mode and size/freq bytes change, nothing else', () => {
    const original = readFirmware('bootloader_esp8266.bin'); // e9 03 00 00: QIO, 512KB, 40 MHz
    const patched = patchImageHeader(original, {
      offset: 0,
      chip: 'esp8266',
      mode: 'dout',
      freq: '80m',
      size: '4MB',
    });
    expect(patched).not.toBe(original);
    expect(Buffer.from(patched.subarray(0, 4)).toString('hex')).toBe('e903034f'); // DOUT=3, 4MB nibble 4, 80 MHz nibble F
    expect(diffOffsets(original, patched)).toEqual([2, 3]);
    expect(original[2]).toBe(0x00); // the input is not modified
    const info = inspectImage(patched, 'p.bin');
    expect(info).toMatchObject({
      flashMode: 'dout',
      flashSize: '4MB',
      flashFreq: '80m',
      checksum: { stored: 0xc0, ok: true },
    });
    expect(info.segments).toEqual(inspectImage(original).segments);
  });

  it('ESP32-C3 bootloader at 0x0: the appended SHA-256 is recomputed and still valid', () => {
    const original = readFirmware('bootloader_esp32c3.bin');
    const patched = patchImageHeader(original, {
      offset: 0,
      chip: 'esp32c3',
      mode: 'qio',
      size: 4 * 1024 * 1024,
    });
    const changed = diffOffsets(original, patched);
    expect(changed.slice(0, 2)).toEqual([2, 3]);
    expect(changed.every((i) => i < 4 || i >= 17712)).toBe(true); // header bytes and the digest only
    expect(changed.length).toBeGreaterThan(2);
    const info = inspectImage(patched, 'p.bin');
    expect(info).toMatchObject({
      flashMode: 'qio',
      flashSize: '4MB',
      flashFreq: '40m',
      checksum: { stored: 0x77, ok: true },
      sha256: { appended: true, valid: true },
    });
    expect(info.sha256.hex).not.toBe(inspectImage(original).sha256.hex);
  });

  it('ESP32 bootloader is patched only at 0x1000', () => {
    const original = readFirmware('bootloader_esp32.bin');
    expect(patchImageHeader(original, { offset: 0x0, chip: 'esp32', mode: 'dout' })).toBe(original);
    expect(patchImageHeader(original, { offset: 0x10000, chip: 'esp32', mode: 'dout' })).toBe(original);
    const patched = patchImageHeader(original, { offset: 0x1000, chip: 'esp32', freq: '80m', size: '16MB' });
    expect(Buffer.from(patched.subarray(0, 4)).toString('hex')).toBe('e904024f'); // 16MB nibble 4, 80 MHz F
    expect(diffOffsets(original, patched)).toEqual([3]);
  });

  it('leaves data alone when everything is keep, or the file is not an image', () => {
    const boot = readFirmware('bootloader_esp8266.bin');
    expect(patchImageHeader(boot, { offset: 0, chip: 'esp8266' })).toBe(boot);
    expect(
      patchImageHeader(boot, { offset: 0, chip: 'esp8266', mode: 'keep', freq: 'keep', size: 'keep' }),
    ).toBe(boot);
    const data = readFirmware('nonos_esp_init_data_default_v08.bin');
    expect(patchImageHeader(data, { offset: 0, chip: 'esp8266', mode: 'dio' })).toBe(data);
    // Already the requested values: no copy.
    expect(patchImageHeader(boot, { offset: 0, chip: 'esp8266', mode: 'qio', size: '512KB' })).toBe(boot);
  });

  it('refuses sizes and frequencies the chip header cannot express', () => {
    const boot = readFirmware('bootloader_esp8266.bin');
    const e1 = kilnErrorOf(() =>
      patchImageHeader(boot, { offset: 0, chip: 'esp8266', size: '32MB' }, 'boot.bin'),
    );
    expect(e1.code).toBe('IMAGE_INVALID');
    expect(e1.message).toBe('boot.bin: flash size 32MB cannot be written in an ESP8266 header');
    const c3 = readFirmware('bootloader_esp32c3.bin');
    const e2 = kilnErrorOf(() =>
      patchImageHeader(c3, { offset: 0, chip: 'esp32c3', size: 512 * 1024 }, 'c3.bin'),
    );
    expect(e2.message).toBe(
      'c3.bin: flash size 524,288 bytes (0x80000) cannot be written in an ESP32-C3 header',
    );
    const c2 = buildImage({
      chip: 'esp32c2',
      entry: 0x40380000,
      mode: 'dio',
      freq: '60m',
      size: '2MB',
      segments: [{ address: 0x40380000, data: new Uint8Array(8) }],
    });
    const e3 = kilnErrorOf(() => patchImageHeader(c2, { offset: 0, chip: 'esp32c2', freq: '80m' }, 'c2.bin'));
    expect(e3.message).toBe('c2.bin: flash frequency 80m cannot be written in an ESP32-C2 header');
    expect(e3.hint).toBe('Choose one of: 60m, 30m, 20m, 15m, or keep.');
    expect(
      kilnErrorOf(() => patchImageHeader(boot, { offset: 0, chip: 'esp8266', size: 'detect' })).code,
    ).toBe('BAD_REQUEST');
  });

  it('refuses to patch a damaged bootloader', () => {
    const bytes = Buffer.from(readFirmware('bootloader_esp32c3.bin'));
    bytes[100] = (bytes[100] ?? 0) ^ 1;
    expect(() =>
      patchImageHeader(bytes, { offset: 0, chip: 'esp32c3', mode: 'dio', size: '4MB' }, 'c3.bin'),
    ).toThrow(/^c3\.bin: checksum mismatch/);
  });
});
