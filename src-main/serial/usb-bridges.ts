/**
 * The one table of USB-serial bridges Kiln knows: which chip sits behind a VID:PID, which Linux driver binds it,
 * what its tty node is called, how fast it runs reliably and what tends to go wrong with it. Discovery, the
 * service (default and fallback baud), the doctor (driver missing, brltty) and the udev rule all read this table.
 *
 * Speeds are deliberately conservative: the figure is the highest rate we expect to work on a typical board and
 * cable, not the datasheet maximum (see failure-diagnosis.md §C). Native USB ports ignore the baud rate; for them
 * a nominal 921600 is used because the ROM still expects a CHANGE_BAUDRATE value.
 */
import type { TransportInfo } from './transport';

export type BridgeDriver = 'cp210x' | 'ch341' | 'cdc_acm' | 'ftdi_sio' | 'pl2303';

export interface UsbBridge {
  /** Stable key, e.g. 'ch340'. */
  readonly key: string;
  /** What a person calls the chip: 'CH340', 'CP210x', 'FT232R'. */
  readonly chip: string;
  /** Lower-case hex, 4 digits. */
  readonly vendorId: string;
  readonly productIds: readonly string[];
  /** Linux kernel driver that binds the USB interface. */
  readonly driver: BridgeDriver;
  readonly node: 'ttyUSB' | 'ttyACM';
  /** Highest baud we trust on this bridge; null for native USB, where the rate is not on the wire. */
  readonly maxReliableBaud: number | null;
  /** Rates to step down through after data errors, highest first, all below maxReliableBaud. */
  readonly fallbackBauds: readonly number[];
  /** True when the ESP chip itself is the USB device (no separate bridge chip). */
  readonly nativeUsb: boolean;
  /** How reset reaches the chip through this bridge. */
  readonly lines: TransportInfo['lines'];
  /** Things worth telling a person when something fails on this bridge. */
  readonly quirks: readonly string[];
}

/** The rate esptool and Kiln use for sync: every ROM autobauds here, so it is the floor of every fallback. */
export const SAFE_BAUD = 115200;
/** Rate used for native USB ports (not on the wire) and for ports whose bridge is unknown but fast enough. */
export const NOMINAL_NATIVE_BAUD = 921600;
/**
 * Above 921600, for bridges whose datasheet rate is well beyond it (FT232R/FT2232, CH343): 2 Mbaud, exact on
 * both ends (see the rows). Not for the CP2102N (3 Mbaud): it shares 10c4:ea60 with the CP2102 (1 Mbaud), and
 * only its USB product string tells them apart, which this table does not read.
 */
const ABOVE_921600 = 2000000;
/** Rate for a port whose bridge is not in the table: esptool's default flashing rate. */
export const UNKNOWN_BRIDGE_BAUD = 460800;

const BRLTTY =
  'On Ubuntu 22.04 and derivatives brltty may claim the adapter: the port appears and vanishes within a second. Kiln\u2019s doctor detects this and offers to disable brltty.';
const MODEM_MANAGER =
  'ModemManager may probe a new ttyACM port with AT commands for a few seconds after plug-in.';
const AUTOSUSPEND =
  'USB autosuspend can stop data from a native-USB port after about 2 s of idle; a udev rule setting power/control=on fixes it.';
const RENUMBERING = 'After a reset the port may come back under another ttyACM number.';
const FTDI_LATENCY =
  'The FTDI latency timer defaults to 16 ms (sysfs latency_timer), which slows the many small replies of flashing; low-latency mode sets 1 ms.';
const FTDI_POWER =
  'The FT232R 3V3 output is too weak to power an ESP; power the board from a 3.3 V supply of 300 mA or more.';

