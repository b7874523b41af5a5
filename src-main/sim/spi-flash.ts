/**
 * The SPI controller as esptool drives it through READ_REG/WRITE_REG to talk to the flash chip directly
 * (protocol notes §3 "Flash ID", esptool loader.py run_spiflash_command, read for facts): the host saves
 * USR/USR2, sets USR flags, writes USR2 = (7 << 28) | opcode, optionally ADDR (address in the top 24 bits),
 * clears W0, sets CMD bit 18 (USR), polls until that bit clears, reads W0, restores USR/USR2.
 *
 * Commands answered: RDID 0x9F (JEDEC id, capacity byte matching the flash size), RDSFDP 0x5A (a minimal
 * JESD216 table whose density matches), RDSR/RDSR2/RDSR3 (0), reset-enable 0x66 / reset 0x99 (esptool v5
 * sends them; no effect on contents), write-enable/disable (accepted). Anything else leaves W0 at 0.
 */
import type { SpiRegs } from './chip-facts';

const CMD_USR = 1 << 18;

/** JEDEC capacity byte: 2^n bytes for 0x12…0x19 (256 KB…32 MB, notes §3). */
export function capacityByte(flashSize: number): number {
  const n = Math.round(Math.log2(flashSize));
  if (n >= 18 && n <= 25) return n;
  if (n === 26) return 0x20; // 64 MB
  if (n === 27) return 0x21;
  if (n === 28) return 0x22;
  return 0x16;
}

/** Winbond W25Qxx-style id: manufacturer 0xEF, memory type 0x40, capacity (e.g. 4 MB → 0x1640EF). */
export function jedecId(flashSize: number): number {
  return (capacityByte(flashSize) << 16) | (0x40 << 8) | 0xef;
}

/** A minimal SFDP area: header ("SFDP", rev 1.6, 1 parameter header) and a 9-dword basic flash table. */
export function sfdpTable(flashSize: number): Buffer {
  const t = Buffer.alloc(0x100, 0xff);
  t.write('SFDP', 0, 'latin1');
  t[4] = 6; // minor revision
  t[5] = 1; // major revision
  t[6] = 0; // number of parameter headers - 1
  t[7] = 0xff; // access protocol
  // Parameter header 0: JEDEC basic flash parameter table, rev 1.6, 9 dwords at 0x30.
  t.set([0x00, 0x06, 0x01, 0x09, 0x30, 0x00, 0x00, 0xff], 8);
  const bfpt = Buffer.alloc(36, 0xff);
  bfpt.writeUInt32LE(0xfff120e5, 0); // 4 KB erase supported, opcode 0x20, 3-byte addressing
  bfpt.writeUInt32LE(flashSize * 8 - 1, 4); // density in bits - 1
  t.set(bfpt, 0x30);
  return t;
}

export class SpiController {
  private regs = new Map<number, number>();
  private readonly sfdp: Buffer;

  constructor(
    private readonly r: SpiRegs,
    private readonly flashSize: number,
  ) {
    this.sfdp = sfdpTable(flashSize);
    if (r.usrResetValue !== undefined) this.regs.set(r.base + r.usr, r.usrResetValue);
  }

  owns(addr: number): boolean {
    return addr >= this.r.base && addr < this.r.base + 0x100;
  }

  read(addr: number): number {
    return this.regs.get(addr) ?? 0;
  }

  write(addr: number, value: number): void {
    this.regs.set(addr, value >>> 0);
    if (addr === this.r.base && (value & CMD_USR) !== 0) {
      this.execute();
      // The controller clears the USR bit when the transaction is done; we are done at once.
      this.regs.set(addr, (value & ~CMD_USR) >>> 0);
    }
  }

  private execute(): void {
    const opcode = this.read(this.r.base + this.r.usr2) & 0xff;
    const w0 = this.r.base + this.r.w0;
    switch (opcode) {
      case 0x9f:
        this.regs.set(w0, jedecId(this.flashSize));
        break;
      case 0x5a: {
        // ADDR holds the 24-bit address in its top bits (esptool SPI_ADDR_REG_MSB).
        const address = (this.read(this.r.base + 0x04) >>> 8) & 0xffffff;
        const word = Buffer.alloc(4, 0xff);
        for (let i = 0; i < 4; i++) if (address + i < this.sfdp.length) word[i] = this.sfdp[address + i]!;
        this.regs.set(w0, word.readUInt32LE(0));
        break;
      }
      case 0x05:
      case 0x35:
      case 0x15:
        this.regs.set(w0, 0);
        break;
      default:
        // 0x66/0x99 (reset), 0x06/0x04 (write enable/disable), 0x01 (WRSR): accepted, nothing to read.
        break;
    }
  }
}
