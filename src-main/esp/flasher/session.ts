/**
 * A connected chip (EspSessionApi): connect → detect → stub → baud → flash id, then flash/read/erase on request,
 * finish with a reset, and close — which always closes the Transport. Every phase honours the session's and the
 * operation's AbortSignal (→ CANCELLED); a vanished port surfaces as DEVICE_LOST from whatever was waiting.
 */
import { KilnError, cancelled } from '../../core/errors';
import { realClock } from '../../core/clock';
import type { Transport } from '../../serial/transport';
import { Op, words } from '../link/protocol';
import { EspLink, isUnsupported } from '../link/link';
import { identifyChip, readChipFacts } from '../chips/detect';
import { runStub } from './stub';
import { prepareStubUpload } from './stub-greeting';
import { connectFast } from './fast-sync';
import { changeBaud } from './baud';
import { readFlashId } from './flash-id';
import { planRegions } from './write-plan';
import { writeRegions } from './write';
import { eraseChip, eraseRegion } from './erase';
import { readerFor } from './read';
import { readWindow, ESP8266_WINDOW_SIZE } from './rom-write';
import { hardReset, runReset } from '../link/reset';
import { ProgressMeter } from './progress';
import type { ChipRecord } from '../chips/records';
import type {
  AfterMode,
  ConnectOptions,
  DeviceInfo,
  EngineHooks,
  EspSessionApi,
  FlashOptions,
  FlashResult,
  ReadOptions,
} from '../api';

export class EspSession implements EspSessionApi {
  private closed = false;

  private constructor(
    private readonly link: EspLink,
    private readonly chip: ChipRecord,
    readonly info: DeviceInfo,
  ) {}

  /** Connects and prepares the chip; on any failure the Transport is closed before the error is thrown. */
  static async open(transport: Transport, opts: ConnectOptions = {}): Promise<EspSession> {
    const clock = opts.clock ?? realClock;
    const link = new EspLink(transport, clock, opts.signal);
    const log = (m: string) => opts.onLog?.('info', m);
    const phase = (p: 'connecting' | 'detecting' | 'stub' | 'baud') =>
      opts.onProgress?.({ phase: p, bytesDone: 0, bytesTotal: 0, bytesPerSecond: 0 });
    try {
      phase('connecting');
      // The first SYNC at the data baud where a reset can follow (fast-sync.ts): the ESP8266 ROM then takes the stub fast.
      const sync = await connectFast(link, {
        baud: opts.baud,
        before: opts.before,
        useStub: opts.useStub,
        attempts: opts.attempts,
        onLog: opts.onLog,
      });
      log(`synced (${sync.strategy})${sync.stubRunning ? ', a flasher stub is already running' : ''}`);
      phase('detecting');
      const chip = await identifyChip(link);
      const facts = await readChipFacts(link, chip);
      log(`chip: ${facts.description}, MAC ${facts.mac}, crystal ${facts.crystalMHz} MHz`);
      if (sync.stubRunning) link.isStub = true;
      else if (opts.useStub !== false) {
        phase('stub');
        // The rate the stub goes up at, and where it answers after its start: stub-greeting.ts.
        const upload = await prepareStubUpload(link, chip, opts.baud, opts.onLog);
        const uploadBaud = transport.baudRate;
        await runStub(link, chip, upload);
        log(`flasher stub running (uploaded at ${uploadBaud} baud, answering at ${transport.baudRate})`);
      } else if (chip.rom.spiAttach) {
        // ROMs of the ESP32 family leave the flash detached until told (the ROM form takes 4 extra zero bytes).
        await link.command(Op.SPI_ATTACH, words(0, 0));
      }
      let baud = transport.baudRate;
      if (opts.baud !== undefined && opts.baud !== baud) {
        phase('baud');
        baud = await changeBaud(link, chip, opts.baud);
        if (baud !== opts.baud)
          opts.onLog?.('warn', `the ${chip.name} ROM cannot change baud rate; staying at ${baud}`);
      }
      const flash = await readFlashId(link, chip);
      if (flash.size > 0 && (link.isStub || chip.rom.spiSetParams) && chip.name !== 'esp8266') {
        await setSpiParams(link, flash.size);
      }
      const info: DeviceInfo = {
        chip: chip.name,
        description: facts.description,
        revision: facts.revision,
        features: facts.features,
        mac: facts.mac,
        crystalMHz: facts.crystalMHz,
        flashId: flash.id,
        flashSize: flash.size,
        stub: link.isStub,
        baud,
      };
      return new EspSession(link, chip, info);
    } catch (e) {
      await closeQuietly(link);
      if (opts.signal?.aborted && !(e instanceof KilnError && e.code === 'DEVICE_LOST')) throw cancelled();
      throw e;
    }
  }

