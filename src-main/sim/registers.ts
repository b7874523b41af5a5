/**
 * The memory-mapped registers a host reads and writes through READ_REG/WRITE_REG: chip magic, eFuses (MAC,
 * revision), the UART clock divider, the SPI controller (flash id, SFDP), and on the ESP8266 the
 * memory-mapped flash window at 0x40200000 (first 1 MB), which a ROM-only host can use to read flash back.
 * Addresses: esptool target files (facts), cited per block. Registers not modelled read as what was last
 * written there, else 0 — a guess; real memory would hold something else.
 */
import type { ChipFacts } from './chip-facts';
import type { FlashMemory } from './flash-memory';
import { esp32MacWords, esp8266Efuse } from './mac';
import { SpiController } from './spi-flash';

const MAGIC_REG = 0x40001000;
const ESP8266_EFUSE = 0x3ff00050;
const ESP8266_FLASH_WINDOW = 0x40200000;
const ESP8266_FLASH_WINDOW_SIZE = 0x100000;
const ESP32_EFUSE = 0x3ff5a000;
/** Older esptool (v2.x) read the ESP32 eFuses through this alias (trace_esp32_mac_stub_upload_esptool570.txt). */
const ESP32_EFUSE_ALIAS = 0x6001a000;
const ESP32_RTCCALICFG1 = 0x3ff5f06c;

export class RegisterFile {
  private written = new Map<number, number>();
  private fixed = new Map<number, number>();
  readonly spi: SpiController;

  constructor(
    private readonly facts: ChipFacts,
    private readonly flash: FlashMemory,
    mac: number[],
    private readonly currentBaud: () => number,
  ) {
    this.spi = new SpiController(facts.spi, flash.size);
    this.fixed.set(MAGIC_REG, facts.magic);
    if (facts.chip === 'esp8266') {
      esp8266Efuse(mac).forEach((w, i) => this.fixed.set(ESP8266_EFUSE + 4 * i, w));
    } else if (facts.chip === 'esp32') {
      const [w1, w2] = esp32MacWords(mac);
      // Words 3 and 5 as a real ESP32 answered (trace_esp32_detect_magic_efuse_esptool921.txt: word 3 =
      // 0x0000A200; word 5's reply is cut after 0x..100000, the top byte taken as 0).
      const efuse = [0, w1, w2, 0x0000a200, 0x00000500 | (facts.romCal?.ck8m ?? 0), 0x00100000, 0];
      efuse.forEach((w, i) => {
        this.fixed.set(ESP32_EFUSE + 4 * i, w);
        this.fixed.set(ESP32_EFUSE_ALIAS + 4 * i, w);
      });
      // RTC calibration result the ROM's baud arithmetic uses (see ChipFacts.romCal).
      if (facts.romCal) this.fixed.set(ESP32_RTCCALICFG1, (facts.romCal.caliVal << 7) >>> 0);
    } else if (facts.efuseBlock1) {
      // Later chips' eFuse BLOCK1 (esptool targets/esp32c3.py, esp32s3.py, esp32c6.py read_mac): word 0 = MAC
      // bytes 2–5, word 1 low 16 bits = MAC bytes 0–1; further words (revision, package) from ChipFacts.
      const { base, words } = facts.efuseBlock1;
      this.fixed.set(base, ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0);
      this.fixed.set(base + 4, (mac[0]! << 8) | mac[1]!);
      for (const [i, w] of Object.entries(words)) this.fixed.set(base + 4 * Number(i), w >>> 0);
    }
  }

  read(addr: number): number {
    addr >>>= 0;
    if (addr === this.facts.clkdivReg) {
      // The divider the ROM programmed for the baud it runs at now (autobauded or changed).
      return Math.round(this.facts.uartClockHz / this.currentBaud()) & 0xfffff;
    }
    if (this.spi.owns(addr)) return this.spi.read(addr);
    if (
      this.facts.chip === 'esp8266' &&
      addr >= ESP8266_FLASH_WINDOW &&
      addr < ESP8266_FLASH_WINDOW + ESP8266_FLASH_WINDOW_SIZE
    ) {
      const off = (addr - ESP8266_FLASH_WINDOW) & ~3;
      return off + 4 <= this.flash.size ? this.flash.readUInt32LE(off) : 0xffffffff;
    }
    const w = this.written.get(addr);
    if (w !== undefined) return w;
    return this.fixed.get(addr) ?? 0;
  }

  /** WRITE_REG semantics: value is masked into the old contents. */
  write(addr: number, value: number, mask = 0xffffffff): void {
    addr >>>= 0;
    const merged = ((this.read(addr) & ~mask) | (value & mask)) >>> 0;
    if (this.spi.owns(addr)) this.spi.write(addr, merged);
    else this.written.set(addr, merged);
  }
}
