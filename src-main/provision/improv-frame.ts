/**
 * Improv Wi-Fi over serial: the frame format, its checksum and the meaning of each byte value, from the protocol's
 * published spec (https://www.improv-wifi.com/serial/, source improv-wifi/website src/serial.md):
 *
 *   bytes 1-6 "IMPROV" · 7 version (1) · 8 type · 9 length · 10.. data · then one checksum byte.
 *
 * The spec names the checksum without defining it; the authors' client (improv-wifi/sdk-serial-js src/serial.ts,
 * writePacketToStream / _handleIncomingPacket) defines it as the sum of every byte before it, modulo 256, and ends
 * each frame it writes with a newline (0x0A), which devices ignore between frames. Both sides here do the same.
 * Shared by the provisioning client (provision/) and the simulator's Improv responder (sim/), so there is one
 * wire format.
 */

export const IMPROV_HEADER = Buffer.from('IMPROV', 'ascii');
export const IMPROV_VERSION = 1;
/** Header (6) + version + type + length. */
const PREFIX_BYTES = 9;

/** Packet types (spec: "The packet types are"). */
export const ImprovType = {
  currentState: 0x01,
  errorState: 0x02,
  rpcCommand: 0x03,
  rpcResult: 0x04,
} as const;

/** Current state values (spec, "Packet: Current State"). */
export const ImprovState = {
  authorized: 0x02,
  provisioning: 0x03,
  provisioned: 0x04,
} as const;

/**
 * Error state values (spec, "Packet: Error state"). 0x04 "not authorized" is listed in the BLE variant of the spec
 * (improv-wifi.com/ble, "Error state") and not in the serial one; a device may still send it, so it is named.
 */
export const ImprovError = {
  none: 0x00,
  invalidRpc: 0x01,
  unknownRpc: 0x02,
  unableToConnect: 0x03,
  notAuthorized: 0x04,
  badHostname: 0x05,
  unknown: 0xff,
} as const;

/** RPC command ids (spec, "RPC Command: ..."). */
export const ImprovCommand = {
  sendWifiSettings: 0x01,
  requestCurrentState: 0x02,
  requestDeviceInfo: 0x03,
  requestScannedNetworks: 0x04,
  hostname: 0x05,
  deviceName: 0x06,
  networkState: 0x07,
} as const;

export interface ImprovFrame {
  type: number;
  data: Buffer;
}

/** Sum of the bytes, modulo 256 (sdk-serial-js's definition; see the file comment). */
export function improvChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return sum;
}

/** One frame as written on the wire: header, version, type, length, data, checksum, newline. */
export function encodeImprovFrame(type: number, data: Uint8Array): Buffer {
  if (data.length > 255)
    throw new RangeError(`Improv data of ${data.length} bytes does not fit (255 at most)`);
  const body = Buffer.concat([IMPROV_HEADER, Buffer.from([IMPROV_VERSION, type, data.length]), data]);
  return Buffer.concat([body, Buffer.from([improvChecksum(body), 0x0a])]);
}

/** An RPC command's data: command id, data length, data (spec, "Packet: RPC Command"). */
export function encodeRpcCommand(command: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  return encodeImprovFrame(
    ImprovType.rpcCommand,
    Buffer.concat([Buffer.from([command, payload.length]), payload]),
  );
}

/** Length-prefixed UTF-8 strings, the form of Wi-Fi settings and of every RPC result. */
export function encodeStrings(strings: readonly string[]): Buffer {
  return Buffer.concat(
    strings.flatMap((s) => {
      const bytes = Buffer.from(s, 'utf8');
      if (bytes.length > 255) throw new RangeError('An Improv string is 255 bytes at most');
      return [Buffer.from([bytes.length]), bytes];
    }),
  );
}

/** Reads length-prefixed strings; undefined when a length runs past the end (a malformed packet). */
export function decodeStrings(bytes: Buffer): string[] | undefined {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const len = bytes[at]!;
    if (at + 1 + len > bytes.length) return undefined;
    out.push(bytes.subarray(at + 1, at + 1 + len).toString('utf8'));
    at += 1 + len;
  }
  return out;
}

/** "Send Wi-Fi settings": ssid length, ssid, password length, password (spec example `01 1E 0C ... 10 ...`). */
export function encodeWifiSettings(ssid: string, password: string): Buffer {
  return encodeRpcCommand(ImprovCommand.sendWifiSettings, encodeStrings([ssid, password]));
}

export function encodeRpcResult(command: number, strings: readonly string[]): Buffer {
  const body = encodeStrings(strings);
  return encodeImprovFrame(ImprovType.rpcResult, Buffer.concat([Buffer.from([command, body.length]), body]));
}

/** An RPC packet's parts (the same layout for commands and results): command id and its data. */
export function splitRpc(data: Buffer): { command: number; payload: Buffer } | undefined {
  if (data.length < 2 || data[1]! + 2 > data.length) return undefined;
  return { command: data[0]!, payload: data.subarray(2, 2 + data[1]!) };
}

/**
 * Finds Improv frames in a byte stream that also carries ordinary log text (firmware logs and Improv share the
 * UART). Bytes that are not part of a frame are handed to `text`; a frame whose checksum or version is wrong is
 * reported to `bad` and skipped.
 */
export class ImprovDecoder {
  private buf = Buffer.alloc(0);

  constructor(
    private readonly on: {
      frame: (f: ImprovFrame) => void;
      text?: (bytes: Buffer) => void;
      bad?: (reason: string, bytes: Buffer) => void;
    },
  ) {}

  push(chunk: Uint8Array): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const start = this.buf.indexOf(IMPROV_HEADER);
      if (start < 0) {
        // Keep a tail that may be the start of a header split across chunks.
        const keep = partialHeaderTail(this.buf);
        if (this.buf.length > keep) this.on.text?.(this.buf.subarray(0, this.buf.length - keep));
        this.buf = this.buf.subarray(this.buf.length - keep);
        return;
      }
      if (start > 0) {
        this.on.text?.(this.buf.subarray(0, start));
        this.buf = this.buf.subarray(start);
      }
      if (this.buf.length < PREFIX_BYTES) return;
      const total = PREFIX_BYTES + this.buf[8]! + 1;
      if (this.buf.length < total) return;
      const frame = this.buf.subarray(0, total);
      this.buf = this.buf.subarray(total);
      const version = frame[6]!;
      if (version !== IMPROV_VERSION) this.on.bad?.(`version ${version}`, frame);
      else if (improvChecksum(frame.subarray(0, total - 1)) !== frame[total - 1])
        this.on.bad?.('checksum', frame);
      else this.on.frame({ type: frame[7]!, data: Buffer.from(frame.subarray(PREFIX_BYTES, total - 1)) });
    }
  }
}

function partialHeaderTail(buf: Buffer): number {
  for (let n = Math.min(IMPROV_HEADER.length - 1, buf.length); n > 0; n--) {
    if (buf.subarray(buf.length - n).equals(IMPROV_HEADER.subarray(0, n))) return n;
  }
  return 0;
}
