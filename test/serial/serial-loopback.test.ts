/**
 * Real hardware, opt-in: a USB-serial adapter with a jumper between TX and RX, named by KILN_TEST_LOOPBACK_PORT
 * (e.g. /dev/ttyUSB0). Every byte written must come back unchanged at each baud the bridge table trusts.
 * Without the variable the test is reported as skipped, with this reason.
 */
import { describe, expect, it } from 'vitest';
import { listPorts } from '../../src-main/serial/discovery';
import { openSerialPort } from '../../src-main/serial/serialport-transport';
import { fallbackBauds } from '../../src-main/serial/usb-bridges';
import { patternBytes, within } from './helpers/conformance';

const portPath = process.env.KILN_TEST_LOOPBACK_PORT;

describe.skipIf(!portPath)('loopback on a real adapter (KILN_TEST_LOOPBACK_PORT; TX jumpered to RX)', () => {
  it('echoes every byte at the default baud and each fallback, and DTR/RTS changes are accepted', async () => {
    const info = (await listPorts()).find((p) => p.path === portPath);
    const bauds = [info?.defaultBaud ?? 115200, ...fallbackBauds(info?.bridge, info?.defaultBaud ?? 115200)];
    const t = await openSerialPort(portPath!, {
      baudRate: bauds[0]!,
      ...(info?.usbId ? { usbId: info.usbId } : {}),
    });
    try {
      for (const baud of bauds) {
        await t.setBaudRate(baud);
        await t.setSignals({ dtr: false, rts: false });
        await t.discardInput();
        const data = patternBytes(4096);
        const chunks: Buffer[] = [];
        let total = 0;
        const done = new Promise<void>((resolve) => {
          const off = t.onData((c) => {
            chunks.push(c);
            total += c.length;
            if (total >= data.length) {
              off();
              resolve();
            }
          });
        });
        await t.write(data);
        await within(done, 5000, `loopback at ${baud}`);
        expect(Buffer.concat(chunks).subarray(0, data.length).equals(data), `at ${baud} baud`).toBe(true);
      }
    } finally {
      await t.close();
    }
  });
});
