/**
 * The flasher stubs' behaviour (protocol notes §2, §4, §6), which the chip runs after the host uploads a
 * catalogued stub (stub-catalogue.ts) and MEM_END jumps to its entry. Written from esp-flasher-stub; where
 * esptool's legacy stub differs, the family's StubBehaviour row decides (stub-families.ts):
 * - greets with one `OHAI` frame (trace_esp8266_stub_ohai_readflash_esptool620.txt);
 * - 2 status bytes; failures are [code, 0] with code ≥ 0xC0; the value field is 0 except for READ_REG;
 * - SYNC answered 8 times with value 0, so a host can tell a stub is already running;
 * - FLASH_DATA / FLASH_DEFL_DATA are acknowledged after the length/checksum checks and *before* the write; a
 *   write error is deferred (to the next command, or to the flash session: StubBehaviour.deferredError);
 * - lazy erase: FLASH_BEGIN takes the exact size; sectors (or aligned 64 KB blocks) are erased while writing
 *   (esp-flasher-stub skips already-blank sectors until the first non-blank one);
 * - FLASH_DEFL_* inflate with zlib, streaming across blocks; FLASH_END(0) reboots only the legacy stub;
 * - SPI_FLASH_MD5 → 16 raw bytes; READ_FLASH streams packets (esp-flasher-stub one in flight, legacy up to the
 *   host's max_in_flight), each acked by the host's cumulative count, then a final 16-byte MD5 frame;
 * - CHANGE_BAUDRATE (new, old) is answered at the old baud, then the UART switches.
 */
import { Op, SYNC_PAYLOAD, checksum, decodeRequest, encodeResponse } from '../esp/link/protocol';
import { BLOCK, SECTOR } from './flash-memory';
import { StreamingInflater } from './inflater';
import { payloadWords, type Loader, type LoaderContext } from './loader-context';
import { securityInfo } from './rom';
import type { StubBehaviour } from './stub-families';
import { STUB_TIMING } from './stub-timing';

export const STUB_GREETING = Buffer.from('OHAI', 'ascii');
const BAD_DATA_LEN = 0xc0;
const BAD_DATA_CHECKSUM = 0xc1;
const BAD_BLOCKSIZE = 0xc2;
const FAILED_SPI_OP = 0xc4;
const NOT_IN_FLASH_MODE = 0xc6;
const INFLATE_ERROR = 0xc7;
const NOT_ENOUGH_DATA = 0xc8;
const TOO_MUCH_DATA = 0xc9;
const MAX_BLOCK = 0x4000;
/**
 * Both stubs receive into two frame buffers: one being handled, one being filled (esp-flasher-stub
 * src/frame_buffer.c s_buffers[2], "cannot happen under the lock-step + single early-ack protocol" in
 * src/transport.c; legacy stub_flasher.c uart_buf_t buf_a/buf_b, "read into one buffer while handling data from
 * the other one"). So past the early ack only one DATA block can be in flight: the host may send block N+1 once
 * N is acknowledged, not earlier.
 */
const RX_FRAME_BUFFERS = 2;
/** Both stubs read flash through a one-sector buffer, so a READ_FLASH packet is at most 4 KB. */
const MAX_READ_PACKET = SECTOR;

interface WriteSession {
  offset: number;
  /** Exact byte count announced by FLASH_BEGIN (uncompressed size for deflate). */
  size: number;
  written: number;
  inflater?: StreamingInflater;
  /** Lazy erase: everything below this address in the region is erased. */
  erasedTo: number;
  eraseEnd: number;
  skippingBlank: boolean;
  /** Legacy stub: the session's write error, reported on every later FLASH_DATA and at FLASH_END. */
  lastError: number;
}

interface ReadSession {
  offset: number;
  remaining: number;
  packet: number;
  maxInFlight: number;
  acked: number;
  sent: number;
  md5: Buffer;
}

export class StubLoader implements Loader {
  private pendingError = 0;
  private session: WriteSession | undefined;
  private reading: ReadSession | undefined;

  constructor(
    private readonly ctx: LoaderContext,
    readonly behaviour: StubBehaviour,
  ) {}

  private reply(op: number, result: Uint8Array = Buffer.alloc(0), code = 0, value = 0): number {
    return this.ctx.sendFrame(encodeResponse(op, value, Buffer.concat([result, Buffer.from([code, 0])])));
  }

  rxBuffers() {
    // During READ_FLASH the stubs poll for the host's acks themselves (legacy handle_flash_read; esp-flasher-stub's
    // READ_FLASH post-process), so acks never queue up as commands.
    if (this.reading) return undefined;
    return { count: RX_FRAME_BUFFERS, overrun: this.behaviour.rxOverrun };
  }

