/**
 * One simulated board: chip (ROM + stub behaviour, registers, flash), its reset wiring, and the serial line
 * to the host. It waits only through the Clock it is given, so on a VirtualClock a whole flash at 115200 baud
 * is modelled to the millisecond in little wall time.
 */
import type { Clock } from '../core/clock';
import { KilnError } from '../core/errors';
import { SlipDecoder, slipEncode } from '../esp/link/slip';
import type { DeviceEnd } from '../serial/memory-pair';
import type { Signals } from '../serial/transport';
import { bootScript, esp32FlashLayout, type BootSegment, type ResetCause } from './boot-text';
import { CHIP_IDENTITIES } from '../esp/chips/table';
import { CHIP_FACTS, type ChipFacts } from './chip-facts';
import { FlashMemory } from './flash-memory';
import type { FirmwareConsole } from './firmware-console';
import { firmwareIn, markerAppImage, type SimFirmware } from './firmware-marker';
import { FIRMWARE_BAUD, startFirmware } from './firmware-start';
import { flashServesMode } from './flash-wiring';
import { LineModel, type RxChunk } from './line';
import type { Loader, LoaderContext } from './loader-context';
import { formatMac, simMac } from './mac';
import { RegisterFile } from './registers';
import { Rng } from './rng';
import { RomLoader } from './rom';
import { SHARED_SIM_NETWORK } from './sim-network';
import { ResetCircuit } from './reset-circuit';
import { STUB_GREETING, StubLoader } from './stub';
import { STUB_CATALOGUE } from './stub-catalogue';
import { STUB_BEHAVIOUR } from './stub-families';
import { measureSync } from './rom-autobaud';
import { UsbPath } from './usb-path';
import type { BoardWiring, DeviceMode, SimFaults, SimOptions } from './types';

/**
 * Time from MEM_END's reply to the stub's OHAI. The only observation: ~54 ms between the two reads in
 * trace_esp8266_stub_ohai_readflash_esptool620.txt (legacy stub, Windows host latency included) — so 50 ms,
 * a [guess] for esp-flasher-stub.
 */
const STUB_START_MS = 50;
/**
 * A stub that reprograms the UART at start (stub-catalogue.ts `uartAtStart`) waits 5 ms before and 5 ms after
 * writing the divider (esp-stub-lib src/target/esp32/src/uart.c `stub_target_uart_rominit_set_baudrate`). Both
 * fall inside STUB_START_MS: the divider changes 5 ms before the OHAI, the rest of the 50 ms [guess] stands for
 * the first 5 ms, the clock raise and the flash init.
 */
const STUB_UART_SETTLE_MS = 5;
/**
 * The ROM's `UartDev.baud_rate` after a boot into download mode: 115200 ([guess], the ROM's UART init value;
 * esp-flasher-stub src/main.c falls back to the same: "ROM download mode defaults to 115200 baud"). Whether it
 * changes later is SimOptions.romRecordsChangedBaud.
 */
const ROM_RECORDED_BAUD_AT_BOOT = 115200;
/** [guess] Effective rate of the C3's USB-Serial/JTAG (full-speed USB CDC), as "baud" for the line model. */
const USB_SERIAL_JTAG_BAUD = 4_000_000;
/** Thrown inside a loader's wait when the chip was reset meanwhile; the loader just stops. */
class ChipReset extends Error {}

