/**
 * Which chip answered, and its particulars (protocol notes §3). GET_SECURITY_INFO first (the 20-byte form
 * names the chip on S3 and later; S2 answers the 12-byte form), then the magic register at 0x40001000 for
 * ROMs without it. Revision, package and features follow the eFuse layouts of the public esptool targets
 * for ESP8266, ESP32 and ESP32-C3; other chips get MAC and crystal only. Crystal from the UART divider.
 */
import { KilnError } from '../../core/errors';
import { Op, readStatus } from '../link/protocol';
import {
  CHIP_DETECT_MAGIC_REG,
  CHIP_RECORDS,
  chipByMagic,
  chipBySecurityId,
  type ChipRecord,
} from './records';
import { CHIP_IDENTITIES } from './table';
import { isFatalLinkError } from '../link/errors';
import type { EspLink } from '../link/link';

export interface ChipFacts {
  record: ChipRecord;
  description: string;
  revision: string;
  features: string[];
  mac: string;
  crystalMHz: number;
}

function hex32(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

export async function identifyChip(link: EspLink): Promise<ChipRecord> {
  const fromSecurity = await chipFromSecurityInfo(link);
  if (fromSecurity) return fromSecurity;
  const magic = await link.readReg(CHIP_DETECT_MAGIC_REG);
  const rec = chipByMagic(magic);
  if (!rec) {
    // A register that never changes, read twice: two different values mean the line garbled a reply.
    const again = await link.readReg(CHIP_DETECT_MAGIC_REG);
    if (again !== magic) {
      throw new KilnError(
        'PROTOCOL_ERROR',
        'The chip gave two different identities in a row: its replies are being corrupted on the line.',
        {
          hint: 'The serial link is unreliable. Try a lower baud rate, a shorter USB cable, or another adapter.',
          details: { magic: hex32(magic), magicAgain: hex32(again) },
        },
      );
    }
    throw new KilnError(
      'CHIP_UNKNOWN',
      `The chip identified itself with magic value 0x${magic.toString(16).padStart(8, '0')}, which Kiln does not know.`,
      {
        hint: 'This may be a newer ESP chip than this Kiln supports; check for an update.',
        details: { magic: hex32(magic) },
      },
    );
  }
  return rec;
}

async function chipFromSecurityInfo(link: EspLink): Promise<ChipRecord | undefined> {
  try {
    const resp = await link.exchange(Op.GET_SECURITY_INFO);
    const d = resp.data;
    if (d.length >= 22 && readStatus(d, 20).ok) {
      const chipId = d.readUInt32LE(12);
      return chipBySecurityId(chipId);
    }
    if (d.length >= 14 && readStatus(d, 12).ok) return CHIP_RECORDS.esp32s2;
    // A failure status: the ROM may repeat it; let the copies pass before the next command.
    await link.flushAfterRejection();
    return undefined;
  } catch (e) {
    // ESP8266 and ESP32 ROMs do not know the command; any failure but a lost port or a cancel means "ask the magic".
    if (isFatalLinkError(e)) throw e;
    return undefined;
  }
}

export async function readChipFacts(link: EspLink, record: ChipRecord): Promise<ChipFacts> {
  // eFuse words never change: the MAC and the particulars read the same ones, so each is asked once.
  const once = new Map<number, Promise<number>>();
  const reader: RegReader = {
    readReg(addr) {
      let v = once.get(addr);
      if (!v) once.set(addr, (v = link.readReg(addr)));
      return v;
    },
    get transport() {
      return link.transport;
    },
  };
  const base = { record, mac: await readMac(reader, record), crystalMHz: await readCrystal(reader, record) };
  switch (record.name) {
    case 'esp8266':
      return { ...base, ...(await esp8266Particulars(reader)) };
    case 'esp32':
      return { ...base, ...(await esp32Particulars(link)) };
    case 'esp32c3':
      return { ...base, ...(await esp32c3Particulars(link, record)) };
    default: {
      const name = CHIP_IDENTITIES[record.name].displayName;
      return { ...base, description: name, revision: 'unknown', features: [] };
    }
  }
}

export function formatMac(bytes: number[]): string {
  return bytes.map((b) => (b & 0xff).toString(16).padStart(2, '0')).join(':');
}

/** What reading chip facts needs of a link: registers, and the baud (the crystal estimate). */
type RegReader = Pick<EspLink, 'readReg' | 'transport'>;

export async function readMac(link: RegReader, record: ChipRecord): Promise<string> {
  if (record.name === 'esp8266') {
    const w0 = await link.readReg(0x3ff00050);
    const w1 = await link.readReg(0x3ff00054);
    const w3 = await link.readReg(0x3ff0005c);
    let oui: number[];
    if (w3 !== 0) oui = [(w3 >>> 16) & 0xff, (w3 >>> 8) & 0xff, w3 & 0xff];
    else if (((w1 >>> 16) & 0xff) === 0) oui = [0x18, 0xfe, 0x34];
    else if (((w1 >>> 16) & 0xff) === 1) oui = [0xac, 0xd0, 0x74];
    else return 'unknown';
    return formatMac([...oui, (w1 >>> 8) & 0xff, w1 & 0xff, (w0 >>> 24) & 0xff]);
  }
  if (record.name === 'esp32') {
    // eFuse words 1 and 2 hold the MAC with a CRC byte pair on top: bytes 2..7 of big-endian (word2, word1).
    const w1 = await link.readReg(record.macEfuse);
    const w2 = await link.readReg(record.macEfuse + 4);
    const b = Buffer.alloc(8);
    b.writeUInt32BE(w2, 0);
    b.writeUInt32BE(w1, 4);
    return formatMac([...b.subarray(2, 8)]);
  }
  // Newer chips: two words at the MAC eFuse, the second holding the top 16 bits.
  const mac0 = await link.readReg(record.macEfuse);
  const mac1 = await link.readReg(record.macEfuse + 4);
  const b = Buffer.alloc(8);
  b.writeUInt32BE(mac1, 0);
  b.writeUInt32BE(mac0, 4);
  return formatMac([...b.subarray(2, 8)]);
}

export async function readCrystal(link: RegReader, record: ChipRecord): Promise<number> {
  if (record.fixedCrystalMHz !== undefined) return record.fixedCrystalMHz;
  const div = (await link.readReg(record.uartClkdiv)) & 0xfffff;
  return normaliseCrystal((link.transport.baudRate * div) / 1e6 / record.xtalClkDivider);
}

export function normaliseCrystal(estimate: number): number {
  if (estimate > 45) return 48;
  if (estimate > 33) return 40;
  return 26;
}

type Particulars = Pick<ChipFacts, 'description' | 'revision' | 'features'>;

async function esp8266Particulars(link: RegReader): Promise<Particulars> {
  const w = [0x3ff00050, 0x3ff00054, 0x3ff00058, 0x3ff0005c];
  const [e0, , e2, e3] = await seq(w.map((a) => () => link.readReg(a)));
  const bit = (word: number, n: number) => ((word >>> n) & 1) === 1;
  // ESP8285 = ESP8266 with embedded flash: one of two eFuse bits is set (bit 4 of word 0, bit 16 of word 2).
  const is8285 = bit(e0!, 4) || bit(e2!, 16);
  let description = 'ESP8266EX';
  if (is8285) {
    const r0_4 = bit(e0!, 4);
    const r3_25 = bit(e3!, 25);
    const r3_26 = bit(e3!, 26);
    const r3_27 = bit(e3!, 27);
    let flashMb = -1;
    if (r0_4 && !r3_25 && !r3_27) flashMb = r3_26 ? 2 : 1;
    if (!r0_4 && r3_25 && !r3_27) flashMb = r3_26 ? 4 : 2;
    const hot = bit(e0!, 5);
    description =
      flashMb === 1
        ? hot
          ? 'ESP8285H08'
          : 'ESP8285N08'
        : flashMb === 2
          ? hot
            ? 'ESP8285H16'
            : 'ESP8285N16'
          : 'ESP8285';
  }
  const features = ['Wi-Fi', '160MHz', ...(is8285 ? ['Embedded Flash'] : [])];
  return { description, revision: 'n/a', features };
}

const ESP32_APB_CTL_DATE = 0x3ff6607c;

async function esp32Particulars(link: EspLink): Promise<Particulars> {
  const efuse = (n: number) => link.readReg(0x3ff5a000 + 4 * n);
  const w3 = await efuse(3);
  const w4 = await efuse(4);
  const w5 = await efuse(5);
  const w6 = await efuse(6);
  const apbDate = await link.readReg(ESP32_APB_CTL_DATE);
  const pkg = ((w3 >>> 9) & 7) + (((w3 >>> 2) & 1) << 3);
  const combined = (((apbDate >>> 31) & 1) << 2) | (((w5 >>> 20) & 1) << 1) | ((w3 >>> 15) & 1);
  const major = ({ 0: 0, 1: 1, 3: 2, 7: 3 } as Record<number, number>)[combined] ?? 0;
  const minor = (w5 >>> 24) & 3;
  const rev3 = major === 3;
  const singleCore = (w3 & 1) === 1;
  const names: Record<number, string> = {
    0: singleCore ? 'ESP32-S0WDQ6' : rev3 ? 'ESP32-D0WDQ6-V3' : 'ESP32-D0WDQ6',
    1: singleCore ? 'ESP32-S0WD' : rev3 ? 'ESP32-D0WD-V3' : 'ESP32-D0WD',
    2: 'ESP32-D2WD',
    4: 'ESP32-U4WDH',
    5: rev3 ? 'ESP32-PICO-V3' : 'ESP32-PICO-D4',
    6: 'ESP32-PICO-V3-02',
    7: 'ESP32-D0WDR2-V3',
  };
  const revision = `v${major}.${minor}`;
  const features = ['Wi-Fi'];
  if ((w3 & 2) === 0) features.push('BT');
  features.push(singleCore ? 'Single Core' : 'Dual Core');
  if (w3 & (1 << 13)) features.push(w3 & (1 << 12) ? '160MHz' : '240MHz');
  if ([2, 4, 5, 6].includes(pkg)) features.push('Embedded Flash');
  if (pkg === 6) features.push('Embedded PSRAM');
  if ((w4 >>> 8) & 0x1f) features.push('Vref calibration in eFuse');
  if ((w3 >>> 14) & 1) features.push('BLK3 partially reserved');
  features.push(
    `Coding Scheme ${['None', '3/4', 'Repeat (unsupported)', 'None (may contain encoding data)'][w6 & 3]}`,
  );
  return { description: `${names[pkg] ?? 'Unknown ESP32'} (revision ${revision})`, revision, features };
}

async function esp32c3Particulars(link: EspLink, record: ChipRecord): Promise<Particulars> {
  const block1 = (n: number) => link.readReg(record.efuseBase + 4 * n);
  const w3 = await block1(3);
  const w4 = await block1(4);
  const w5 = await block1(5);
  const pkg = (w3 >>> 21) & 7;
  const minor = (((w5 >>> 23) & 1) << 3) + ((w3 >>> 18) & 7);
  const major = (w5 >>> 24) & 3;
  const names: Record<number, string> = {
    0: 'ESP32-C3 (QFN32)',
    1: 'ESP8685 (QFN28)',
    2: 'ESP32-C3 AZ (QFN32)',
    3: 'ESP8686 (QFN24)',
  };
  const revision = `v${major}.${minor}`;
  const features = ['Wi-Fi', 'BT 5 (LE)', 'Single Core', '160MHz'];
  const cap = (w3 >>> 27) & 7;
  const flash: Record<number, string> = {
    1: 'Embedded Flash 4MB',
    2: 'Embedded Flash 2MB',
    3: 'Embedded Flash 1MB',
    4: 'Embedded Flash 8MB',
  };
  if (cap !== 0) {
    const vendor =
      ({ 1: 'XMC', 2: 'GD', 3: 'FM', 4: 'TT', 5: 'ZBIT' } as Record<number, string>)[w4 & 7] ?? '';
    features.push(`${flash[cap] ?? 'Unknown Embedded Flash'}${vendor ? ` (${vendor})` : ''}`);
  }
  return { description: `${names[pkg] ?? 'Unknown ESP32-C3'} (revision ${revision})`, revision, features };
}

async function seq<T>(fns: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  for (const f of fns) out.push(await f());
  return out;
}
