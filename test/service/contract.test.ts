/**
 * The contract's schemas are the gate in front of the service: bad port paths, bauds outside the allowlist,
 * wrong types, oversize payloads and unknown methods must all become BAD_REQUEST before anything runs.
 */
import { describe, expect, it } from 'vitest';
import { KilnError } from '../../src-main/core/errors';
import { events, methods } from '../../src-main/service/contract';
import { BAUD_RATES, EVENT_NAMES, MAX_MONITOR_WRITE_BYTES, METHOD_NAMES } from '../../src-main/vocabulary';
import { parseCall } from '../../src-main/service/validate';

function refused(method: unknown, input: unknown): KilnError {
  try {
    parseCall(method, input);
  } catch (e) {
    expect(e).toBeInstanceOf(KilnError);
    expect((e as KilnError).code).toBe('BAD_REQUEST');
    return e as KilnError;
  }
  throw new Error(`expected ${String(method)} ${JSON.stringify(input)} to be refused`);
}

const SHA = 'ab'.repeat(32);

describe('port paths', () => {
  const accepted = [
    '/dev/ttyUSB0',
    '/dev/ttyACM1',
    '/dev/cu.usbserial-0001',
    '/dev/serial/by-id/usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001-if00-port0',
    'COM3',
    'COM12',
    '\\\\.\\COM17',
    'sim:esp8266',
    'sim:esp8266?fault=swap-txrx',
    'sim:esp32?board=devkit&flash=8MB',
    'sim:esp32?fault=noise:0.02,drop-bytes',
    'sim:esp32-c3',
    'socket://127.0.0.1:4000',
    'socket://bench-rig.local:3333',
  ];
  for (const port of accepted) {
    it(`accepts ${port}`, () => expect(parseCall('identify', { port })).toEqual({ port }));
  }

  const rejected = [
    '',
    '/etc/passwd',
    '/dev/../etc/shadow',
    '/dev/serial/../../etc/passwd',
    'ttyUSB0',
    '../dev/ttyUSB0',
    '/dev/tty USB0',
    '/dev/ttyUSB0;rm -rf /',
    'file:///dev/ttyUSB0',
    'rfc2217://host:4000',
    'socket://host',
    'socket://host:4000/path',
    'sim:esp8266?fault=$(reboot)',
    'COM0',
    'C:\\Windows\\system32',
    '/dev/' + 'a'.repeat(400),
  ];
  for (const port of rejected) {
    it(`refuses ${JSON.stringify(port.slice(0, 40))}`, () => {
      const e = refused('identify', { port });
      expect(e.details?.issues).toBeDefined();
    });
  }
});