export class SimulatedDevice {
  readonly mac: string;
  readonly flashMemory: FlashMemory;
  private readonly facts: ChipFacts;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly macBytes: number[];
  private readonly regs: RegisterFile;
  private readonly board: BoardWiring;
  private readonly usbPath: UsbPath | undefined;
  private faults: SimFaults;
  private circuit: ResetCircuit;
  private end: DeviceEnd | undefined;
  private line: LineModel | undefined;
  private unsubscribe: (() => void)[] = [];
  private loader: Loader | undefined;
  private decoder: SlipDecoder;
  private work: Promise<void> = Promise.resolve();
  /** Frames received and not yet finished by the loader (the one being handled included). */
  private held = 0;
  /** The last frame received and not yet picked up by the loader: what a legacy-stub overrun replaces. */
  private waiting: { frame: Buffer } | undefined;
  private epoch = 0;
  private bootTimers = new Set<() => void>();
  private currentMode: DeviceMode = 'off';
  private autobaud = false;
  /** 0x55 bytes at the end of what arrived so far: a SYNC's run may be split across chunks (a pty hands them over 4 KB or less at a time). */
  private autobaudRun = 0;
  /** The rate the ROM's detection locked onto since the last boot. */
  private lockedBaud: number | undefined;
  /** The ROM is still printing its boot banner: it starts listening (and switching its UART) only afterwards. */
  private bannerPlaying = false;
  /** The ROM's `UartDev.baud_rate`, what an esp-flasher-stub ≥ v1.1.0 sets the UART to at start on the ESP32. */
  private romRecordedBaud = ROM_RECORDED_BAUD_AT_BOOT;
  /**
   * Boards with virtual hands (sim/hands.ts) have their own supply: undefined = power comes with the port (the
   * board is re-plugged on every open, the model before hands); true/false = the supply switch the hands work.
   */
  private handPower: boolean | undefined;
  /** The GPIO0 button as the hands hold it. */
  private buttonPressed = false;
  /** The flashed firmware's console while it runs (firmware-marker.ts), and its settings kept "in flash". */
  private firmware: FirmwareConsole | undefined;
  private readonly firmwareSettings = new Map<string, string>();
  private readonly idleStats = { hostToDeviceBytes: 0, deviceToHostBytes: 0 };

  constructor(private readonly o: SimOptions) {
    this.facts = CHIP_FACTS[o.chip];
    this.clock = o.clock;
    const seed = o.seed ?? 1;
    this.rng = new Rng(seed);
    this.macBytes = simMac(o.chip, seed, o.mac);
    this.mac = formatMac(this.macBytes);
    const size = o.flashSize ?? 4 * 1024 * 1024;
    if (!Number.isInteger(Math.log2(size)) || size < 0x40000) {
      throw new KilnError('BAD_REQUEST', `A flash of ${size} bytes is not a size SPI flash comes in.`, {
        hint: 'Use a power of two from 256 KB (262144) up, e.g. 4194304 for 4 MB.',
      });
    }
    this.flashMemory = new FlashMemory(size, o.timing);
    if (o.flashImage) this.flashMemory.load(0, o.flashImage.subarray(0, size));
    else if (o.firmware) this.preloadFirmware(markerAppImage(o.firmware));
    this.faults = { ...(o.faults ?? {}) };
    this.flashMemory.slowFactor = this.faults.slowFlashFactor ?? 1;
    this.board = o.board ?? 'nodemcu';
    this.usbPath = o.usbPath ? new UsbPath(o.usbPath) : undefined;
    this.circuit = this.makeCircuit();
    this.regs = new RegisterFile(
      this.facts,
      this.flashMemory,
      this.macBytes,
      () => this.line?.deviceBaud ?? this.facts.bootBaud,
    );
    this.decoder = new SlipDecoder({ frame: (f) => this.enqueue(f) });
    if (o.poweredByHand) {
      // Powered since it was wired up, before any port opened: it runs its firmware and nobody heard the banner.
      this.handPower = true;
      this.boot(!!o.buttonHeld, 'power-on');
    }
  }

  /** The flash contents (live view). */
  get flash(): Buffer {
    return this.flashMemory.data;
  }

  get mode(): DeviceMode {
    return this.currentMode;
  }

  get stats(): { hostToDeviceBytes: number; deviceToHostBytes: number } {
    return this.line ? { ...this.line.stats } : { ...this.idleStats };
  }

  /** The app-running fault means the reset circuit is missing (lines do nothing). */
  private effectiveWiring(): BoardWiring {
    return this.faults.appRunning ? 'no-auto-reset' : this.board;
  }

  private makeCircuit(): ResetCircuit {
    return new ResetCircuit(this.effectiveWiring(), {
      hold: () => this.powerDown('off'),
      boot: (download, cause) => this.boot(download, cause),
    });
  }

