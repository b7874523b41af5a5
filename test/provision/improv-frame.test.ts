/**
 * The Improv serial codec against the published spec (improv-wifi.com/serial) and the authors' client's checksum
 * (sum of the preceding bytes mod 256, sdk-serial-js). Frames are checked byte by byte.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeStrings,
  encodeImprovFrame,
  encodeRpcCommand,
  encodeRpcResult,
  encodeWifiSettings,
  improvChecksum,
  ImprovCommand,
  ImprovDecoder,
  ImprovError,
  ImprovState,
  ImprovType,
  splitRpc,
  type ImprovFrame,
} from '../../src-main/provision/improv-frame';

const HEADER = [0x49, 0x4d, 0x50, 0x52, 0x4f, 0x56]; // "IMPROV"

function decodeAll(bytes: Buffer) {
  const frames: ImprovFrame[] = [];
  const text: Buffer[] = [];
  const bad: string[] = [];
  const d = new ImprovDecoder({
    frame: (f) => frames.push(f),
    text: (t) => text.push(t),
    bad: (r) => bad.push(r),
  });
  for (const b of bytes) d.push(Buffer.from([b])); // one byte at a time: every split point
  return { frames, text: Buffer.concat(text).toString('latin1'), bad };
}

describe('Improv checksum', () => {
  it('is the sum of every preceding byte, modulo 256', () => {
    expect(improvChecksum(Buffer.from([]))).toBe(0);
    expect(improvChecksum(Buffer.from([0xff, 0x02]))).toBe(0x01);
    // "IMPROV" 1 0x03 0x02 0x02 0x00 (request current state)
    const sum = HEADER.reduce((a, b) => a + b, 0) + 1 + 3 + 2 + 2 + 0;
    expect(encodeRpcCommand(ImprovCommand.requestCurrentState)[11]).toBe(sum & 0xff);
  });

  it('a frame with one bit flipped is refused', () => {
    const frame = encodeImprovFrame(ImprovType.currentState, Buffer.from([ImprovState.authorized]));
    frame[9] = frame[9]! ^ 0x01;
    expect(decodeAll(frame)).toMatchObject({ frames: [], bad: ['checksum'] });
  });

  it('a frame of another protocol version is refused', () => {
    const frame = encodeImprovFrame(ImprovType.currentState, Buffer.from([2]));
    frame[6] = 2;
    frame[10] = improvChecksum(frame.subarray(0, 10));
    expect(decodeAll(frame).bad).toEqual(['version 2']);
  });
});

describe('every packet type', () => {
  it('current state (0x01): one byte', () => {
    const f = encodeImprovFrame(ImprovType.currentState, Buffer.from([ImprovState.provisioned]));
    expect([...f]).toEqual([...HEADER, 1, 0x01, 1, 0x04, improvChecksum(f.subarray(0, 10)), 0x0a]);
    expect(decodeAll(f).frames).toEqual([{ type: 1, data: Buffer.from([4]) }]);
  });

  it('error state (0x02): one byte, e.g. 0x03 unable to connect', () => {
    const f = encodeImprovFrame(ImprovType.errorState, Buffer.from([ImprovError.unableToConnect]));
    expect([...f.subarray(6, 10)]).toEqual([1, 0x02, 1, 0x03]);
    expect(decodeAll(f).frames[0]).toEqual({ type: 2, data: Buffer.from([3]) });
  });

  it('RPC command (0x03): send Wi-Fi settings is the spec example 01 1E 0C {MyWirelessAP} 10 {mysecurepassword}', () => {
    const f = encodeWifiSettings('MyWirelessAP', 'mysecurepassword');
    const data = Buffer.concat([
      Buffer.from([0x01, 0x1e, 0x0c]),
      Buffer.from('MyWirelessAP'),
      Buffer.from([0x10]),
      Buffer.from('mysecurepassword'),
    ]);
    expect(f.subarray(0, 9)).toEqual(Buffer.from([...HEADER, 1, 0x03, data.length]));
    expect(f.subarray(9, 9 + data.length)).toEqual(data);
    const rpc = splitRpc(decodeAll(f).frames[0]!.data)!;
    expect(rpc.command).toBe(1);
    expect(decodeStrings(rpc.payload)).toEqual(['MyWirelessAP', 'mysecurepassword']);
  });

  it.each([
    ['request current state', ImprovCommand.requestCurrentState, 0x02],
    ['request device information', ImprovCommand.requestDeviceInfo, 0x03],
    ['request scanned Wi-Fi networks', ImprovCommand.requestScannedNetworks, 0x04],
  ])('RPC command (0x03): %s is command %i with data length 0', (_n, command, id) => {
    const f = encodeRpcCommand(command);
    expect([...f.subarray(6, 11)]).toEqual([1, 0x03, 2, id, 0]);
  });

  it('RPC result (0x04): command, data length, then length-prefixed strings', () => {
    // Device info as in the spec's example: firmware, version, chip, device name.
    const strings = ['ESPHome', '2021.11.0', 'esp32-s3-devkitc-1/esp32-s3', 'Temperature Monitor'];
    const f = encodeRpcResult(ImprovCommand.requestDeviceInfo, strings);
    const frame = decodeAll(f).frames[0]!;
    expect(frame.type).toBe(4);
    expect(frame.data[0]).toBe(0x03);
    expect(frame.data[1]).toBe(frame.data.length - 2);
    expect(frame.data[2]).toBe(7); // "ESPHome"
    expect(decodeStrings(splitRpc(frame.data)!.payload)).toEqual(strings);
    // The end of a scan: an RPC result with no strings.
    expect([...encodeRpcResult(ImprovCommand.requestScannedNetworks, []).subarray(6, 11)]).toEqual([
      1, 4, 2, 4, 0,
    ]);
  });
});

describe('the decoder on a shared UART', () => {
  it('separates log text from frames, across any split', () => {
    const state = encodeImprovFrame(ImprovType.currentState, Buffer.from([2]));
    const stream = Buffer.concat([
      Buffer.from('[I][app]: Running\nIMPRO'),
      Buffer.from('x\n'),
      state,
      Buffer.from('bye\n'),
    ]);
    const r = decodeAll(stream);
    expect(r.frames).toEqual([{ type: 1, data: Buffer.from([2]) }]);
    expect(r.text).toBe('[I][app]: Running\nIMPROx\n\nbye\n');
  });

  it('malformed strings are refused, not read past the end', () => {
    expect(decodeStrings(Buffer.from([5, 0x41]))).toBeUndefined();
    expect(splitRpc(Buffer.from([1, 9, 0]))).toBeUndefined();
  });

  it('refuses data that cannot be framed', () => {
    expect(() => encodeImprovFrame(1, Buffer.alloc(256))).toThrow(RangeError);
    expect(() => encodeWifiSettings('x'.repeat(256), '')).toThrow(RangeError);
  });
});
