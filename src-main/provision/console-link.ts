/**
 * A firmware's serial console as the provisioning flow sees it: the text lines heard (with every secret already
 * replaced, since consoles echo what they are sent), the Improv frames found between them, and waits bounded on
 * the Clock. Every line heard passes through here, so nothing downstream can see a password.
 */
import type { Clock } from '../core/clock';
import type { Transport } from '../serial/transport';
import { ImprovDecoder, type ImprovFrame } from './improv-frame';
import { redact, type Secret } from './secret';

export class ConsoleLink {
  readonly lines: string[] = [];
  readonly frames: ImprovFrame[] = [];
  private partial = '';
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false });
  private readonly decoder: ImprovDecoder;
  private readonly waiters = new Set<() => void>();
  private readonly off: () => void;

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
    private readonly secrets: readonly Secret[],
    private readonly onLine: (line: string) => void = () => {},
  ) {
    this.decoder = new ImprovDecoder({
      frame: (f) => {
        this.frames.push(f);
        this.wake();
      },
      text: (bytes) => this.text(bytes),
    });
    this.off = transport.onData((chunk) => this.decoder.push(chunk));
  }

  private text(bytes: Buffer): void {
    this.partial += this.utf8.decode(bytes, { stream: true });
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const raw = this.partial.slice(0, nl).replace(/\r$/, '');
      this.partial = this.partial.slice(nl + 1);
      const line = redact(raw, this.secrets);
      if (readable(line)) {
        this.lines.push(line);
        this.onLine(line);
      }
    }
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  now(): number {
    return this.clock.now();
  }

  async send(bytes: Uint8Array): Promise<void> {
    await this.transport.write(bytes);
  }

  /** Polls `pick` after every arrival until it gives a value or `ms` pass (then undefined). */
  async wait<T>(pick: () => T | undefined, ms: number): Promise<T | undefined> {
    const end = this.clock.now() + ms;
    for (;;) {
      const v = pick();
      if (v !== undefined) return v;
      const left = end - this.clock.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const done = () => {
          cancel();
          this.waiters.delete(done);
          resolve();
        };
        const cancel = this.clock.setTimer(left, done);
        this.waiters.add(done);
      });
    }
  }

  close(): void {
    this.off();
    this.wake();
  }
}

/**
 * Boot ROM text at 74880 baud heard at 115200 is noise: a line counts when it is (nearly) all printable ASCII.
 * A garbled line that ends in real text is lost with it; the firmware's own lines start on a fresh line.
 */
function readable(line: string): boolean {
  if (!line.trim()) return false;
  const printable = line.replace(/[^\x20-\x7e]/g, '').length;
  return printable / line.length >= 0.9;
}
