import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildImage, inspectImage, patchImageHeader, planImages } from '../../src-main/esp/image';
import { readFirmware } from '../helpers/shared';

/** The fixture's three entries, then an MD5 record over them, then 0xFF padding to 0xC00 as ESP-IDF writes it. */
function tableWithMd5(): Buffer {
  const entries = readFirmware('partitions_singleapp.bin');
  const md5Record = Buffer.concat([
    Buffer.from([0xeb, 0xeb]),
    Buffer.alloc(14, 0xff),
    createHash('md5').update(entries).digest(),
  ]);
  const table = Buffer.concat([entries, md5Record]);
  return Buffer.concat([table, Buffer.alloc(0xc00 - table.length, 0xff)]);
}

describe('partition tables', () => {
  it('an MD5 record is checked; the table ends before the 0xFF padding', () => {
    const info = inspectImage(tableWithMd5(), 'partitions.bin');
    expect(info.kind).toBe('partition-table');
    expect(info.partitions?.map((p) => p.label)).toEqual(['factory', 'rfdata', 'wifidata']);
    expect(info.imageLength).toBe(128);
    expect(info.fileLength).toBe(0xc00);
  });

  it('a changed entry breaks the MD5', () => {
    const bytes = tableWithMd5();
    bytes[0x44] = 0x01; // wifidata offset 0x150000 → 0x150001
    expect(() => inspectImage(bytes, 'partitions.bin')).toThrow(
      /^partitions\.bin: partition table MD5 mismatch: the table says /,
    );
  });

  it('a record that is neither an entry nor an end marker', () => {
    const bytes = tableWithMd5();
    bytes[0x20] = 0x00;
    expect(() => inspectImage(bytes, 'p.bin')).toThrow(
      'p.bin: partition table record 2 at offset 0x20 starts 0x00 0x50, neither an entry (0xaa 0x50), the MD5 record (0xeb 0xeb) nor the end marker (0xff)',
    );
  });

  it('a table cut inside a record', () => {
    expect(() => inspectImage(readFirmware('partitions_singleapp.bin').subarray(0, 80), 'p.bin')).toThrow(
      'p.bin: partition table is cut off: 80 bytes is not a whole number of 32-byte records',
    );
  });
});

describe('merged ESP32-C3 factory image', () => {
  const app = buildImage({
    chip: 'esp32c3',
    entry: 0x40380000,
    mode: 'dio',
    freq: '80m',
    size: '4MB',
    segments: [
      { address: 0x40380000, data: new Uint8Array(32).fill(6) },
      { address: 0x42000020, data: new Uint8Array(64).fill(7) },
    ],
  });
  const merged = Buffer.alloc(0x10000 + app.length, 0xff);
  readFirmware('bootloader_esp32c3.bin').copy(merged, 0);
  tableWithMd5().copy(merged, 0x8000);
  app.copy(merged, 0x10000);

  it('inspect lists the partition table and the app after the bootloader', () => {
    const info = inspectImage(merged, 'factory.bin');
    expect(info).toMatchObject({
      kind: 'esp32-family',
      chip: 'esp32c3',
      role: 'bootloader',
      imageLength: 17744,
      warnings: [],
    });
    expect(info.embedded).toEqual([
      { offset: 0x8000, kind: 'partition-table', chip: undefined, role: undefined, length: 128 },
      { offset: 0x10000, kind: 'esp32-family', chip: 'esp32c3', role: 'app', length: app.length },
    ]);
  });

  it('plans at 0x0, where only the leading bootloader header is patched', () => {
    expect(planImages([{ data: merged, name: 'factory.bin' }], { chip: 'esp32c3' })[0]?.offset).toBe(0);
    const patched = patchImageHeader(merged, { offset: 0, chip: 'esp32c3', size: '8MB' });
    const info = inspectImage(patched, 'factory.bin');
    expect(info).toMatchObject({ flashSize: '8MB', sha256: { appended: true, valid: true } });
    expect(Buffer.from(patched.subarray(17744)).equals(merged.subarray(17744))).toBe(true);
    expect(inspectImage(patched.subarray(0x10000)).flashSize).toBe('4MB');
  });

  it('unexplained bytes after an image are a warning', () => {
    const junk = Buffer.concat([readFirmware('bootloader_esp8266.bin'), Buffer.from('not padding')]);
    expect(inspectImage(junk, 'b.bin').warnings).toEqual([
      "11 bytes after the image's end (offset 0xac0) are not part of it; they are flashed as they are",
    ]);
    const padded = Buffer.concat([readFirmware('bootloader_esp8266.bin'), Buffer.alloc(100, 0xff)]);
    expect(inspectImage(padded, 'b.bin').warnings).toEqual([]);
  });
});