  async handle(frame: Buffer): Promise<void> {
    if (this.reading) return this.readAck(frame);
    const req = decodeRequest(frame);
    if (!req) return;
    const { op, data } = req;
    if (this.pendingError) {
      // The deferred error of the previous DATA command answers this one, which is not executed.
      const code = this.pendingError;
      this.pendingError = 0;
      return void this.reply(op, undefined, code);
    }
    const w = payloadWords(data);
    const flash = this.ctx.flash;
    switch (op) {
      case Op.SYNC:
        if (!data.equals(SYNC_PAYLOAD)) return void this.reply(op, undefined, BAD_DATA_LEN);
        for (let i = 0; i < 8; i++) this.reply(op);
        return;
      case Op.READ_REG:
        return void this.reply(op, undefined, 0, this.ctx.regs.read(w[0] ?? 0));
      case Op.WRITE_REG:
        for (let i = 0; i + 3 < w.length; i += 4) {
          this.ctx.regs.write(w[i]!, w[i + 1]!, w[i + 2]!);
          if (w[i + 3]! > 0) await this.ctx.sleep(w[i + 3]! / 1000);
        }
        return void this.reply(op);
      case Op.MEM_BEGIN:
      case Op.MEM_DATA:
      case Op.SPI_ATTACH:
      case Op.SPI_SET_PARAMS:
        return void this.reply(op);
      case Op.MEM_END:
        this.reply(op);
        if (w[0] === 0) this.ctx.jumpToUnknownCode();
        return;
      case Op.FLASH_BEGIN:
      case Op.FLASH_DEFL_BEGIN: {
        const [size = 0, , blockSize = 0, offset = 0] = w;
        if (data.length < 16) return void this.reply(op, undefined, BAD_DATA_LEN);
        if (blockSize > MAX_BLOCK) return void this.reply(op, undefined, BAD_BLOCKSIZE);
        if (!flash.inRange(offset, size)) return void this.reply(op, undefined, FAILED_SPI_OP);
        this.session?.inflater?.close();
        this.session = {
          offset,
          size,
          written: 0,
          inflater: op === Op.FLASH_DEFL_BEGIN ? new StreamingInflater() : undefined,
          erasedTo: offset - (offset % SECTOR),
          eraseEnd: Math.ceil((offset + size) / SECTOR) * SECTOR,
          skippingBlank: this.behaviour.skipsBlankSectors,
          lastError: 0,
        };
        return void this.reply(op);
      }
      case Op.FLASH_DATA:
      case Op.FLASH_DEFL_DATA:
        return this.flashData(op, data, req.checksum);
      case Op.FLASH_END:
      case Op.FLASH_DEFL_END: {
        const s = this.session;
        if (!s) return void this.reply(op, undefined, NOT_IN_FLASH_MODE);
        if (s.written < s.size) return void this.reply(op, undefined, NOT_ENOUGH_DATA);
        this.session = undefined;
        s.inflater?.close();
        this.reply(op, undefined, s.lastError);
        if (this.behaviour.rebootsOnFlashEnd && w[0] === 0 && !s.lastError) this.ctx.runFromFlash();
        return;
      }
      case Op.ERASE_FLASH:
        await this.ctx.sleep(flash.eraseChip());
        return void this.reply(op);
      case Op.ERASE_REGION: {
        const [offset = 0, size = 0] = w;
        const unaligned = this.behaviour.eraseRegionUnaligned;
        if (offset % SECTOR) return void this.reply(op, undefined, unaligned.address);
        if (size % SECTOR) return void this.reply(op, undefined, unaligned.length);
        if (!flash.inRange(offset, size)) return void this.reply(op, undefined, FAILED_SPI_OP);
        await this.ctx.sleep(flash.eraseRange(offset, size));
        return void this.reply(op);
      }
      case Op.SPI_FLASH_MD5: {
        const [addr = 0, size = 0] = w;
        if (!flash.inRange(addr, size)) return void this.reply(op, undefined, FAILED_SPI_OP);
        await this.ctx.sleep(flash.readTimeMs(size, STUB_TIMING[this.ctx.facts.chip].hashMsPerKB));
        return void this.reply(op, flash.md5(addr, size));
      }
      case Op.READ_FLASH: {
        const [offset = 0, len = 0, packet = 0x1000, inFlight = 1] = w;
        if (!flash.inRange(offset, len) || packet === 0) return void this.reply(op, undefined, FAILED_SPI_OP);
        if (packet > MAX_READ_PACKET && this.behaviour.oversizedReadPacket === 'refused')
          return void this.reply(op, undefined, BAD_DATA_LEN);
        this.reply(op);
        if (packet > MAX_READ_PACKET) return;
        const maxInFlight = this.behaviour.honoursMaxInFlight ? Math.max(1, inFlight) : 1;
        const md5 = flash.md5(offset, len);
        this.reading = { offset, remaining: len, packet, maxInFlight, acked: 0, sent: 0, md5 };
        return this.sendPackets();
      }
      case Op.CHANGE_BAUDRATE:
        if (data.length !== 8 || !w[0]) return void this.reply(op, undefined, BAD_DATA_LEN);
        this.reply(op);
        await this.ctx.changeBaud(w[0]!);
        return;
      case Op.GET_SECURITY_INFO:
        if (this.ctx.facts.chipId === 0)
          return void this.reply(op, undefined, this.behaviour.securityInfoOnOldChips);
        return void this.reply(op, securityInfo(this.ctx.facts.chipId));
      case Op.RUN_USER_CODE:
        // No reply in either family.
        if (this.behaviour.runUserCodeBoots) this.ctx.runFromFlash();
        return;
      default:
        return void this.reply(op, undefined, this.behaviour.unknownCommandCode);
    }
  }

