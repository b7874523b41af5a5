/**
 * Every real image in ../shared/fixtures/firmware, with expected fields read off the bytes (hexdump):
 * header bytes 0..7, the 16-byte extended header where there is one, each segment's address/length pair,
 * the checksum byte at the end of the 16-byte block, the appended SHA-256 / CRC32.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inspectImage } from '../../src-main/esp/image';
import { readFirmware } from '../helpers/shared';
import { kilnErrorOf } from '../helpers/errors';

function inspect(name: string) {
  return inspectImage(readFirmware(name), name);
}

describe('inspectImage on the real fixtures', () => {
  it('bootloader_esp32.bin: ESP32 bootloader, old esptool extended header (all zero), no SHA', () => {
    const i = inspect('bootloader_esp32.bin');
    expect(i).toMatchObject({
      kind: 'esp32-family',
      chip: 'esp32',
      role: 'bootloader',
      flashMode: 'dio',
      flashSize: '2MB',
      flashSizeBytes: 2 * 1024 * 1024,
      flashFreq: '40m',
      headerBytes: { mode: 0x02, sizeFreq: 0x10 },
      entry: 0x4009816c,
      checksum: { stored: 0x83, ok: true },
      sha256: { appended: false },
      imageLength: 7888,
      fileLength: 7888,
      warnings: [],
      embedded: [],
    });
    expect(i.extendedHeader).toEqual({
      wpPin: 0,
      driveBytes: [0, 0, 0],
      chipId: 0,
      minRev: 0,
      minRevFull: 0,
      maxRevFull: 0,
      hashAppended: false,
    });
    expect(i.segments).toEqual([
      { address: 0x3ffc0000, length: 0, fileOffset: 32 },
      { address: 0x3ffc0000, length: 2876, fileOffset: 40 },
      { address: 0x40078000, length: 4200, fileOffset: 2924 },
      { address: 0x40098000, length: 740, fileOffset: 7132 },
    ]);
  });

  it('bootloader_esp32c3.bin: chip id 5, SHA-256 appended and valid', () => {
    const bytes = readFirmware('bootloader_esp32c3.bin');
    const i = inspectImage(bytes, 'bootloader_esp32c3.bin');
    expect(i).toMatchObject({
      kind: 'esp32-family',
      chip: 'esp32c3',
      role: 'bootloader',
      flashMode: 'dio',
      flashSize: '2MB',
      flashFreq: '40m',
      entry: 0x403c0000,
      checksum: { stored: 0x77, ok: true },
      imageLength: 17744,
      fileLength: 17744,
      warnings: [],
    });
    expect(i.extendedHeader).toMatchObject({ wpPin: 0xee, chipId: 5, hashAppended: true });
    expect(i.segments.map((s) => [s.address, s.length])).toEqual([
      [0x3fcd6100, 20],
      [0x3fcd6114, 6244],
      [0x403c0000, 3556],
      [0x403c2000, 7820],
    ]);
    // The digest is the last 32 bytes and covers the 17,712 before it.
    const expected = createHash('sha256').update(bytes.subarray(0, 17712)).digest('hex');
    expect(i.sha256).toEqual({ appended: true, valid: true, hex: expected });
    expect(bytes.subarray(17712).toString('hex')).toBe(expected);
  });

  it('bootloader_esp8266.bin: plain 0xE9 image, 3 segments, QIO 512KB 40 MHz', () => {
    const i = inspect('bootloader_esp8266.bin');
    expect(i).toMatchObject({
      kind: 'esp8266',
      chip: 'esp8266',
      extendedHeader: undefined,
      role: undefined,
      flashMode: 'qio',
      flashSize: '512KB',
      flashFreq: '40m',
      entry: 0x40100294,
      checksum: { stored: 0xc0, ok: true },
      imageLength: 2752,
      fileLength: 2752,
      warnings: [],
    });
    expect(i.segments).toEqual([
      { address: 0x40100000, length: 1396, fileOffset: 16 },
      { address: 0x3ffe8000, length: 776, fileOffset: 1420 },
      { address: 0x3ffe8308, length: 540, fileOffset: 2204 },
    ]);
  });

  it('esp8266_deepsleep.bin: eboot image then the app at 0x1000 (header: DIO, 4 MB, 40 MHz)', () => {
    const i = inspect('esp8266_deepsleep.bin');
    expect(i).toMatchObject({
      kind: 'esp8266',
      chip: 'esp8266',
      flashMode: 'dio',
      flashSize: '4MB',
      flashSizeBytes: 4 * 1024 * 1024,
      flashFreq: '40m',
      headerBytes: { mode: 0x02, sizeFreq: 0x40 },
      entry: 0x4010f29c,
      checksum: { stored: 0x2d, ok: true },
      imageLength: 1408,
      fileLength: 297632,
      warnings: [],
    });
    expect(i.segments).toEqual([{ address: 0x4010f000, length: 1384, fileOffset: 16 }]);
    // 0x580..0xfff is 0xAA filler; at 0x1000 a 4-segment image (irom0 at 0x40201010) runs to the end of the file.
    expect(i.embedded).toEqual([
      { offset: 0x1000, kind: 'esp8266', chip: 'esp8266', role: undefined, length: 297632 - 0x1000 },
    ]);
  });

  it('nonos_boot_v1.7.bin: NONOS boot loader', () => {
    const i = inspect('nonos_boot_v1.7.bin');
    expect(i).toMatchObject({
      kind: 'esp8266',
      chip: 'esp8266',
      flashMode: 'qio',
      flashSize: '512KB',
      flashFreq: '40m',
      entry: 0x4010057c,
      checksum: { stored: 0x22, ok: true },
      imageLength: 4080,
      fileLength: 4080,
      warnings: [],
    });
    expect(i.segments.map((s) => [s.address, s.length])).toEqual([
      [0x40100000, 2592],
      [0x3ffe8000, 764],
      [0x3ffe82fc, 676],
    ]);
  });

  it('nonos_at_user1.1024.new.2.bin: v2 image (irom0 first, inner 0xE9 image, CRC32)', () => {
    const i = inspect('nonos_at_user1.1024.new.2.bin');
    expect(i).toMatchObject({
      kind: 'esp8266-v2',
      chip: 'esp8266',
      role: 'app',
      // Inner header at 0x565f0: e9 03 00 20 → QIO, 1 MB, 40 MHz (the outer 0xEA header says 0x01: 512KB, 26 MHz).
      flashMode: 'qio',
      flashSize: '1MB',
      flashFreq: '40m',
      headerBytes: { mode: 0, sizeFreq: 0x20 },
      entry: 0x40102dc0,
      irom: { address: 0, length: 353760, fileOffset: 16 },
      checksum: { stored: 0x8c, ok: true },
      crc32: { stored: 0x74a62bb4, ok: true },
      imageLength: 396900,
      fileLength: 396900,
    });
    expect(i.segments).toEqual([
      { address: 0x40100000, length: 26916, fileOffset: 353792 },
      { address: 0x3ffe8000, length: 2192, fileOffset: 380716 },
      { address: 0x3ffe8890, length: 13968, fileOffset: 382916 },
    ]);
    expect(i.warnings).toEqual([expect.stringContaining('size/frequency 0x01 vs 0x20')]);
  });

  it('partitions_singleapp.bin: three entries, no MD5 record', () => {
    const i = inspect('partitions_singleapp.bin');
    expect(i).toMatchObject({
      kind: 'partition-table',
      chip: undefined,
      imageLength: 96,
      fileLength: 96,
      warnings: [],
    });
    expect(i.partitions).toEqual([
      {
        type: 0,
        subtype: 0,
        typeName: 'app',
        subtypeName: 'factory',
        offset: 0x10000,
        size: 0x100000,
        label: 'factory',
        flags: 0,
      },
      {
        type: 1,
        subtype: 1,
        typeName: 'data',
        subtypeName: 'phy',
        offset: 0x110000,
        size: 0x40000,
        label: 'rfdata',
        flags: 0,
      },
      {
        type: 1,
        subtype: 2,
        typeName: 'data',
        subtypeName: 'nvs',
        offset: 0x150000,
        size: 0x40000,
        label: 'wifidata',
        flags: 0,
      },
    ]);
  });

  it('nonos_esp_init_data_default_v08.bin: raw data with a warning, not an error', () => {
    const i = inspect('nonos_esp_init_data_default_v08.bin');
    expect(i).toMatchObject({
      kind: 'raw',
      chip: undefined,
      segments: [],
      imageLength: 128,
      fileLength: 128,
    });
    expect(i.warnings).toEqual([expect.stringContaining('first byte 0x05')]);
  });

  it('esp32s3_header.bin (48 bytes, header only) is rejected clearly', () => {
    const e = kilnErrorOf(() => inspect('esp32s3_header.bin'));
    expect(e.code).toBe('IMAGE_INVALID');
    expect(e.message).toBe(
      'esp32s3_header.bin: only a header: 1 segment(s) with 0 bytes of program data (entry 0xdeadbeef)',
    );
    expect(e.hint).toBeTruthy();
  });
});

describe('inspectImage on corrupted copies of the fixtures', () => {
  it('a flipped byte inside a segment breaks the checksum', () => {
    const bytes = Buffer.from(readFirmware('bootloader_esp8266.bin'));
    bytes[1500] = (bytes[1500] ?? 0) ^ 0x10; // inside segment 2 (data 1420..2195)
    const e = kilnErrorOf(() => inspectImage(bytes, 'boot.bin'));
    expect(e.code).toBe('IMAGE_INVALID');
    expect(e.message).toBe(
      'boot.bin: checksum mismatch: the image stores 0xc0 but its segment data gives 0xd0 (a byte of the image has changed)',
    );
  });

  it('a changed header byte is caught by the appended SHA-256 (the checksum does not cover the header)', () => {
    const bytes = Buffer.from(readFirmware('bootloader_esp32c3.bin'));
    bytes[2] = 0x03;
    const e = kilnErrorOf(() => inspectImage(bytes, 'c3.bin'));
    expect(e.code).toBe('IMAGE_INVALID');
    expect(e.message).toMatch(
      /^c3\.bin: appended SHA-256 mismatch: the image stores 4faeab1bd3fd6a7d… but its contents give /,
    );
  });

  it('a cut file names the segment and where the file ends', () => {
    const bytes = readFirmware('bootloader_esp32.bin').subarray(0, 3000);
    const e = kilnErrorOf(() => inspectImage(bytes, 'bootloader.bin'));
    expect(e.code).toBe('IMAGE_INVALID');
    expect(e.message).toBe(
      'bootloader.bin: segment 3 (load address 0x40078000) claims 4,200 bytes but the file ends after 3,000',
    );
    expect(e.details).toMatchObject({ segment: 3, claimed: 4200, available: 3000 - 2924 });
  });

  it('a file cut inside the appended SHA-256', () => {
    const bytes = readFirmware('bootloader_esp32c3.bin').subarray(0, 17744 - 10);
    const e = kilnErrorOf(() => inspectImage(bytes, 'c3.bin'));
    expect(e.message).toBe(
      'c3.bin: the header says a SHA-256 is appended, but the file ends after 17,734 bytes, 10 short of it',
    );
  });

  it('a file cut before the checksum byte', () => {
    const bytes = readFirmware('bootloader_esp8266.bin').subarray(0, 2745);
    const e = kilnErrorOf(() => inspectImage(bytes, 'b.bin'));
    expect(e.message).toBe(
      'b.bin: the file ends after 2,745 bytes, before the checksum byte at offset 0xabf',
    );
  });

  it('v2 image: a flipped irom0 byte (outside the checksum) is caught by the CRC32', () => {
    const bytes = Buffer.from(readFirmware('nonos_at_user1.1024.new.2.bin'));
    bytes[0x1000] = (bytes[0x1000] ?? 0) ^ 0xff;
    const e = kilnErrorOf(() => inspectImage(bytes, 'user1.bin'));
    expect(e.code).toBe('IMAGE_INVALID');
    expect(e.message).toMatch(
      /^user1\.bin: CRC32 mismatch: the image stores 0x74a62bb4 but its contents give 0x[0-9a-f]{8}$/,
    );
  });

  it('v2 image: a damaged inner magic', () => {
    const bytes = Buffer.from(readFirmware('nonos_at_user1.1024.new.2.bin'));
    bytes[0x565f0] = 0x00;
    expect(kilnErrorOf(() => inspectImage(bytes, 'user1.bin')).message).toBe(
      'user1.bin: no second image header (0xe9) after the irom0 block at offset 0x565f0: found 0x00',
    );
  });

  it('a wrong magic byte makes a bootloader plain data (planning rejects it at the boot offset)', () => {
    const bytes = Buffer.from(readFirmware('bootloader_esp8266.bin'));
    bytes[0] = 0xe8;
    const i = inspectImage(bytes, 'b.bin');
    expect(i.kind).toBe('raw');
    expect(i.warnings[0]).toContain('first byte 0xe8');
  });

  it('an empty file', () => {
    expect(kilnErrorOf(() => inspectImage(new Uint8Array(0), 'empty.bin')).message).toBe(
      'empty.bin: the file is empty (0 bytes)',
    );
  });
});
