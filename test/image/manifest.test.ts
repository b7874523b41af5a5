import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest, pickBuild, resolvePartPath } from '../../src-main/esp/image';
import { kilnErrorOf } from '../helpers/errors';

const manifestText = JSON.stringify({
  name: 'Tasmota',
  version: '14.2.0',
  new_install_prompt_erase: true,
  builds: [
    {
      chipFamily: 'ESP32',
      parts: [
        { path: 'bootloader.bin', offset: 4096 },
        { path: 'partitions.bin', offset: 32768 },
        { path: 'firmware.bin', offset: 65536 },
      ],
    },
    { chipFamily: 'ESP32-C3', parts: [{ path: 'c3/merged.bin', offset: 0 }] },
    { chipFamily: 'ESP8266', parts: [{ path: 'tasmota.bin', offset: 0 }] },
  ],
});

describe('ESP Web Tools manifests', () => {
  it('parses a manifest and picks the build by chip family', () => {
    const m = parseManifest(manifestText);
    expect(m.name).toBe('Tasmota');
    expect(m.new_install_prompt_erase).toBe(true);
    expect(pickBuild(m, 'esp32').parts).toEqual([
      { path: 'bootloader.bin', offset: 0x1000 },
      { path: 'partitions.bin', offset: 0x8000 },
      { path: 'firmware.bin', offset: 0x10000 },
    ]);
    expect(pickBuild(m, 'esp32c3').parts).toEqual([{ path: 'c3/merged.bin', offset: 0 }]);
    expect(pickBuild(m, 'esp8266').parts[0]?.path).toBe('tasmota.bin');
  });

  it('MANIFEST_NO_BUILD lists the families the manifest has', () => {
    const e = kilnErrorOf(() => pickBuild(parseManifest(manifestText), 'esp32s3'));
    expect(e.code).toBe('MANIFEST_NO_BUILD');
    expect(e.message).toBe('"Tasmota" has no ESP32-S3 build (it has: ESP32, ESP32-C3, ESP8266)');
    expect(e.details).toMatchObject({ families: ['ESP32', 'ESP32-C3', 'ESP8266'] });
  });

  it('keeps families Kiln does not know (they are simply never picked)', () => {
    const m = parseManifest({
      name: 'x',
      builds: [{ chipFamily: 'ESP32-P4', parts: [{ path: 'a.bin', offset: 0 }] }],
    });
    expect(kilnErrorOf(() => pickBuild(m, 'esp32')).message).toBe(
      '"x" has no ESP32 build (it has: ESP32-P4)',
    );
  });

  it('MANIFEST_INVALID names the zod issue path', () => {
    const wrongOffset = {
      name: 'x',
      builds: [{ chipFamily: 'ESP32', parts: [{ path: 'a.bin', offset: '0x1000' }] }],
    };
    const e = kilnErrorOf(() => parseManifest(wrongOffset, 'my.json'));
    expect(e.code).toBe('MANIFEST_INVALID');
    expect(e.message).toMatch(/^my\.json: builds\.0\.parts\.0\.offset: /);
    expect(kilnErrorOf(() => parseManifest({ name: 'x', builds: [] })).message).toMatch(
      /^manifest\.json: builds: /,
    );
    expect(kilnErrorOf(() => parseManifest({ builds: [] })).message).toMatch(/^manifest\.json: name: /);
    expect(kilnErrorOf(() => parseManifest([])).message).toMatch(/^manifest\.json: \(top level\): /);
    expect(kilnErrorOf(() => parseManifest('{ "name": ')).message).toMatch(/^manifest\.json is not JSON: /);
  });
});

describe('resolvePartPath', () => {
  const manifest = path.join('/home/ann/fw', 'manifest.json');

  it('resolves relative parts next to the manifest', () => {
    expect(resolvePartPath(manifest, 'firmware.bin')).toBe(path.join('/home/ann/fw', 'firmware.bin'));
    expect(resolvePartPath(manifest, 'c3/merged.bin')).toBe(path.join('/home/ann/fw', 'c3', 'merged.bin'));
    expect(resolvePartPath(manifest, './a.bin')).toBe(path.join('/home/ann/fw', 'a.bin'));
  });

  it.each([
    ['/etc/passwd', 'is an absolute path'],
    ['\\\\server\\share\\a.bin', 'is an absolute path'],
    ['C:\\fw\\a.bin', 'is an absolute path'],
    ['../secret.bin', 'climbs out of the manifest folder'],
    ['c3/../../x.bin', 'climbs out of the manifest folder'],
    ['c3\\..\\..\\x.bin', 'climbs out of the manifest folder'],
    ['https://example.com/fw.bin', 'is a URL'],
    ['file:///etc/passwd', 'is a URL'],
  ])('rejects %s', (part, why) => {
    const e = kilnErrorOf(() => resolvePartPath(manifest, part));
    expect(e.code).toBe('MANIFEST_INVALID');
    expect(e.message).toContain(why);
  });

  it('rejects a manifest that is itself a URL', () => {
    expect(
      kilnErrorOf(() => resolvePartPath('https://example.com/manifest.json', 'a.bin')).message,
    ).toContain('Kiln does not download');
  });
});
