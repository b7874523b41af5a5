/**
 * `sim:` port URLs, e.g. `sim:esp8266`, `sim:esp8266?fault=swap-txrx`, `sim:esp32?board=devkit&flash=8MB`,
 * `sim:esp8266?board=sonoff` (= no-auto-reset), `sim:esp32?fault=noise:0.02,drop-bytes`,
 * `sim:esp8266?bridge=ft232r&latency=16` (the USB path: usb-path.ts),
 * `sim:esp8266?board=sonoff&hands=hold@0.5,power@1,release@3` (virtual hands, hands.ts),
 * `sim:esp8266?app=tasmota` (a board that already runs a Tasmota-like console; `app=improv` an Improv responder),
 * `sim:esp8266?wiring=dout` (a flash that only answers DOUT reads: an ESP8285 or Sonoff, see flash-wiring.ts). Unknown chips,
 * boards, faults or options are refused (BAD_REQUEST) rather than ignored, so a typo cannot silently give a
 * healthy device.
 */
import { KilnError } from '../core/errors';
import { applyFaultName, FAULT_NAMES } from './faults';
import { parseHandScript, type TimedAction } from './hands';
import { parseMac } from './mac';
import { USB_BRIDGES } from '../serial/usb-bridges';
import { FLASH_WIRINGS, type FlashWiring } from './flash-wiring';
import { SIM_FIRMWARES, type SimFirmware } from './firmware-marker';
import type { BoardWiring, SimChip, SimFaults } from './types';
import { SIM_BRIDGES, UsbPath, type UsbPathOptions } from './usb-path';

export interface SimUrl {
  chip: SimChip;
  board?: BoardWiring;
  faults: SimFaults;
  flashSize?: number;
  mac?: string;
  seed?: number;
  flashWiring?: FlashWiring;
  usbPath?: UsbPathOptions;
  /** Virtual hands (hands.ts): the board has its own supply; the actions play from the first port open. */
  hands?: TimedAction[];
  /** The USB adapter between host and board, as 'vvvv:pppp' (`adapter=ch340`: a key of serial/usb-bridges.ts). */
  adapterUsbId?: string;
  firmware?: SimFirmware;
}

const CHIPS: Record<string, SimChip> = {
  esp8266: 'esp8266',
  esp32: 'esp32',
  esp32c3: 'esp32c3',
  'esp32-c3': 'esp32c3',
  esp32s3: 'esp32s3',
  'esp32-s3': 'esp32s3',
  esp32c6: 'esp32c6',
  'esp32-c6': 'esp32c6',
};

/** Board names people use, mapped to the wiring that matters. */
const BOARDS: Record<string, BoardWiring> = {
  nodemcu: 'nodemcu',
  devkit: 'nodemcu',
  'auto-reset': 'nodemcu',
  'no-auto-reset': 'no-auto-reset',
  sonoff: 'no-auto-reset',
  'sonoff-basic': 'no-auto-reset',
  'esp-01': 'no-auto-reset',
  esp01: 'no-auto-reset',
  'usb-jtag-serial': 'usb-jtag-serial',
  usb: 'usb-jtag-serial',
  'reset-only': 'reset-only',
};

function bad(message: string, hint: string): KilnError {
  return new KilnError('BAD_REQUEST', message, { hint });
}

export function parseFlashSize(v: string): number {
  const m = /^(\d+)\s*(k|kb|m|mb)?$/i.exec(v.trim());
  if (!m) throw bad(`"${v}" is not a flash size.`, 'Write it as bytes or with a unit: 4MB, 2M, 512K.');
  const unit = (m[2] ?? '').toLowerCase();
  const n = Number(m[1]) * (unit.startsWith('m') ? 1024 * 1024 : unit.startsWith('k') ? 1024 : 1);
  if (!Number.isInteger(Math.log2(n)) || n < 0x40000 || n > 0x10000000) {
    throw bad(
      `A flash of ${v} is not a size SPI flash comes in.`,
      'Use a power of two between 256KB and 256MB.',
    );
  }
  return n;
}

