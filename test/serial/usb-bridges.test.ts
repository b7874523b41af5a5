/** The bridge table, its lookups and the baud fallback decisions the service uses. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BAUD_SUSPECT_CODES, decideBaudFallback } from '../../src-main/serial/baud-fallback';
import { ERROR_CODES, type ErrorCode } from '../../src-main/core/errors';
import {
  bridgeFor,
  bridgeForUsbId,
  defaultBaudFor,
  fallbackBauds,
  SAFE_BAUD,
  USB_BRIDGES,
} from '../../src-main/serial/usb-bridges';

describe('bridge table', () => {
  it.each([
    ['10c4', 'ea60', 'CP210x', 'cp210x', 'ttyUSB', 921600],
    ['10c4', 'ea70', 'CP2105', 'cp210x', 'ttyUSB', 921600],
    ['10c4', 'ea71', 'CP2108', 'cp210x', 'ttyUSB', 921600],
    ['1a86', '7523', 'CH340', 'ch341', 'ttyUSB', 921600],
    ['1a86', '55d4', 'CH9102', 'cdc_acm', 'ttyACM', 921600],
    ['1a86', '55d3', 'CH343', 'cdc_acm', 'ttyACM', 2000000],
    ['0403', '6001', 'FT232R', 'ftdi_sio', 'ttyUSB', 2000000],
    ['0403', '6010', 'FT2232', 'ftdi_sio', 'ttyUSB', 2000000],
    ['0403', '6011', 'FT4232', 'ftdi_sio', 'ttyUSB', 921600],
    ['0403', '6014', 'FT232H', 'ftdi_sio', 'ttyUSB', 3000000],
    ['0403', '6015', 'FT-X (FT231X/FT230X)', 'ftdi_sio', 'ttyUSB', 921600],
    ['067b', '2303', 'PL2303', 'pl2303', 'ttyUSB', 460800],
    ['067b', '23a3', 'PL2303', 'pl2303', 'ttyUSB', 460800],
    ['303a', '1001', 'Espressif USB-Serial/JTAG', 'cdc_acm', 'ttyACM', 921600],
    ['303a', '0002', 'ESP32-S2 native USB', 'cdc_acm', 'ttyACM', 921600],
    ['303a', '0009', 'ESP32-S3 ROM USB-OTG', 'cdc_acm', 'ttyACM', 921600],
  ] as const)('%s:%s is %s (%s, %s), default %i baud', (vid, pid, chip, driver, node, baud) => {
    const b = bridgeFor(vid, pid);
    expect(b).toMatchObject({ chip, driver, node });
    expect(defaultBaudFor(b)).toBe(baud);
  });

  it('lookups ignore case, 0x prefixes and accept numbers', () => {
    expect(bridgeFor('10C4', 'EA60')?.key).toBe('cp210x');
    expect(bridgeFor('0x1a86', '0x7523')?.key).toBe('ch340');
    expect(bridgeFor(0x303a, 0x1001)?.key).toBe('esp-usb-jtag-serial');
    expect(bridgeFor(0x403, 0x6001)?.key).toBe('ft232r');
    expect(bridgeForUsbId('303A:1001')?.lines).toBe('usb-jtag-serial');
    expect(bridgeForUsbId('1a86-7523')).toBeUndefined();
    expect(bridgeFor('1a86', undefined)).toBeUndefined();
    expect(bridgeFor('dead', 'beef')).toBeUndefined();
  });

  it('only 303a:1001 uses the USB-Serial/JTAG reset lines; native USB has no fallback ladder', () => {
    expect(
      USB_BRIDGES.filter((b) => b.lines === 'usb-jtag-serial').map(
        (b) => `${b.vendorId}:${b.productIds.join()}`,
      ),
    ).toEqual(['303a:1001']);
    for (const b of USB_BRIDGES.filter((x) => x.nativeUsb)) {
      expect(b.maxReliableBaud).toBeNull();
      expect(fallbackBauds(b, 921600)).toEqual([]);
    }
  });

  it('is consistent: unique VID:PID, lower-case 4-digit hex, ladders descending below the maximum, ending at 115200', () => {
    const seen = new Set<string>();
    for (const b of USB_BRIDGES) {
      expect(b.vendorId).toMatch(/^[0-9a-f]{4}$/);
      for (const pid of b.productIds) {
        expect(pid).toMatch(/^[0-9a-f]{4}$/);
        const id = `${b.vendorId}:${pid}`;
        expect(seen.has(id), id).toBe(false);
        seen.add(id);
      }
      expect(b.quirks.length).toBeGreaterThan(0);
      if (b.nativeUsb) continue;
      expect(b.fallbackBauds.at(-1)).toBe(SAFE_BAUD);
      expect([...b.fallbackBauds].sort((x, y) => y - x)).toEqual(b.fallbackBauds);
      expect(b.fallbackBauds.every((x) => x < b.maxReliableBaud!)).toBe(true);
    }
  });

  it('CH340 steps 921600 -> 460800 -> 230400 -> 115200 -> nothing', () => {
    const ch340 = bridgeFor('1a86', '7523');
    expect(fallbackBauds(ch340, 921600)).toEqual([460800, 230400, 115200]);
    expect(fallbackBauds(ch340, 460800)).toEqual([230400, 115200]);
    expect(fallbackBauds(ch340, 115200)).toEqual([]);
    // A user-chosen rate off the ladder still gets somewhere lower.
    expect(fallbackBauds(ch340, 2000000)).toEqual([921600, 460800, 230400, 115200]);
    expect(fallbackBauds(ch340, 500000)).toEqual([460800, 230400, 115200]);
  });

  it('FT232R, FT2232 and CH343 start at 2 Mbaud and step 2000000 -> 1500000 -> 921600 -> ... -> 115200', () => {
    for (const [vid, pid] of [
      ['0403', '6001'],
      ['0403', '6010'],
      ['1a86', '55d3'],
    ] as const) {
      const b = bridgeFor(vid, pid);
      expect(defaultBaudFor(b)).toBe(2000000);
      expect(fallbackBauds(b, 2000000)).toEqual([1500000, 921600, 460800, 230400, 115200]);
    }
    // CP210x stays at 921600: the CP2102 (1 Mbaud) and CP2102N (3 Mbaud) share 10c4:ea60.
    expect(defaultBaudFor(bridgeFor('10c4', 'ea60'))).toBe(921600);
  });

  it('property: every fallback is strictly lower than the current rate and never below 115200', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(undefined, ...USB_BRIDGES),
        fc.integer({ min: 9600, max: 4_000_000 }),
        (bridge, current) => {
          const ladder = fallbackBauds(bridge, current);
          expect(ladder.every((b) => b < current && b >= SAFE_BAUD)).toBe(true);
          expect(new Set(ladder).size).toBe(ladder.length);
          if (!bridge?.nativeUsb && current > SAFE_BAUD) expect(ladder.at(-1)).toBe(SAFE_BAUD);
        },
      ),
    );
  });
});

describe('decideBaudFallback', () => {
  const ch340 = bridgeFor('1a86', '7523');

  it('CH340 at 921600 with a protocol error retries at 460800 and says so', () => {
    expect(decideBaudFallback({ bridge: ch340, currentBaud: 921600, errorCode: 'PROTOCOL_ERROR' })).toEqual({
      retry: true,
      nextBaud: 460800,
      message: 'CH340 at 921600 gave data errors; retrying at 460800',
    });
  });

  it('repeated checksum errors in a run that survived are enough to step down', () => {
    const d = decideBaudFallback({ bridge: bridgeFor('067b', '2303'), currentBaud: 460800, dataErrors: 3 });
    expect(d).toEqual({
      retry: true,
      nextBaud: 230400,
      message: 'PL2303 at 460800 gave data errors; retrying at 230400',
    });
    expect(decideBaudFallback({ bridge: ch340, currentBaud: 921600, dataErrors: 2 })).toEqual({
      retry: false,
      reason: 'not-baud-related',
    });
  });

  it('never lowers the rate for port, sync, unplug or cancel failures: the diagnosis must stay', () => {
    const notSuspect = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => !BAUD_SUSPECT_CODES.has(c));
    expect(notSuspect).toEqual(
      expect.arrayContaining([
        'SYNC_FAILED',
        'PORT_BUSY',
        'PORT_PERMISSION_DENIED',
        'DEVICE_LOST',
        'CANCELLED',
      ]),
    );
    for (const code of notSuspect) {
      expect(decideBaudFallback({ bridge: ch340, currentBaud: 921600, errorCode: code })).toEqual({
        retry: false,
        reason: 'not-baud-related',
      });
    }
  });

  it('native USB and the 115200 floor decline with an explanation', () => {
    const jtag = decideBaudFallback({
      bridge: bridgeFor('303a', '1001'),
      currentBaud: 921600,
      errorCode: 'TIMEOUT',
    });
    expect(jtag).toMatchObject({ retry: false, reason: 'native-usb' });
    expect(jtag.retry === false && jtag.message).toMatch(/native USB/);
    const floor = decideBaudFallback({ bridge: ch340, currentBaud: 115200, errorCode: 'PROTOCOL_ERROR' });
    expect(floor).toMatchObject({ retry: false, reason: 'lowest-rate' });
  });

  it('an unknown adapter uses the generic ladder', () => {
    expect(
      decideBaudFallback({ bridge: undefined, currentBaud: 460800, errorCode: 'VERIFY_FAILED' }),
    ).toEqual({
      retry: true,
      nextBaud: 230400,
      message: 'The adapter at 460800 gave data errors; retrying at 230400',
    });
  });
});