export const USB_BRIDGES: readonly UsbBridge[] = [
  {
    key: 'cp210x',
    chip: 'CP210x',
    vendorId: '10c4',
    // ea60: CP2102/CP2104/CP2102N/CP2109; ea63: the Windows-update PID; 80a9: listed as CP210x by PlatformIO's udev rules.
    productIds: ['ea60', 'ea63', '80a9'],
    driver: 'cp210x',
    node: 'ttyUSB',
    maxReliableBaud: 921600,
    fallbackBauds: [460800, 230400, 115200],
    nativeUsb: false,
    lines: 'uart',
    quirks: [
      'CP2101/2102/2103 quantise baud rates to a fixed table: 74880 becomes 76800 (+2.6%), so the ESP8266 boot log may look garbled.',
      BRLTTY,
    ],
  },
  {
    key: 'cp2105',
    chip: 'CP2105',
    vendorId: '10c4',
    productIds: ['ea70'],
    driver: 'cp210x',
    node: 'ttyUSB',
    maxReliableBaud: 921600,
    fallbackBauds: [460800, 230400, 115200],
    nativeUsb: false,
    lines: 'uart',
    quirks: ['Dual UART: two ttyUSB ports appear; only one is wired to the ESP.'],
  },
  {
    key: 'cp2108',
    chip: 'CP2108',
    vendorId: '10c4',
    productIds: ['ea71'],
    driver: 'cp210x',
    node: 'ttyUSB',
    maxReliableBaud: 921600,
    fallbackBauds: [460800, 230400, 115200],
    nativeUsb: false,
    lines: 'uart',
    quirks: ['Quad UART: four ttyUSB ports appear; only one is wired to the ESP.'],
  },
  {
    key: 'ch340',
    chip: 'CH340',
    vendorId: '1a86',
    productIds: ['7523'],
    driver: 'ch341',
    node: 'ttyUSB',
    maxReliableBaud: 921600,
    fallbackBauds: [460800, 230400, 115200],
    nativeUsb: false,
    lines: 'uart',
    quirks: [
      BRLTTY,
      'Linux 5.10.58 / 5.13.10 and later (ch341 bulk_in_size change) broke auto-reset for some ESP8266 boards: "Timed out waiting for packet header".',
      'Clone CH340s may give data errors at 921600; Kiln steps down to 460800, 230400, then 115200.',
    ],
  },
  {
    key: 'ch9102',
    chip: 'CH9102',
    vendorId: '1a86',
    productIds: ['55d4'],
    driver: 'cdc_acm',
    node: 'ttyACM',
    maxReliableBaud: 921600,
    fallbackBauds: [460800, 230400, 115200],
    nativeUsb: false,
    lines: 'uart',
    quirks: [
      'Binds cdc_acm and appears as ttyACM, not ttyUSB.',
      MODEM_MANAGER,
      'macOS needs the WCH driver for reliable operation.',
    ],
  },
  {
    key: 'ch343',
    chip: 'CH343',
    vendorId: '1a86',
    productIds: ['55d3'],
    driver: 'cdc_acm',
    node: 'ttyACM',
    // CH343 datasheet: up to 6 Mbaud. 2 Mbaud is also exact on the ESP side (80 MHz UART clock ÷ 40), where
    // 3 Mbaud is not (÷ 26.7): the fastest rate both ends make exactly.
    maxReliableBaud: ABOVE_921600,
    fallbackBauds: [1500000, 921600, 460800, 230400, 115200],
    nativeUsb: false,
    lines: 'uart',
    quirks: ['Binds cdc_acm and appears as ttyACM, not ttyUSB.', MODEM_MANAGER],
  },
  // DS_FT232R: 3 Mbaud; DS_FT2232H: 12 Mbaud (the older FT2232D, same PID: 3 Mbaud). 2 Mbaud = 3 MHz ÷ 1.5, exact on
  // the bridge, and 80 MHz ÷ 40 on the ESP.
  ftdi('ft232r', 'FT232R', '6001', ABOVE_921600, [FTDI_LATENCY, FTDI_POWER, BRLTTY]),
  ftdi('ft2232', 'FT2232', '6010', ABOVE_921600, [
    FTDI_LATENCY,
    'Dual channel: the first port is often JTAG, the second the UART.',
  ]),
  ftdi('ft4232', 'FT4232', '6011', 921600, [FTDI_LATENCY, 'Quad channel: four ttyUSB ports appear.']),
  ftdi('ft232h', 'FT232H', '6014', 3000000, [FTDI_LATENCY]),
  ftdi('ftx', 'FT-X (FT231X/FT230X)', '6015', 921600, [FTDI_LATENCY]),
  {
    key: 'pl2303',
    chip: 'PL2303',
    vendorId: '067b',
    // 2303: PL2303 HX/TA and clones; 23a3..23f3: PL2303GC/GB/GT/GL/GE/GS.
    productIds: ['2303', '23a3', '23b3', '23c3', '23d3', '23e3', '23f3'],
    driver: 'pl2303',
    node: 'ttyUSB',
    maxReliableBaud: 460800,
    fallbackBauds: [230400, 115200],
    nativeUsb: false,
    lines: 'uart',
    quirks: [
      'Cloned PL2303 HX chips only manage 115200; the Linux driver detects clones, the Windows driver refuses them.',
    ],
  },
  {
    key: 'esp-usb-jtag-serial',
    chip: 'Espressif USB-Serial/JTAG',
    vendorId: '303a',
    productIds: ['1001'],
    driver: 'cdc_acm',
    node: 'ttyACM',
    maxReliableBaud: null,
    fallbackBauds: [],
    nativeUsb: true,
    lines: 'usb-jtag-serial',
    quirks: [
      'Built into ESP32-C3/S3/C6/H2: reset uses the USB-Serial/JTAG sequence, and its core reset does not re-sample the boot pins, so finish with a watchdog reset.',
      RENUMBERING,
      AUTOSUSPEND,
      MODEM_MANAGER,
    ],
  },
  {
    key: 'esp32s2-usb',
    chip: 'ESP32-S2 native USB',
    vendorId: '303a',
    productIds: ['0002'],
    driver: 'cdc_acm',
    node: 'ttyACM',
    maxReliableBaud: null,
    fallbackBauds: [],
    nativeUsb: true,
    lines: 'uart',
    quirks: [RENUMBERING, AUTOSUSPEND, MODEM_MANAGER],
  },
  {
    key: 'esp32s3-usb-otg',
    chip: 'ESP32-S3 ROM USB-OTG',
    vendorId: '303a',
    productIds: ['0009'],
    driver: 'cdc_acm',
    node: 'ttyACM',
    maxReliableBaud: null,
    fallbackBauds: [],
    nativeUsb: true,
    lines: 'uart',
    quirks: [RENUMBERING, AUTOSUSPEND, MODEM_MANAGER],
  },
];

