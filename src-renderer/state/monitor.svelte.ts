/**
 * The serial console: open/close one monitor, received bytes decoded as UTF-8 (streaming, so a character split
 * across two chunks stays whole), a bounded scrollback, writes, reset, and the log as a downloadable file.
 * It lives in the app state, so the chosen baud survives a tab switch, and a console that a job took over opens again
 * (same port, same baud) when that job ends.
 */
import type { KilnApi, UiError } from '../api/types';
import { toUiError } from '../lib/errors';
import { GARBAGE_WINDOW, looksLikeWrongBaud } from '../lib/serial-garbage';

/** Scrollback kept on screen and in "Save log" (characters). */
export const MAX_MONITOR_CHARS = 512 * 1024;

export class MonitorState {
  monitorId = $state<string | undefined>(undefined);
  port = $state<string | undefined>(undefined);
  baud = $state(115200);
  text = $state('');
  opening = $state(false);
  error = $state<UiError | undefined>(undefined);
  /** Why the monitor ended, when it was not the user's own Close. */
  closedReason = $state<'job' | 'lost' | undefined>(undefined);
  /** The user picked a baud (or it was taken from the settings): `seedBaud` no longer overrides it. */
  baudChosen = $state(false);
  /** The latest output received since the console opened or changed baud, judged for garbage. */
  recent = $state('');
  /** A job took the port: the console opens again at the same baud when that job ends. */
  reopenAfterJob = $state(false);

  readonly isOpen = $derived(this.monitorId !== undefined);
  /** What arrived since the last open or baud change looks like text read at the wrong baud. */
  readonly garbled = $derived(looksLikeWrongBaud(this.recent));

  readonly #api: KilnApi;
  readonly #unsubscribers: (() => void)[];
  #decoder = new TextDecoder();
  /** The console a job took, and (once `jobStarted` names it) that job. */
  #resume: { port: string; baud: number; jobId?: string } | undefined;

  constructor(api: KilnApi) {
    this.#api = api;
    this.#unsubscribers = [
      api.on('monitorData', ({ monitorId, data }) => {
        if (monitorId === this.monitorId) this.#append(this.#decoder.decode(data, { stream: true }));
      }),
      api.on('monitorClosed', ({ monitorId, reason, error }) => {
        if (monitorId !== this.monitorId) return;
        this.monitorId = undefined;
        if (reason !== 'closed') this.closedReason = reason;
        if (error) this.error = error;
        if (reason === 'job' && this.port) {
          this.#resume = { port: this.port, baud: this.baud };
          this.reopenAfterJob = true;
        }
      }),
      // The service closes the console, then starts the job on the same port: that job's end reopens it.
      api.on('jobStarted', ({ jobId, port }) => {
        if (this.#resume && this.#resume.jobId === undefined && port === this.#resume.port)
          this.#resume.jobId = jobId;
      }),
      api.on('jobDone', ({ jobId }) => {
        const r = this.#resume;
        if (!r || r.jobId !== jobId) return;
        this.#resume = undefined;
        this.reopenAfterJob = false;
        void this.open(r.port, r.baud);
      }),
    ];
  }

  /** The saved console baud, taken once unless the user already picked one in this session. */
  seedBaud(baud: number | undefined): void {
    if (this.baudChosen || baud === undefined) return;
    this.baud = baud;
    this.baudChosen = true;
  }

  async open(port: string, baud: number): Promise<void> {
    if (this.opening) return;
    if (this.isOpen) await this.close();
    this.opening = true;
    this.error = undefined;
    this.closedReason = undefined;
    this.#cancelReopen();
    this.#decoder = new TextDecoder();
    this.recent = '';
    try {
      const { monitorId } = await this.#api.monitorOpen({ port, baud: baud as never });
      this.monitorId = monitorId;
      this.port = port;
      this.baud = baud;
    } catch (e) {
      this.error = toUiError(e);
    } finally {
      this.opening = false;
    }
  }

  async setBaud(baud: number): Promise<void> {
    this.baud = baud;
    this.baudChosen = true;
    this.recent = '';
    if (!this.monitorId) return;
    await this.#guard(() => this.#api.monitorSetBaud({ monitorId: this.monitorId!, baud: baud as never }));
  }

  async write(text: string): Promise<void> {
    if (!this.monitorId) return;
    const data = new TextEncoder().encode(text);
    await this.#guard(() => this.#api.monitorWrite({ monitorId: this.monitorId!, data }));
  }

  async reset(mode: 'run' | 'bootloader' = 'run'): Promise<void> {
    if (!this.monitorId) return;
    await this.#guard(() => this.#api.monitorReset({ monitorId: this.monitorId!, mode }));
  }

  async close(): Promise<void> {
    this.#cancelReopen(); // the user's own Close: no reopening after a job
    const id = this.monitorId;
    if (!id) return;
    this.monitorId = undefined;
    await this.#guard(() => this.#api.monitorClose({ monitorId: id }));
  }

  clear(): void {
    this.text = '';
    this.recent = '';
  }

  /** The scrollback as a text file named after the port and time. */
  logFile(now = new Date()): { name: string; blob: Blob } {
    const stamp = now.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
    const port = (this.port ?? 'serial').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+/, '');
    return {
      name: `kiln-monitor-${port}-${stamp}.log`,
      blob: new Blob([this.text], { type: 'text/plain;charset=utf-8' }),
    };
  }

  destroy(): void {
    for (const off of this.#unsubscribers.splice(0)) off();
    void this.close();
  }

  #append(chunk: string): void {
    const next = this.text + chunk;
    this.text = next.length > MAX_MONITOR_CHARS ? next.slice(next.length - MAX_MONITOR_CHARS) : next;
    this.recent = (this.recent + chunk).slice(-GARBAGE_WINDOW);
  }

  #cancelReopen(): void {
    this.#resume = undefined;
    this.reopenAfterJob = false;
  }

  async #guard(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (e) {
      this.error = toUiError(e);
    }
  }
}
