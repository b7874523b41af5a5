import { describe, expect, it } from 'vitest';
import {
  Op,
  SYNC_PAYLOAD,
  checksum,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  readStatus,
  words,
} from '../../src-main/esp/link/protocol';
import { slipEncode } from '../../src-main/esp/link/slip';

describe('packets', () => {
  it('builds the SYNC frame byte for byte as esptool sends it', () => {
    // failure-diagnosis.md §B: C0 00 08 24 00 00000000 07071220 55×32 C0
    const frame = slipEncode(encodeRequest(Op.SYNC, SYNC_PAYLOAD));
    expect(frame.toString('hex')).toBe('c000082400' + '00000000' + '07071220' + '55'.repeat(32) + 'c0');
  });

  it('builds READ_REG of the magic register as in the ESP8266 trace', () => {
    // trace_esp8266_detect_efuse_esptool620.txt writes c0000a04000000000000100040c0 for 0x40001000.
    expect(slipEncode(encodeRequest(Op.READ_REG, words(0x40001000))).toString('hex')).toBe(
      'c0000a04000000000000100040c0',
    );
  });

  it('round-trips requests and parses responses with their value field', () => {
    const req = decodeRequest(encodeRequest(Op.FLASH_DATA, Buffer.from([1, 2, 3]), 0xef ^ 1 ^ 2 ^ 3))!;
    expect(req.op).toBe(Op.FLASH_DATA);
    expect(req.checksum).toBe(checksum(Buffer.from([1, 2, 3])));
    const res = decodeResponse(Buffer.from('010a0400 01c1f0ff 0000'.replace(/ /g, ''), 'hex'))!;
    expect(res.value).toBe(0xfff0c101);
    expect(res.data.toString('hex')).toBe('0000');
  });

  it('names ROM and stub failures from the status bytes', () => {
    expect(readStatus(Buffer.from([0, 0]))).toEqual({ ok: true, bytes: [0, 0] });
    expect(readStatus(Buffer.from([1, 0x07, 0, 0])).name).toBe('ROM_BAD_CHECKSUM');
    expect(readStatus(Buffer.from([0xc1, 0])).name).toBe('STUB_BAD_DATA_CHECKSUM');
    expect(readStatus(Buffer.from('00112233' + '0000', 'hex'), 4).ok).toBe(true);
    expect(readStatus(Buffer.from('00112233' + '0108', 'hex'), 4).name).toBe('ROM_FLASH_WRITE_ERROR');
  });
});