function ftdi(key: string, chip: string, pid: string, maxBaud: number, quirks: string[]): UsbBridge {
  const below = [1500000, 921600, 460800, 230400, 115200].filter((b) => b < maxBaud);
  return {
    key,
    chip,
    vendorId: '0403',
    productIds: [pid],
    driver: 'ftdi_sio',
    node: 'ttyUSB',
    maxReliableBaud: maxBaud,
    fallbackBauds: below,
    nativeUsb: false,
    lines: 'uart',
    quirks,
  };
}

function normaliseHexId(id: string | number): string {
  const s = typeof id === 'number' ? id.toString(16) : id.trim().toLowerCase().replace(/^0x/, '');
  return s.padStart(4, '0');
}

/** Looks a VID:PID up (hex strings in any case, with or without 0x, or numbers). */
export function bridgeFor(
  vendorId: string | number | undefined,
  productId: string | number | undefined,
): UsbBridge | undefined {
  if (vendorId === undefined || productId === undefined || vendorId === '' || productId === '')
    return undefined;
  const vid = normaliseHexId(vendorId);
  const pid = normaliseHexId(productId);
  return USB_BRIDGES.find((b) => b.vendorId === vid && b.productIds.includes(pid));
}

/** Parses 'vvvv:pppp' (as in TransportInfo.usbId) and looks it up. */
export function bridgeForUsbId(usbId: string | undefined): UsbBridge | undefined {
  const m = usbId?.match(/^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})$/);
  return m ? bridgeFor(m[1], m[2]) : undefined;
}

/** The flashing baud to start with on this bridge. */
export function defaultBaudFor(bridge: UsbBridge | undefined): number {
  if (!bridge) return UNKNOWN_BRIDGE_BAUD;
  return bridge.maxReliableBaud ?? NOMINAL_NATIVE_BAUD;
}

/**
 * The rates to try after data errors at `current`, highest first, ending at the 115200 floor. Empty for native
 * USB (the rate is not on the wire, so lowering it cannot help) and at or below the floor.
 */
export function fallbackBauds(bridge: UsbBridge | undefined, current: number): number[] {
  if (bridge?.nativeUsb) return [];
  // The bridge's own maximum heads the ladder, so a user-chosen rate above it first drops to the trusted one.
  const ladder = bridge
    ? [bridge.maxReliableBaud ?? NOMINAL_NATIVE_BAUD, ...bridge.fallbackBauds]
    : [UNKNOWN_BRIDGE_BAUD, 230400, SAFE_BAUD];
  const lower = ladder.filter((b) => b < current);
  if (current > SAFE_BAUD && !lower.includes(SAFE_BAUD)) lower.push(SAFE_BAUD);
  return lower;
}
