/**
 * The ROM serial loader of each chip (protocol notes §1–4, §6), as the host sees it:
 * - status of 2 bytes (ESP8266) or 4 (ESP32 family), failure = [1, code];
 * - the value field is stale: every reply other than READ_REG and SYNC repeats the last READ_REG result
 *   (trace_esp32_mac_stub_upload_esptool570.txt: MEM_BEGIN's reply carries the MAC word read just before;
 *   trace_esp32_rom_change_baudrate_spi_attach_esptool921.txt: CHANGE_BAUDRATE and SPI_ATTACH carry 0x733);
 * - SYNC → 8 identical replies with value 0x20120707 (trace_esp8266_sync_burst_replies_arduino6605.txt);
 * - commands the ROM lacks → a reply with status [1, 5] sent 8 times (esptool loader.py: "sent 8 times and has
 *   14 bytes length including delimiter"), whose op byte differs from the request's — esptool only raises
 *   UnsupportedCommandError for a non-matching op. The exact op byte is a [guess]: 0x00 here;
 * - ESP8266 ROM: no MD5, CHANGE_BAUDRATE, deflate, SPI_ATTACH, SPI_SET_PARAMS; its FLASH_BEGIN erase bug;
 * - ESP32-family ROMs: READ_FLASH_SLOW, SPI_FLASH_MD5 as 32 hex characters, CHANGE_BAUDRATE (new, 0);
 *   GET_SECURITY_INFO only on the C3 (20-byte form, chip_id 5);
 * - FLASH_BEGIN / FLASH_DEFL_BEGIN payload is 16 bytes on the ESP8266 and ESP32 ROMs and 20 on later ROMs
 *   (notes §4; esptool loader.py: "ESP32 and ESP8266 ROMs do not support extended parameter format"); the other
 *   length is refused with "invalid message" [guess: the real ROM's reaction to the wrong length is not recorded].
 */
import { createHash } from 'node:crypto';
import { Op, SYNC_PAYLOAD, checksum, decodeRequest, encodeResponse } from '../esp/link/protocol';
import { romCalibratedXtalHz, type ChipFacts } from './chip-facts';
import { SECTOR } from './flash-memory';
import { StreamingInflater } from './inflater';
import { payloadWords, type Loader, type LoaderContext } from './loader-context';
import { findKnownStub } from './stub-catalogue';

export const ROM_SYNC_VALUE = 0x20120707;
/** [guess] op byte of the "unsupported command" reply. */
export const ROM_UNSUPPORTED_REPLY_OP = 0x00;
const INVALID_MESSAGE = 0x05;
const FAILED_TO_ACT = 0x06;
const BAD_CHECKSUM = 0x07;
const FLASH_WRITE_ERR = 0x08;
const DEFLATE_ERR = 0x0b;

interface FlashSession {
  offset: number;
  blockSize: number;
  nextSeq: number;
  /** Deflate sessions: bytes already written and the streaming decoder. */
  written: number;
  inflater?: StreamingInflater;
}

/**
 * Sectors the ESP8266 ROM really erases when FLASH_BEGIN asks for `eraseSize` bytes at `offset`: it erases the
 * head sectors up to the next 64 KB boundary and then still the full requested count — the head is counted
 * twice. esptool's workaround (notes §4) inverts exactly this: for n sectors it sends n − h when n ≥ 2h, so
 * the ROM erases h + (n − h) = n; when n < 2h it sends ceil(n/2), so the ROM erases 2·ceil(n/2) (n, or n+1
 * for odd n). 300,000 bytes at 0x1000 → esptool sends 0x3B000 (59 sectors) → 15 + 59 = 74 sectors.
 */
export function esp8266RomEraseSectors(
  offset: number,
  eraseSize: number,
): { firstSector: number; count: number } {
  const firstSector = Math.floor(offset / SECTOR);
  const p = Math.ceil(eraseSize / SECTOR);
  const head = Math.min(16 - (firstSector % 16), p);
  return { firstSector, count: head + p };
}

export class RomLoader implements Loader {
  private lastValue = 0;
  private mem: { addr: number; size: number; blockSize: number; nextSeq: number } | undefined;
  /** What MEM_DATA put in RAM, by load address (to recognise the stub at MEM_END). */
  private ram = new Map<number, Buffer>();
  private session: FlashSession | undefined;
  private readonly facts: ChipFacts;

  constructor(private readonly ctx: LoaderContext) {
    this.facts = ctx.facts;
  }

  private status(code = 0): Buffer {
    const s = Buffer.alloc(this.facts.romStatusLen);
    if (code) {
      s[0] = 1;
      s[1] = code;
    }
    return s;
  }