export function parseSimUrl(url: string): SimUrl {
  const m = /^sim:([^?]*)(?:\?(.*))?$/.exec(url.trim());
  if (!m)
    throw bad(
      `"${url}" is not a simulator URL.`,
      'Simulator ports look like sim:esp8266 or sim:esp32?fault=swap-txrx.',
    );
  const chip = CHIPS[m[1]!.toLowerCase()];
  if (!chip)
    throw bad(`The simulator has no chip "${m[1]}".`, `Use one of: ${Object.keys(CHIPS).join(', ')}.`);
  const out: SimUrl = { chip, faults: {} };
  const params = new URLSearchParams(m[2] ?? '');
  for (const [key, value] of params) {
    switch (key) {
      case 'fault':
      case 'faults':
        for (const item of value.split(',').filter(Boolean)) {
          const [name, argText] = item.split(':');
          const arg = argText === undefined ? undefined : Number(argText);
          if (arg !== undefined && !Number.isFinite(arg))
            throw bad(`"${item}" has no usable number.`, 'Write it as name:number, e.g. noise:0.02.');
          const r = applyFaultName(out.faults, name!, arg);
          if (!r.ok)
            throw bad(`The simulator has no fault "${name}".`, `Known faults: ${FAULT_NAMES.join(', ')}.`);
          if (r.board) out.board = r.board;
        }
        break;
      case 'board': {
        const board = BOARDS[value.toLowerCase()];
        if (!board)
          throw bad(
            `The simulator has no board "${value}".`,
            `Known boards: ${Object.keys(BOARDS).join(', ')}.`,
          );
        out.board = board;
        break;
      }
      case 'flash':
      case 'flashSize':
        out.flashSize = parseFlashSize(value);
        break;
      case 'mac':
        parseMac(value);
        out.mac = value.toLowerCase();
        break;
      case 'wiring':
      case 'flashWiring': {
        const wiring = FLASH_WIRINGS.find((w) => w === value.toLowerCase());
        if (!wiring)
          throw bad(
            `The simulator has no flash wiring "${value}".`,
            `Known wirings: ${FLASH_WIRINGS.join(', ')}.`,
          );
        out.flashWiring = wiring;
        break;
      }
      case 'bridge': {
        const bridge = SIM_BRIDGES.find((b) => b === value.toLowerCase());
        if (!bridge)
          throw bad(`The simulator has no bridge "${value}".`, `Known bridges: ${SIM_BRIDGES.join(', ')}.`);
        out.usbPath = { ...out.usbPath, bridge };
        break;
      }
      case 'latency':
        if (!/^\d+$/.test(value))
          throw bad(`latency "${value}" is not a whole number of ms.`, 'Use e.g. latency=16 or latency=1.');
        out.usbPath = { bridge: 'ft232r', ...out.usbPath, latencyMs: Number(value) };
        break;
      case 'hands':
        out.hands = parseHandScript(value);
        break;
      case 'adapter': {
        const bridge = USB_BRIDGES.find((b) => b.key === value.toLowerCase() && !b.nativeUsb);
        if (!bridge)
          throw bad(
            `The simulator has no adapter "${value}".`,
            `Known adapters: ${USB_BRIDGES.filter((b) => !b.nativeUsb)
              .map((b) => b.key)
              .join(', ')}.`,
          );
        out.adapterUsbId = `${bridge.vendorId}:${bridge.productIds[0]}`;
        break;
      }
      case 'app': {
        const firmware = SIM_FIRMWARES.find((f) => f === value.toLowerCase());
        if (!firmware)
          throw bad(
            `The simulator has no firmware "${value}".`,
            `Known firmware: ${SIM_FIRMWARES.join(', ')}.`,
          );
        out.firmware = firmware;
        break;
      }
      case 'seed':
        if (!/^\d+$/.test(value)) throw bad(`seed "${value}" is not a whole number.`, 'Use e.g. seed=7.');
        out.seed = Number(value);
        break;
      default:
        throw bad(
          `The simulator does not know the option "${key}".`,
          'Known options: app, fault, board, flash, mac, seed, wiring, bridge, latency, hands, adapter.',
        );
    }
  }
  // A bridge the latency does not fit (e.g. bridge=ch340&latency=1) is refused here, not at attach.
  if (out.usbPath) new UsbPath(out.usbPath);
  return out;
}