  /**
   * Connects the board to a host port and applies power (unless the unpowered fault is set).
   * `hostBaudKnown: false` is for transports that do not carry the host's baud (TCP, a pty): the host is then
   * taken to always match the chip — no garbling — while bytes are still paced at the chip's baud.
   */
  attach(end: DeviceEnd, opts: { hostBaudKnown?: boolean } = {}): void {
    if (this.end) this.detach();
    this.end = end;
    const initialBaud = this.board === 'usb-jtag-serial' ? USB_SERIAL_JTAG_BAUD : this.facts.bootBaud;
    this.line = new LineModel(
      this.clock,
      end,
      this.rng,
      () => this.faults,
      (c) => this.onRx(c),
      initialBaud,
    );
    if (this.board === 'usb-jtag-serial' || opts.hostBaudKnown === false) this.line.hostBaudKnown = false;
    this.line.usb = this.usbPath;
    this.unsubscribe = [
      end.onHostData((chunk) => this.line?.fromHost(chunk)),
      end.onSignals((s) => {
        if (!this.faults.unpowered) this.circuit.onSignals(s);
      }),
      end.onHostClose(() => this.stopBootTimers()),
    ];
    // A board with its own supply is already running: opening the port does not boot it.
    if (this.handPower === undefined) this.powerOn(undefined);
  }

  detach(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    if (this.handPower === undefined) this.powerDown('off');
    if (this.line) Object.assign(this.idleStats, this.line.stats);
    this.line?.close();
    this.line = undefined;
    this.end = undefined;
  }

  get currentFaults(): SimFaults {
    return { ...this.faults };
  }

  /** The hands' GPIO0 button (sim/hands.ts): read by the strap at the next power-up or RESET. */
  setButton(pressed: boolean): void {
    this.buttonPressed = pressed;
  }

  /** The hands' supply switch; only for boards made with `poweredByHand`. */
  setPower(on: boolean): void {
    if (this.handPower === undefined || this.handPower === on) return;
    this.handPower = on;
    if (on) this.powerOn(undefined);
    else {
      this.powerDown('off');
      this.line?.reset();
    }
  }

  /** The RESET button (EN to ground and back): the chip re-samples its straps, rst cause 2. */
  pressReset(): void {
    if (this.handPower === false || this.faults.unpowered) return;
    if (this.handPower === undefined && !this.end) return;
    this.boot(this.buttonPressed, 'reset-pin');
  }

  setFaults(f: SimFaults): void {
    const wasUnpowered = !!this.faults.unpowered;
    const wasApp = !!this.faults.appRunning;
    this.faults = { ...f };
    this.flashMemory.slowFactor = this.faults.slowFlashFactor ?? 1;
    if (wasApp !== !!this.faults.appRunning) this.circuit = this.makeCircuit();
    if (!this.end) return;
    if (this.faults.unpowered && !wasUnpowered) this.powerDown('off');
    else if (!this.faults.unpowered && wasUnpowered) this.powerOn(undefined);
  }

  /** Removes and re-applies power; `buttonHeld` holds GPIO0 low while power comes up. */
  powerCycle(o: { buttonHeld?: boolean } = {}): void {
    this.powerDown('off');
    this.line?.reset();
    this.powerOn(o.buttonHeld);
  }

  private powerOn(buttonHeld: boolean | undefined): void {
    if (this.faults.unpowered || this.handPower === false) return;
    if (!this.end && this.handPower === undefined) return;
    const signals: Signals = this.end?.hostSignals ?? { dtr: false, rts: false };
    this.circuit.resync(signals);
    if (this.circuit.heldInReset) return this.powerDown('off');
    // The button (GPIO0 low) at power-up; the app-running fault models a board nobody holds it on.
    const held = buttonHeld ?? (this.buttonPressed || (!!this.o.buttonHeld && !this.faults.appRunning));
    this.boot(held || this.circuit.io0LowAtPowerUp(signals), 'power-on');
  }

  private powerDown(mode: DeviceMode): void {
    this.epoch++;
    this.stopBootTimers();
    this.loader = undefined;
    this.autobaud = false;
    this.firmware = undefined;
    this.decoder.reset();
    this.work = Promise.resolve();
    this.held = 0;
    this.waiting = undefined;
    this.currentMode = mode;
  }

