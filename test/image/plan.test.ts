import { describe, expect, it } from 'vitest';
import { buildImage, planImages } from '../../src-main/esp/image';
import { readFirmware } from '../helpers/shared';
import { kilnErrorOf } from '../helpers/errors';

/** A small DIO, 4 MB image of two segments filled with `fills` (the segments' addresses say bootloader or app). */
function dioImage(
  chip: 'esp32' | 'esp32c3',
  freq: '40m' | '80m',
  segments: [number, number, number][],
): Buffer {
  return buildImage({
    chip,
    entry: segments[0]![0],
    mode: 'dio',
    freq,
    size: '4MB',
    segments: segments.map(([address, length, fill]) => ({
      address,
      data: new Uint8Array(length).fill(fill),
    })),
  });
}
const esp32Bootloader = () =>
  dioImage('esp32', '40m', [
    [0x40080000, 64, 1],
    [0x3ffe0000, 32, 2],
  ]);
const esp32App = () =>
  dioImage('esp32', '40m', [
    [0x40080000, 64, 3],
    [0x400d0020, 100, 4],
  ]);
const c3App = () =>
  dioImage('esp32c3', '80m', [
    [0x40380000, 16, 0],
    [0x42000020, 40, 5],
  ]);

describe('planImages: default offsets for a single file', () => {
  it('ESP32: bootloader → 0x1000, app → 0x10000, partition table → 0x8000', () => {
    expect(planImages([{ data: esp32Bootloader(), name: 'bl.bin' }], { chip: 'esp32' })[0]).toMatchObject({
      offset: 0x1000,
      placement: 'default',
    });
    expect(planImages([{ data: esp32App(), name: 'app.bin' }], { chip: 'esp32' })[0]).toMatchObject({
      offset: 0x10000,
      placement: 'default',
    });
    expect(
      planImages([{ data: readFirmware('partitions_singleapp.bin') }], { chip: 'esp32' })[0]?.offset,
    ).toBe(0x8000);
    expect(planImages([{ data: readFirmware('bootloader_esp32.bin') }], { chip: 'esp32' })[0]?.offset).toBe(
      0x1000,
    );
  });

  it('ESP32-C3: the real bootloader → 0x0, an app → 0x10000', () => {
    expect(
      planImages([{ data: readFirmware('bootloader_esp32c3.bin') }], { chip: 'esp32c3' })[0]?.offset,
    ).toBe(0x0);
    expect(planImages([{ data: c3App() }], { chip: 'esp32c3' })[0]?.offset).toBe(0x10000);
  });

  it('ESP32 merged factory image (0xFF, bootloader at 0x1000, app at 0x10000) → 0x0', () => {
    const merged = new Uint8Array(0x10000 + esp32App().length).fill(0xff);
    merged.set(esp32Bootloader(), 0x1000);
    merged.set(esp32App(), 0x10000);
    const [p] = planImages([{ data: merged, name: 'factory.bin' }], { chip: 'esp32' });
    expect(p).toMatchObject({ offset: 0, placement: 'default' });
    expect(p?.reason).toContain('merged image');
    // inspect reads it as raw data made of parts, without the "no image header" warning.
    expect(p?.info).toMatchObject({
      kind: 'raw',
      warnings: [],
      notes: ['merged image: bootloader at 0x1000, app at 0x10000'],
    });
    expect(p?.info.embedded.map((e) => [e.offset, e.chip, e.role])).toEqual([
      [0x1000, 'esp32', 'bootloader'],
      [0x10000, 'esp32', 'app'],
    ]);
  });

  it('ESP8266: a 0xE9 image → 0x0; raw data and v2 images need an offset', () => {
    expect(
      planImages([{ data: readFirmware('esp8266_deepsleep.bin') }], { chip: 'esp8266' })[0]?.offset,
    ).toBe(0);
    const raw = kilnErrorOf(() =>
      planImages([{ data: readFirmware('nonos_esp_init_data_default_v08.bin'), name: 'init.bin' }], {
        chip: 'esp8266',
      }),
    );
    expect(raw.code).toBe('IMAGE_OFFSET_MISSING');
    expect(raw.message).toBe('init.bin is raw data and has no offset');
    const v2 = kilnErrorOf(() =>
      planImages([{ data: readFirmware('nonos_at_user1.1024.new.2.bin'), name: 'user1.bin' }], {
        chip: 'esp8266',
      }),
    );
    expect(v2.code).toBe('IMAGE_OFFSET_MISSING');
    expect(v2.hint).toContain('0x1000');
  });

  it('several files: each needs an offset', () => {
    const e = kilnErrorOf(() =>
      planImages(
        [
          { data: esp32Bootloader(), offset: 0x1000, name: 'bl.bin' },
          { data: esp32App(), name: 'app.bin' },
        ],
        { chip: 'esp32' },
      ),
    );
    expect(e.code).toBe('IMAGE_OFFSET_MISSING');
    expect(e.message).toBe('app.bin has no offset; with several files, each needs one');
  });
});

