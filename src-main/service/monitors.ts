/**
 * Serial consoles. A monitor holds its port until closed; a job that wants the port closes the monitor first
 * (the user pressed Flash: that is what they meant), while a monitor cannot open on a port a job holds.
 * Received bytes are pushed as `monitorData`, coalesced per event-loop turn so a chatty board does not
 * produce one event per USB packet.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock';
import { KilnError, toErrorData } from '../core/errors';
import { classicReset, hardReset, runReset } from '../esp/link/reset';
import type { Transport } from '../serial/transport';
import type { PortOpener } from '../flash';
import type { Logger } from './deps';
import type { EventBus } from './event-bus';
import type { JobManager } from './jobs';
import type { ResolvedPort } from './port-directory';

interface Monitor {
  id: string;
  port: string;
  lockKey: string;
  transport: Transport;
  release: () => void;
  closing: boolean;
  unsubscribe: (() => void)[];
}

export class Monitors {
  private readonly monitors = new Map<string, Monitor>();

  constructor(
    private readonly openPort: PortOpener,
    private readonly jobs: JobManager,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async open(port: ResolvedPort, baud: number): Promise<string> {
    // A second monitor on the same device replaces the first (e.g. a reloaded page).
    await this.closeOn(port.lockKey, 'closed');
    const release = this.jobs.reserve(port.lockKey, port.path, 'the serial monitor');
    let transport: Transport;
    try {
      transport = await this.openPort({ path: port.path, usbId: port.info?.usbId }, baud);
    } catch (e) {
      release();
      throw e;
    }
    const id = `mon-${randomBytes(6).toString('hex')}`;
    const m: Monitor = {
      id,
      port: port.path,
      lockKey: port.lockKey,
      transport,
      release,
      closing: false,
      unsubscribe: [],
    };
    this.monitors.set(id, m);

    let buffered: Buffer[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      if (buffered.length === 0) return;
      const data = new Uint8Array(Buffer.concat(buffered));
      buffered = [];
      this.bus.emit('monitorData', { monitorId: id, data });
    };
    m.unsubscribe.push(
      transport.onData((chunk) => {
        buffered.push(Buffer.from(chunk));
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      }),
      transport.onClose((error) => {
        flush();
        if (!m.closing) this.finish(m, error ? 'lost' : 'closed', error ? toErrorData(error) : undefined);
      }),
    );
    this.logger.info(`monitor ${id} open on ${port.path} at ${baud}`);
    return id;
  }

  async write(id: string, data: Uint8Array): Promise<void> {
    await this.get(id).transport.write(data);
  }

  async setBaud(id: string, baud: number): Promise<void> {
    await this.get(id).transport.setBaudRate(baud);
  }

  /** 'run' = EN pulse with IO0 released; 'bootloader' = the classic DTR/RTS sequence into the ROM loader. */
  async reset(id: string, mode: 'run' | 'bootloader'): Promise<void> {
    const m = this.get(id);
    const usbJtag = m.transport.info.lines === 'usb-jtag-serial';
    await runReset(mode === 'run' ? hardReset(usbJtag) : classicReset(50), m.transport, this.clock);
  }

  async close(id: string): Promise<void> {
    const m = this.get(id);
    await this.shut(m, 'closed');
  }

  /** Closes whatever monitor holds this device (a job is about to use it). */
  async closeOn(lockKey: string, reason: 'closed' | 'job'): Promise<void> {
    for (const m of [...this.monitors.values()]) if (m.lockKey === lockKey) await this.shut(m, reason);
  }

  async closeAll(): Promise<void> {
    for (const m of [...this.monitors.values()]) await this.shut(m, 'closed');
  }

  private get(id: string): Monitor {
    const m = this.monitors.get(id);
    if (!m)
      throw new KilnError('NOT_FOUND', `There is no open monitor ${id}.`, {
        hint: 'Open the monitor again.',
        details: { monitorId: id },
      });
    return m;
  }

  private async shut(m: Monitor, reason: 'closed' | 'job'): Promise<void> {
    if (m.closing) return;
    m.closing = true;
    await m.transport.close().catch((e) => this.logger.warn(`monitor ${m.id}: close failed: ${String(e)}`));
    this.finish(m, reason, undefined);
  }

  private finish(
    m: Monitor,
    reason: 'closed' | 'job' | 'lost',
    error: ReturnType<typeof toErrorData> | undefined,
  ): void {
    if (!this.monitors.has(m.id)) return;
    m.closing = true;
    this.monitors.delete(m.id);
    for (const u of m.unsubscribe) u();
    m.release();
    this.logger.info(`monitor ${m.id} on ${m.port} closed (${reason})`);
    this.bus.emit('monitorClosed', error ? { monitorId: m.id, reason, error } : { monitorId: m.id, reason });
  }
}