describe('other fields', () => {
  it('takes bauds from the allowlist only', () => {
    for (const baud of BAUD_RATES)
      expect(parseCall('monitorOpen', { port: 'COM3', baud })).toEqual({ port: 'COM3', baud });
    for (const baud of [0, 1, 115201, 3_000_000, -115200, 115200.5, Number.NaN])
      refused('monitorOpen', { port: 'COM3', baud });
    refused('monitorOpen', { port: 'COM3', baud: '115200' });
  });

  it('refuses wrong types and missing fields', () => {
    refused('identify', {});
    refused('identify', { port: 7 });
    refused('startFlash', { port: 'sim:esp8266', images: [] });
    refused('startFlash', { port: 'sim:esp8266', images: [{ sha256: SHA.toUpperCase(), name: 'a.bin' }] });
    refused('startFlash', { port: 'sim:esp8266', images: [{ sha256: SHA, name: 'a.bin', offset: -1 }] });
    refused('startFlash', {
      port: 'sim:esp8266',
      images: [{ sha256: SHA, name: 'a.bin', offset: 0x8000000 }],
    });
    refused('startFlash', { port: 'sim:esp8266', images: [{ sha256: SHA, name: 'bad\nname.bin' }] });
    refused('startFlash', {
      port: 'sim:esp8266',
      images: [{ sha256: SHA, name: 'a.bin' }],
      options: { flashMode: 'fast' },
    });
    refused('startFlash', 'sim:esp8266');
    refused('inspectFirmware', { name: 'a.bin', bytes: [1, 2, 3] });
    refused('inspectFirmware', { name: 'a.bin', bytes: { $bytes: 'AAAA' } });
    refused('monitorWrite', { monitorId: 'm1', data: new Uint8Array(MAX_MONITOR_WRITE_BYTES + 1) });
    refused('cancelJob', { jobId: '../../etc' });
    refused('setSettings', { theme: 'neon' });
  });

  it('requires an explicit confirmation for a fix', () => {
    refused('runFix', { fixId: 'add-to-dialout' });
    refused('runFix', { fixId: 'add-to-dialout', confirmed: false });
    refused('runFix', { fixId: 'add-to-dialout', confirmed: 'yes' });
    expect(parseCall('runFix', { fixId: 'add-to-dialout', confirmed: true })).toEqual({
      fixId: 'add-to-dialout',
      confirmed: true,
    });
  });

  it('refuses names that are not methods, including inherited properties', () => {
    for (const name of [
      'nope',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      42,
      null,
      undefined,
    ])
      refused(name, {});
  });

  it('fills defaults for a client that omits options, but a settings patch stays a patch', () => {
    const flash = parseCall('startFlash', { port: 'sim:esp8266', images: [{ sha256: SHA, name: 'a.bin' }] });
    expect(flash.options).toEqual({
      eraseAll: false,
      flashMode: 'keep',
      flashFreq: 'keep',
      flashSize: 'keep',
      skipUnchanged: true,
      backupFirst: false,
    });
    expect(parseCall('setSettings', { flash: { eraseAll: true } })).toEqual({ flash: { eraseAll: true } });
    expect(parseCall('monitorReset', { monitorId: 'm1' })).toEqual({ monitorId: 'm1', mode: 'run' });
  });

  it('accepts a Node Buffer as bytes (it is a Uint8Array)', () => {
    const parsed = parseCall('inspectFirmware', { name: 'a.bin', bytes: Buffer.from([1, 2]) });
    expect(parsed.bytes).toBeInstanceOf(Uint8Array);
  });
});

describe('contract shape', () => {
  it('lists every method and event once, with input/output schemas', () => {
    expect(new Set(METHOD_NAMES).size).toBe(METHOD_NAMES.length);
    for (const m of METHOD_NAMES) {
      expect(methods[m].input).toBeDefined();
      expect(methods[m].output).toBeDefined();
      expect(m).toMatch(/^[a-z][A-Za-z]+$/);
    }
    expect(new Set(EVENT_NAMES).size).toBe(EVENT_NAMES.length);
    expect(EVENT_NAMES).toEqual(
      expect.arrayContaining([
        'jobDone',
        'jobLog',
        'jobPhase',
        'jobProgress',
        'jobStarted',
        'monitorClosed',
        'monitorData',
        'portsChanged',
      ]),
    );
  });

  it('event schemas accept what the service emits and refuse malformed payloads', () => {
    expect(
      events.jobProgress.safeParse({
        jobId: 'job-1',
        phase: 'writing',
        bytesDone: 1,
        bytesTotal: 2,
        bytesPerSecond: 3,
      }).success,
    ).toBe(true);
    expect(
      events.jobProgress.safeParse({
        jobId: 'job-1',
        phase: 'flying',
        bytesDone: 1,
        bytesTotal: 2,
        bytesPerSecond: 3,
      }).success,
    ).toBe(false);
    expect(
      events.jobDone.safeParse({
        jobId: 'job-1',
        kind: 'flash',
        ok: false,
        error: { code: 'NOPE', message: 'x' },
      }).success,
    ).toBe(false);
    expect(events.monitorData.safeParse({ monitorId: 'm', data: new Uint8Array(1) }).success).toBe(true);
  });
});