  async flash(opts: FlashOptions): Promise<FlashResult> {
    return this.guard(opts.signal, async () => {
      const started = this.link.clock.now();
      const hooks = { onProgress: opts.onProgress, onLog: opts.onLog };
      opts.onProgress?.({ phase: 'planning', bytesDone: 0, bytesTotal: 0, bytesPerSecond: 0 });
      const regions = planRegions(opts.images, {
        chip: this.chip.name,
        flashSize: this.info.flashSize,
        flashMode: opts.flashMode,
        flashFreq: opts.flashFreq,
        sizeOption: opts.flashSize,
      });
      if (opts.eraseAll) {
        opts.onProgress?.({
          phase: 'erasing',
          bytesDone: 0,
          bytesTotal: this.info.flashSize,
          bytesPerSecond: 0,
        });
        await eraseChip(this.link, opts.signal);
      }
      const results = await writeRegions(
        {
          link: this.link,
          chip: this.chip,
          hooks,
          signal: opts.signal,
          compress: opts.compress !== false,
          // After a full erase nothing can be unchanged; skip the hashing.
          skipUnchanged: opts.skipUnchanged !== false && !opts.eraseAll,
        },
        regions,
      );
      return {
        regions: results,
        bytesSent: results.reduce((n, r) => n + r.bytesSent, 0),
        durationMs: this.link.clock.now() - started,
      };
    });
  }

  async readFlash(opts: ReadOptions): Promise<Uint8Array> {
    return this.guard(opts.signal, async () => {
      const meter = new ProgressMeter(this.link.clock, opts, 'reading', opts.size);
      const read = readerFor(this.link, this.chip);
      if (read) return read(this.link, opts.offset, opts.size, meter, opts.signal);
      if (this.chip.name === 'esp8266' && opts.offset + opts.size <= ESP8266_WINDOW_SIZE) {
        return readWindow(this.link, opts.offset, opts.size, meter, opts.signal);
      }
      throw new KilnError(
        'UNSUPPORTED',
        'The ROM loader of this chip cannot read flash beyond the first megabyte.',
        {
          hint: 'Connect with the flasher stub (the default) to read flash.',
          details: { offset: opts.offset, size: opts.size },
        },
      );
    });
  }

  async eraseAll(opts: EngineHooks & { signal?: AbortSignal } = {}): Promise<void> {
    return this.guard(opts.signal, async () => {
      opts.onProgress?.({
        phase: 'erasing',
        bytesDone: 0,
        bytesTotal: this.info.flashSize,
        bytesPerSecond: 0,
      });
      await eraseChip(this.link, opts.signal);
      opts.onProgress?.({
        phase: 'erasing',
        bytesDone: this.info.flashSize,
        bytesTotal: this.info.flashSize,
        bytesPerSecond: 0,
      });
    });
  }

  async eraseRegion(
    offset: number,
    size: number,
    opts: EngineHooks & { signal?: AbortSignal } = {},
  ): Promise<void> {
    return this.guard(opts.signal, async () => {
      opts.onProgress?.({ phase: 'erasing', bytesDone: 0, bytesTotal: size, bytesPerSecond: 0 });
      await eraseRegion(this.link, offset, size, opts.signal);
      opts.onProgress?.({ phase: 'erasing', bytesDone: size, bytesTotal: size, bytesPerSecond: 0 });
    });
  }

  async finish(after: AfterMode): Promise<void> {
    if (after === 'no-reset' || this.link.transport.info.lines === 'none') return;
    await this.guard(undefined, () =>
      runReset(
        hardReset(this.link.transport.info.lines === 'usb-jtag-serial'),
        this.link.transport,
        this.link.clock,
        this.link.signal,
      ),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeQuietly(this.link);
  }

  /** Runs an operation; a cancel closes the port (leaving the chip in its loader) and reports CANCELLED. */
  private async guard<T>(signal: AbortSignal | undefined, op: () => Promise<T>): Promise<T> {
    if (this.closed)
      throw new KilnError('PORT_OPEN_FAILED', 'This session is closed.', { hint: 'Connect again.' });
    this.link.checkAlive(signal);
    try {
      return await op();
    } catch (e) {
      if (
        (signal?.aborted || this.link.signal?.aborted) &&
        !(e instanceof KilnError && e.code === 'DEVICE_LOST')
      ) {
        await this.close();
        throw cancelled();
      }
      throw e;
    }
  }
}

async function setSpiParams(link: EspLink, size: number): Promise<void> {
  try {
    // id, total size, block 64 KB, sector 4 KB, page 256 B, status mask (protocol notes §2).
    await link.command(Op.SPI_SET_PARAMS, words(0, size, 0x10000, 0x1000, 0x100, 0xffff));
  } catch (e) {
    if (!isUnsupported(e)) throw e;
  }
}

async function closeQuietly(link: EspLink): Promise<void> {
  link.dispose();
  try {
    await link.transport.close();
  } catch {
    // Closing a port that already vanished is not an error worth reporting over the real one.
  }
}