  private stopBootTimers(): void {
    for (const c of this.bootTimers) c();
    this.bootTimers.clear();
  }

  /**
   * Where the ROM looks for the first image it boots: 0x0 on the ESP8266, C3, S3, C6; 0x1000 on the ESP32 (and S2),
   * where the second-stage bootloader lives (esptool's chip classes, BOOTLOADER_FLASH_OFFSET; the chip record).
   */
  private get bootImageOffset(): number {
    return CHIP_IDENTITIES[this.o.chip].bootloaderOffset;
  }

  private hasApp(): boolean {
    const first = this.flashMemory.byteAt(this.bootImageOffset);
    return first === 0xe9 || first === 0xea;
  }

  /**
   * A board that already holds firmware (the `app=` option, the app-running fault): a minimal image header where
   * the ROM boots from, and on the ESP32 a partition-table magic at 0x8000, since such a board holds every part.
   */
  private preloadFirmware(image: Uint8Array): void {
    this.flashMemory.load(this.bootImageOffset, image);
    if (this.o.chip === 'esp32') this.flashMemory.load(0x8000, Uint8Array.of(0xaa, 0x50));
  }

  private boot(download: boolean, cause: ResetCause): void {
    this.powerDown('off');
    // A hand-powered board boots with the port closed too; what it prints then is lost, as on a real bench.
    if (!this.line && this.handPower === undefined) return;
    if (this.faults.appRunning && !this.hasApp()) {
      // The app-running fault needs an app in flash: a minimal image header stands for the firmware.
      this.preloadFirmware(Uint8Array.of(0xe9, 0x01, 0x02, 0x20, 0x00, 0x10, 0x10, 0x40));
    }
    const esp32Flash = this.o.chip === 'esp32' ? esp32FlashLayout(this.flashMemory) : undefined;
    // An ESP32 bootloader without a partition table resets before any app starts (boot-text.ts).
    const startsApp = this.hasApp() && !(esp32Flash?.bootloader && !esp32Flash.partitionTable);
    const script = bootScript({
      chip: this.o.chip,
      download: download && !this.faults.brownout,
      cause,
      hasApp: this.hasApp(),
      headerModeReadable: flashServesMode(this.o.flashWiring ?? 'qio', this.flashMemory.byteAt(2)),
      brownout: !!this.faults.brownout,
      mac: this.macBytes,
      esp32Flash,
    });
    this.currentMode = script.listens
      ? 'download'
      : startsApp && !this.faults.brownout
        ? 'app'
        : 'flash-boot';
    const line = this.line;
    if (this.board !== 'usb-jtag-serial' && line) line.deviceBaud = this.facts.bootBaud;
    this.romRecordedBaud = ROM_RECORDED_BAUD_AT_BOOT;
    let bannerDone = () => {};
    this.lockedBaud = undefined;
    this.bannerPlaying = false;
    if (script.listens) {
      this.autobaud = this.board !== 'usb-jtag-serial';
      this.autobaudRun = 0;
      this.bannerPlaying = true;
      this.loader = new RomLoader(this.loaderContext(this.epoch));
      // The ROM prints its banner and only then runs the download loop: what the host sent meanwhile waits in
      // the UART and is answered after the banner (trace_esp32_boot_banner_during_sync_esptool489.txt shows the
      // banner arriving first and the SYNC replies after it). That nothing is lost is a [guess]; the UART FIFO
      // is 128 bytes, about two SYNC frames.
      this.work = new Promise<void>((resolve) => (bannerDone = resolve));
    }
    const epoch = this.epoch;
    const play = (segments: BootSegment[], startDelay: number, then?: () => void) => {
      let at = startDelay;
      if (segments.length === 0) then?.();
      segments.forEach((seg, i) => {
        at += seg.afterMs;
        this.timer(at, () => {
          if (this.epoch !== epoch) return;
          // Only a port open at the boot hears it (a port opened since re-plugs the board, or, hand-powered, missed it).
          if (!line || line !== this.line) return;
          // Text the ROM prints after its detection locked goes at the locked rate, banner text at its own.
          if (this.board !== 'usb-jtag-serial' && (this.lockedBaud === undefined || this.bannerPlaying))
            line.deviceBaud = seg.baud;
          line.toHost(Buffer.from(seg.text, 'latin1'));
          if (i === segments.length - 1) then?.();
        });
      });
    };
    const firmware = this.currentMode === 'app' ? firmwareIn(this.flashMemory) : undefined;
    if (firmware) {
      // A marked image plays its own console after the ROM's (and on the ESP8266 the eboot's) first text.
      play(script.segments.slice(0, 1), 0, () => this.startFirmware(firmware, epoch));
      return;
    }
    const loop = script.loop;
    const repeat = () => {
      if (!loop || !this.end?.hostOpen) return;
      play(loop.segments, loop.everyMs, repeat);
    };
    play(script.segments, 0, () => {
      // A SYNC that came during the banner was measured as it arrived, but the ROM switches its UART to that
      // rate only when its download loop starts, after the banner (the banner would otherwise undo the lock).
      this.bannerPlaying = false;
      if (this.lockedBaud !== undefined && this.board !== 'usb-jtag-serial' && line === this.line && line)
        line.deviceBaud = this.lockedBaud;
      bannerDone();
      repeat();
    });
  }