describe('planImages: checks', () => {
  it('the NONOS 1 MB layout plans in flash order, padded to 4 with 0xFF', () => {
    const plan = planImages(
      [
        { offset: 0xfc000, data: readFirmware('nonos_esp_init_data_default_v08.bin'), name: 'init.bin' },
        { offset: 0x0, data: readFirmware('nonos_boot_v1.7.bin'), name: 'boot.bin' },
        { offset: 0x1000, data: readFirmware('nonos_at_user1.1024.new.2.bin'), name: 'user1.bin' },
        { offset: 0xfe000, data: new Uint8Array(4096).fill(0xff), name: 'blank.bin' },
      ],
      { chip: 'esp8266', flashSize: 1024 * 1024 },
    );
    expect(plan.map((p) => [p.name, p.offset, p.size, p.data.length])).toEqual([
      ['boot.bin', 0x0, 4080, 4080],
      ['user1.bin', 0x1000, 396900, 396900],
      ['init.bin', 0xfc000, 128, 128],
      ['blank.bin', 0xfe000, 4096, 4096],
    ]);
    expect(plan.every((p) => p.placement === 'given')).toBe(true);
  });

  it('pads odd lengths with 0xFF', () => {
    const odd = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const [p] = planImages([{ offset: 0x300000, data: odd, name: 'odd.bin' }], { chip: 'esp32' });
    expect(Array.from(p!.data)).toEqual([1, 2, 3, 4, 5, 6, 0xff, 0xff]);
    expect(p!.size).toBe(6);
  });

  it('IMAGE_MISALIGNED', () => {
    const e = kilnErrorOf(() =>
      planImages([{ offset: 0x1800, data: esp32App(), name: 'app.bin' }], { chip: 'esp32' }),
    );
    expect(e.code).toBe('IMAGE_MISALIGNED');
    expect(e.message).toBe('app.bin: offset 0x1800 is not a multiple of 0x1000 (4 KB)');
  });

  it('IMAGE_OVERLAP names both files and their ranges', () => {
    const e = kilnErrorOf(() =>
      planImages(
        [
          { offset: 0x10000, data: new Uint8Array(0x2000), name: 'a.bin' },
          { offset: 0x11000, data: new Uint8Array(16), name: 'b.bin' },
        ],
        { chip: 'esp32' },
      ),
    );
    expect(e.code).toBe('IMAGE_OVERLAP');
    expect(e.message).toBe('a.bin (0x10000\u20130x11fff) overlaps b.bin (0x11000\u20130x1100f)');
  });

  it('IMAGE_TOO_LARGE names the file, its end and the flash size', () => {
    const e = kilnErrorOf(() =>
      planImages([{ offset: 0x0, data: readFirmware('esp8266_deepsleep.bin'), name: 'ds.bin' }], {
        chip: 'esp8266',
        flashSize: 256 * 1024,
      }),
    );
    expect(e.code).toBe('IMAGE_TOO_LARGE');
    expect(e.message).toBe('ds.bin ends at 0x48aa0, past the end of the 256 KB flash (0x40000)');
  });

  it('warns when the boot header names more flash than the chip has', () => {
    const [p] = planImages([{ offset: 0, data: readFirmware('esp8266_deepsleep.bin'), name: 'ds.bin' }], {
      chip: 'esp8266',
      flashSize: 1024 * 1024,
    });
    expect(p!.warnings).toEqual([
      "header says 4 MB flash but this chip has 1 MB: set flash size to 'detect' or '1MB'",
    ]);
  });

  it('CHIP_MISMATCH: firmware for another chip', () => {
    const e = kilnErrorOf(() =>
      planImages([{ offset: 0, data: readFirmware('bootloader_esp32c3.bin'), name: 'bootloader.bin' }], {
        chip: 'esp8266',
      }),
    );
    expect(e.code).toBe('CHIP_MISMATCH');
    expect(e.message).toBe('bootloader.bin is ESP32-C3 firmware; it cannot run on an ESP8266');
    const e2 = kilnErrorOf(() =>
      planImages(
        [{ offset: 0x1000, data: readFirmware('nonos_at_user1.1024.new.2.bin'), name: 'user1.bin' }],
        { chip: 'esp32' },
      ),
    );
    expect(e2.message).toBe('user1.bin is ESP8266 firmware; it cannot run on an ESP32');
    expect(
      kilnErrorOf(() =>
        planImages([{ offset: 0x10000, data: c3App(), name: 'app.bin' }], { chip: 'esp32s3' }),
      ).code,
    ).toBe('CHIP_MISMATCH');
  });

  it('a file at the boot offset must be a boot image (wrong magic is rejected)', () => {
    const bytes = Buffer.from(readFirmware('bootloader_esp8266.bin'));
    bytes[0] = 0xe8;
    const e = kilnErrorOf(() =>
      planImages([{ offset: 0, data: bytes, name: 'boot.bin' }], { chip: 'esp8266' }),
    );
    expect(e.code).toBe('IMAGE_INVALID');
    expect(e.message).toBe(
      'boot.bin: goes to 0x0, where the ROM expects a boot image starting with 0xe9, but it starts with 0xe8',
    );
    // An all-0xFF blob (erasing the boot sector) is allowed.
    expect(
      planImages([{ offset: 0, data: new Uint8Array(4096).fill(0xff) }], { chip: 'esp8266' }),
    ).toHaveLength(1);
  });

  it('corrupt images are rejected while planning', () => {
    const e = kilnErrorOf(() =>
      planImages([{ data: readFirmware('esp32s3_header.bin'), name: 'h.bin' }], { chip: 'esp32s3' }),
    );
    expect(e.code).toBe('IMAGE_INVALID');
  });
});

describe('planImages: placement warnings', () => {
  it('an ESP32 bootloader at 0x0 or an app at 0x1000 is flagged', () => {
    const [boot] = planImages([{ offset: 0, data: readFirmware('bootloader_esp32.bin'), name: 'bl.bin' }], {
      chip: 'esp32',
    });
    expect(boot!.warnings).toEqual([
      'this looks like a bootloader (it loads only into RAM) but goes to 0x0, not 0x1000',
    ]);
    const [app] = planImages([{ offset: 0x1000, data: esp32App(), name: 'app.bin' }], { chip: 'esp32' });
    expect(app!.warnings).toEqual([
      'this looks like an application (it maps code from flash) but goes to the bootloader offset 0x1000',
    ]);
  });
});