  private reply(op: number, result: Uint8Array = Buffer.alloc(0), code = 0, value = this.lastValue): number {
    return this.ctx.sendFrame(encodeResponse(op, value, Buffer.concat([result, this.status(code)])));
  }

  private unsupported(): void {
    const frame = encodeResponse(ROM_UNSUPPORTED_REPLY_OP, this.lastValue, this.status(INVALID_MESSAGE));
    for (let i = 0; i < 8; i++) this.ctx.sendFrame(frame);
  }

  async handle(frame: Buffer): Promise<void> {
    const req = decodeRequest(frame);
    if (!req) return; // not a request (e.g. our own reply echoed): the ROM ignores it
    const { op, data } = req;
    const w = payloadWords(data);
    const esp32 = this.facts.romHasEsp32Commands;
    switch (op) {
      case Op.SYNC: {
        if (!data.equals(SYNC_PAYLOAD)) return void this.reply(op, undefined, INVALID_MESSAGE);
        const f = encodeResponse(op, ROM_SYNC_VALUE, this.status());
        for (let i = 0; i < 8; i++) this.ctx.sendFrame(f);
        return;
      }
      case Op.READ_REG: {
        if (data.length !== 4) return void this.reply(op, undefined, INVALID_MESSAGE);
        this.lastValue = this.ctx.regs.read(w[0]!);
        return void this.reply(op, undefined, 0, this.lastValue);
      }
      case Op.WRITE_REG: {
        if (data.length === 0 || data.length % 16 !== 0)
          return void this.reply(op, undefined, INVALID_MESSAGE);
        for (let i = 0; i + 3 < w.length; i += 4) {
          this.ctx.regs.write(w[i]!, w[i + 1]!, w[i + 2]!);
          if (w[i + 3]! > 0) await this.ctx.sleep(w[i + 3]! / 1000);
        }
        return void this.reply(op);
      }
      case Op.MEM_BEGIN: {
        if (data.length !== 16) return void this.reply(op, undefined, INVALID_MESSAGE);
        this.mem = { size: w[0]!, blockSize: w[2]!, addr: w[3]!, nextSeq: 0 };
        this.ram.set(w[3]!, Buffer.alloc(0));
        return void this.reply(op);
      }
      case Op.MEM_DATA: {
        const m = this.mem;
        const body = data.subarray(16);
        if (!m || data.length < 16 || w[0] !== body.length)
          return void this.reply(op, undefined, INVALID_MESSAGE);
        if (checksum(body) !== (req.checksum & 0xff)) return void this.reply(op, undefined, BAD_CHECKSUM);
        const prev = this.ram.get(m.addr) ?? Buffer.alloc(0);
        this.ram.set(m.addr, Buffer.concat([prev, body]));
        m.nextSeq++;
        return void this.reply(op);
      }
      case Op.MEM_END: {
        if (data.length !== 8) return void this.reply(op, undefined, INVALID_MESSAGE);
        this.reply(op);
        if (w[0] === 0) this.jumpTo(w[1]!);
        return;
      }
      case Op.FLASH_BEGIN:
        return this.flashBegin(op, data, w, false);
      case Op.FLASH_DEFL_BEGIN:
        if (!esp32) return this.unsupported();
        return this.flashBegin(op, data, w, true);
      case Op.FLASH_DATA:
      case Op.FLASH_DEFL_DATA:
        if (op === Op.FLASH_DEFL_DATA && !esp32) return this.unsupported();
        return this.flashData(op, data, req.checksum);
      case Op.FLASH_END:
      case Op.FLASH_DEFL_END: {
        if (op === Op.FLASH_DEFL_END && !esp32) return this.unsupported();
        this.session?.inflater?.close();
        this.session = undefined;
        this.reply(op);
        if (w[0] === 0) this.ctx.runFromFlash();
        return;
      }
      case Op.SPI_ATTACH:
      case Op.SPI_SET_PARAMS:
        if (!esp32) return this.unsupported();
        return void this.reply(op);
      case Op.CHANGE_BAUDRATE: {
        if (!esp32) return this.unsupported();
        if (data.length !== 8 || !w[0]) return void this.reply(op, undefined, INVALID_MESSAGE);
        this.reply(op);
        // The ESP32 ROM divides by its calibrated crystal estimate, not by the real 40 MHz (ChipFacts.romCal).
        const cal = this.facts.romCal;
        await this.ctx.changeBaud(cal ? (w[0]! * 40_000_000) / romCalibratedXtalHz(cal) : w[0]!, {
          romRecords: w[0]!,
        });
        return;
      }
      case Op.READ_FLASH_SLOW: {
        if (!esp32) return this.unsupported();
        const [offset = 0, len = 0] = w;
        if (len > 64 || !this.ctx.flash.inRange(offset, 64))
          return void this.reply(op, Buffer.alloc(64), 0x0a);
        await this.ctx.sleep(this.ctx.flash.readTimeMs(64));
        return void this.reply(op, this.ctx.flash.read(offset, 64));
      }
      case Op.SPI_FLASH_MD5: {
        if (!esp32) return this.unsupported();
        const [addr = 0, size = 0] = w;
        if (!this.ctx.flash.inRange(addr, size)) return void this.reply(op, undefined, 0x09);
        await this.ctx.sleep(this.ctx.flash.readTimeMs(size));
        return void this.reply(op, Buffer.from(this.ctx.flash.md5(addr, size).toString('hex'), 'ascii'));
      }
      case Op.GET_SECURITY_INFO: {
        if (!this.facts.romSecurityInfo) return this.unsupported();
        return void this.reply(op, securityInfo(this.facts.chipId));
      }
      default:
        return this.unsupported();
    }
  }