  private async flashData(op: number, data: Buffer, chk: number): Promise<void> {
    const s = this.session;
    const body = data.subarray(16);
    const len = data.length >= 4 ? data.readUInt32LE(0) : -1;
    if (!s) return void this.reply(op, undefined, NOT_IN_FLASH_MODE);
    if (data.length < 16 || len !== body.length) return void this.reply(op, undefined, BAD_DATA_LEN);
    if (body.length > MAX_BLOCK) return void this.reply(op, undefined, BAD_BLOCKSIZE);
    if (checksum(body) !== (chk & 0xff)) return void this.reply(op, undefined, BAD_DATA_CHECKSUM);
    // Legacy: the session's earlier error answers this DATA, which is then dropped.
    if (s.lastError) return void this.reply(op, undefined, s.lastError);
    // The checks above take the chip time before the ack; the write follows the ack.
    const timing = STUB_TIMING[this.ctx.facts.chip];
    await this.ctx.sleep((body.length / 1024) * timing.checkMsPerKB);
    this.reply(op);
    let bytes: Buffer = body;
    let inflateMs = 0;
    if (s.inflater) {
      try {
        bytes = await this.ctx.track(s.inflater.push(body));
      } catch {
        return this.defer(s, INFLATE_ERROR);
      }
      inflateMs = (bytes.length / 1024) * timing.inflateMsPerKB;
    } else if (s.written + bytes.length > s.size) {
      // Uncompressed blocks are padded with 0xFF to the block size; only the announced size is written.
      bytes = bytes.subarray(0, Math.max(0, s.size - s.written));
    }
    if (s.written + bytes.length > s.size) return this.defer(s, TOO_MUCH_DATA);
    const at = s.offset + s.written;
    s.written += bytes.length;
    let ms = inflateMs + this.lazyErase(s, at + bytes.length);
    if (this.ctx.faults().flashWriteError) {
      await this.ctx.sleep(ms);
      return this.defer(s, FAILED_SPI_OP);
    }
    ms += this.ctx.flash.program(at, bytes);
    await this.ctx.sleep(ms);
  }

  /** Keeps a write error for later, where the family reports it (StubBehaviour.deferredError). */
  private defer(s: WriteSession, code: number): void {
    if (this.behaviour.deferredError === 'flash-session') s.lastError ||= code;
    else this.pendingError = code;
  }

  /** Erases ahead of the write position, up to `until` (rounded up to a sector), returning the time taken. */
  private lazyErase(s: WriteSession, until: number): number {
    const flash = this.ctx.flash;
    let ms = 0;
    const target = Math.min(s.eraseEnd, Math.ceil(until / SECTOR) * SECTOR);
    while (s.erasedTo < target) {
      const a = s.erasedTo;
      if (s.skippingBlank) {
        if (flash.isBlank(a, SECTOR)) {
          s.erasedTo += SECTOR;
          continue;
        }
        s.skippingBlank = false;
      }
      if (a % BLOCK === 0 && a + BLOCK <= s.eraseEnd) {
        ms += flash.eraseBlock(a);
        s.erasedTo += BLOCK;
      } else {
        ms += flash.eraseSector(a);
        s.erasedTo += SECTOR;
      }
    }
    return ms;
  }

  /** Sends packets while fewer than maxInFlight are unacknowledged; the MD5 once everything is acked. */
  private async sendPackets(): Promise<void> {
    const r = this.reading!;
    while (r.remaining > 0 && (r.sent - r.acked) / r.packet < r.maxInFlight) {
      const n = Math.min(r.packet, r.remaining);
      await this.ctx.sleep(this.ctx.flash.readTimeMs(n, STUB_TIMING[this.ctx.facts.chip].hashMsPerKB));
      if (this.reading !== r) return;
      this.ctx.sendFrame(this.ctx.flash.read(r.offset + r.sent, n));
      r.sent += n;
      r.remaining -= n;
    }
    if (r.remaining === 0 && r.acked >= r.sent) {
      this.reading = undefined;
      this.ctx.sendFrame(r.md5);
    }
  }

  /** During READ_FLASH every host frame is an ack: the cumulative number of bytes received (u32). */
  private async readAck(frame: Buffer): Promise<void> {
    const r = this.reading!;
    if (frame.length < 4) return;
    const count = frame.readUInt32LE(0);
    if (count > r.acked) r.acked = count;
    await this.sendPackets();
  }
}