  private startFirmware(kind: SimFirmware, epoch: number): void {
    const line = this.line;
    if (!line || this.epoch !== epoch) return;
    if (this.board !== 'usb-jtag-serial') line.deviceBaud = FIRMWARE_BAUD;
    const alive = () => this.epoch === epoch;
    this.firmware = startFirmware(kind, {
      clock: this.clock,
      chip: this.o.chip,
      mac: this.mac,
      macBytes: this.macBytes,
      network: this.o.network ?? SHARED_SIM_NETWORK,
      settings: this.firmwareSettings,
      send: (bytes) => {
        if (alive()) this.line?.toHost(bytes);
      },
      later: (ms, fn) =>
        this.timer(ms, () => {
          if (alive()) fn();
        }),
      restart: () => {
        // [guess] A software restart re-runs the ROM as a reset does (ESP8266: "rst cause:2").
        if (alive()) this.boot(false, 'reset-pin');
      },
    });
  }

  private timer(ms: number, fn: () => void): void {
    const cancel = this.clock.setTimer(ms, () => {
      this.bootTimers.delete(cancel);
      fn();
    });
    this.bootTimers.add(cancel);
  }

  private onRx(c: RxChunk): void {
    if (this.firmware) {
      // Bytes at the wrong baud are garbage to the firmware's UART too.
      if (!c.garbled) this.firmware.receive(c.bytes);
      return;
    }
    if (!this.loader) return;
    if (this.autobaud && this.line && this.end) {
      // Host baud not observable on the line (TCP, pty): the end's nominal rate (a pty reads the host's termios).
      // The ROM's detector watches the bit stream, not the host's chunks: the run goes on across them.
      const sent =
        this.autobaudRun > 0 ? Buffer.concat([Buffer.alloc(this.autobaudRun, 0x55), c.sent]) : c.sent;
      this.autobaudRun = trailingRun(sent, 0x55);
      const measured = measureSync({
        chip: this.o.chip,
        sent,
        hostBaud: this.line.hostBaudKnown ? c.senderBaud : this.end.hostBaudRate,
        maxBaud: this.faults.autobaudMaxBaud,
        highBaudSync: this.o.highBaudSync,
      });
      if (measured.kind === 'failed') {
        // Nothing locks, detection stays armed, and what arrived is what a UART at the wrong baud makes of it.
        if (c.garbled) return;
      } else if (measured.kind === 'locked') {
        // Detection shuts down once the rate is found (rom-autobaud.ts).
        this.autobaud = false;
        this.lockedBaud = measured.baud;
        if (this.board !== 'usb-jtag-serial' && !this.bannerPlaying) this.line.deviceBaud = measured.baud;
        if (this.o.romRecordsChangedBaud) this.romRecordedBaud = measured.baud;
        // The garbled chunk itself is lost, so the first SYNC after a baud mismatch goes unanswered (both ESP8266
        // traces in fixtures/real-world show the first SYNC timing out and the second answered).
        if (c.garbled) return;
      }
    }
    this.decoder.push(c.bytes);
  }