  /**
   * MEM_END with a jump: the chip runs what MEM_DATA loaded. The simulator cannot execute it; it recognises a
   * catalogued flasher stub by its entry, its text segment's SHA-256 at text_start and a data segment of the
   * catalogued length at data_start. Anything else is unknown code and the chip falls silent.
   */
  private jumpTo(entry: number): void {
    const loaded = (start: number, length: number) => {
      const seg = this.ram.get(start);
      return seg && seg.length >= length ? seg.subarray(0, length) : undefined;
    };
    const stub = findKnownStub(this.ctx.knownStubs, this.facts.chip, entry, (start, length) => {
      const seg = loaded(start, length);
      return seg && createHash('sha256').update(seg).digest('hex');
    });
    if (stub && (stub.dataLength === 0 || loaded(stub.dataStart, stub.dataLength))) {
      this.ctx.startStub(stub);
    } else {
      this.ctx.jumpToUnknownCode();
    }
  }

  private async flashBegin(op: number, data: Buffer, w: number[], deflate: boolean): Promise<void> {
    if (data.length !== this.facts.romBeginLen) return void this.reply(op, undefined, INVALID_MESSAGE);
    const [eraseSize = 0, , blockSize = 0, offset = 0] = w;
    const flash = this.ctx.flash;
    if (!flash.inRange(offset, 0) || blockSize === 0) return void this.reply(op, undefined, FAILED_TO_ACT);
    let ms = 0;
    if (this.facts.chip === 'esp8266') {
      const { firstSector, count } = esp8266RomEraseSectors(offset, eraseSize);
      ms = flash.eraseRange(
        firstSector * SECTOR,
        Math.min(count * SECTOR, flash.size - firstSector * SECTOR),
      );
    } else {
      ms = flash.eraseRange(offset, Math.min(eraseSize, flash.size - offset));
    }
    // The ROM erases inside FLASH_BEGIN and answers when done.
    await this.ctx.sleep(ms);
    this.session?.inflater?.close();
    this.session = {
      offset,
      blockSize,
      nextSeq: 0,
      written: 0,
      inflater: deflate ? new StreamingInflater() : undefined,
    };
    this.reply(op);
  }

  private async flashData(op: number, data: Buffer, chk: number): Promise<void> {
    const s = this.session;
    const body = data.subarray(16);
    const w = payloadWords(data.subarray(0, 16));
    if (!s || data.length < 16 || w[0] !== body.length)
      return void this.reply(op, undefined, INVALID_MESSAGE);
    if (checksum(body) !== (chk & 0xff)) return void this.reply(op, undefined, BAD_CHECKSUM);
    let bytes: Buffer = body;
    let at: number;
    if (s.inflater) {
      try {
        bytes = await this.ctx.track(s.inflater.push(body));
      } catch {
        return void this.reply(op, undefined, DEFLATE_ERR);
      }
      at = s.offset + s.written;
    } else {
      at = s.offset + w[1]! * s.blockSize;
    }
    s.written += bytes.length;
    if (this.ctx.faults().flashWriteError) {
      // The ROM verifies what it programmed and reports a flash write error (0x08, notes §2).
      return void this.reply(op, undefined, FLASH_WRITE_ERR);
    }
    const ms = this.ctx.flash.program(at, bytes);
    await this.ctx.sleep(ms);
    this.reply(op);
  }
}

/** GET_SECURITY_INFO, 20-byte form (notes §3): flags u32, flash_crypt_cnt u8, 7 key purposes, chip_id u32,
 *  api/eco version u32 [guess: 0]. Nothing secure is enabled on a simulated chip. */
export function securityInfo(chipId: number): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(chipId, 12);
  return b;
}
