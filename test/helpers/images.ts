/** Firmware images for tests, built by Kiln's own image writer (no fixture files needed). */
import { buildImage } from '../../src-main/esp/image';
import { noiseBytes } from './sim-bench';

/** A bootable ESP8266 app (DIO, 40 MHz, 4 MB header) with one IRAM segment of `bytes` seeded noise. */
export const esp8266App = (bytes: number, seed: number): Buffer =>
  buildImage({
    chip: 'esp8266',
    entry: 0x40100004,
    segments: [{ address: 0x40100000, data: noiseBytes(bytes, seed) }],
    mode: 'dio',
    freq: '40m',
    size: '4MB',
  });