  private enqueue(frame: Buffer): void {
    const loader = this.loader;
    if (!loader) return;
    const buffers = loader.rxBuffers?.();
    if (buffers && this.held >= buffers.count) {
      // Both receive buffers taken (stub.ts RX_FRAME_BUFFERS): the frame is lost, or takes the waiting one's place.
      if (buffers.overrun === 'replaces-waiting' && this.waiting) this.waiting.frame = frame;
      return;
    }
    const epoch = this.epoch;
    const slot = { frame };
    this.held++;
    this.waiting = slot;
    this.work = this.work.then(() => {
      if (this.waiting === slot) this.waiting = undefined;
      return loader
        .handle(slot.frame)
        .catch((e) => {
          // A reset mid-command just ends it. Anything else is a simulator bug: surface it without wedging the
          // command queue (a rejected chain would silently drop every later frame).
          if (!(e instanceof ChipReset))
            queueMicrotask(() => {
              throw e;
            });
        })
        .finally(() => {
          if (this.epoch === epoch) this.held--;
        });
    });
  }

  private loaderContext(epoch: number): LoaderContext {
    const alive = () => this.epoch === epoch;
    return {
      facts: this.facts,
      flash: this.flashMemory,
      regs: this.regs,
      knownStubs: this.o.extraStubs ? [...STUB_CATALOGUE, ...this.o.extraStubs] : STUB_CATALOGUE,
      clock: this.clock,
      faults: () => this.faults,
      sendFrame: (payload) =>
        alive() && this.line ? this.line.toHost(slipEncode(payload)) : this.clock.now(),
      changeBaud: async (baud, o) => {
        const line = this.line;
        if (!line || !alive()) throw new ChipReset();
        await this.clock.sleep(Math.max(0, line.txIdleAt - this.clock.now()));
        if (!alive()) throw new ChipReset();
        // Over USB-Serial/JTAG the "baud" is meaningless; the request is accepted and nothing changes.
        if (this.board !== 'usb-jtag-serial') line.deviceBaud = baud;
        this.autobaud = false;
        if (o?.romRecords !== undefined && this.o.romRecordsChangedBaud) this.romRecordedBaud = o.romRecords;
      },
      startStub: (stub) => {
        const stubEpoch = this.epoch;
        const live = () => this.epoch === stubEpoch;
        this.loader = undefined;
        this.autobaud = false;
        const greet = () => {
          if (!live()) return;
          this.currentMode = 'stub';
          this.decoder.reset();
          this.loader = new StubLoader(this.loaderContext(stubEpoch), STUB_BEHAVIOUR[stub.family]);
          this.line?.toHost(slipEncode(STUB_GREETING));
        };
        if (stub.uartAtStart !== 'rom-recorded-baud') return this.timer(STUB_START_MS, greet);
        // The divider for the ROM's recorded rate, written once the transmitter is idle, 5 ms before the OHAI.
        this.timer(STUB_START_MS - STUB_UART_SETTLE_MS, () => {
          const line = this.line;
          if (!live() || !line) return;
          this.timer(Math.max(0, line.txIdleAt - this.clock.now()), () => {
            if (!live()) return;
            if (this.board !== 'usb-jtag-serial') line.deviceBaud = this.romRecordedBaud;
            this.timer(STUB_UART_SETTLE_MS, greet);
          });
        });
      },
      runFromFlash: () => {
        // FLASH_END(0) / RUN_USER_CODE: the chip boots what is in flash, without re-sampling the straps.
        this.timer(0, () => {
          if (this.epoch === epoch) this.boot(false, 'reset-pin');
        });
      },
      jumpToUnknownCode: () => {
        this.loader = undefined;
        this.currentMode = 'app';
      },
      sleep: async (ms) => {
        if (ms > 0) await this.clock.sleep(ms);
        if (!alive()) throw new ChipReset();
      },
      track: (p) => this.clock.track(p),
    };
  }
}

/** How many bytes at the end of `buf` equal `value`. */
function trailingRun(buf: Buffer, value: number): number {
  let n = 0;
  while (n < buf.length && buf[buf.length - 1 - n] === value) n++;
  return n;
}
