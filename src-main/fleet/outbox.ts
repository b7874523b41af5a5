/**
 * The outbox: which records of a report the broker has acknowledged. The report stays the source of truth; beside
 * it, `<report>.published` lists the id of every record the broker acknowledged (PUBACK), one per line, appended.
 * A record is pending while its id is missing there, so after a reconnect or a restart exactly the records the
 * broker never acknowledged are sent again. A crash between the PUBACK and the append sends one record twice;
 * record ids are stable, so subscribers drop the second copy (at-least-once delivery, exactly once by id).
 */
import { appendFile, readFile } from 'node:fs/promises';
import { readReport } from '../station/report-log';
import type { DeviceRecord } from '../station/schemas';

export function publishedMarkFile(reportFile: string): string {
  return `${reportFile}.published`;
}

async function readMark(file: string): Promise<Set<string>> {
  try {
    const text = await readFile(file, 'utf8');
    return new Set(text.split('\n').filter((l) => l.trim() !== ''));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw e;
  }
}

export class Outbox {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly markFile: string,
    private readonly acknowledged: Set<string>,
    /** Records not acknowledged yet, in report order. */
    readonly pending: DeviceRecord[],
  ) {}

  /** Reads the report and its mark: every record of the report whose id the mark lacks is pending. */
  static async open(reportFile: string): Promise<Outbox> {
    const markFile = publishedMarkFile(reportFile);
    const acknowledged = await readMark(markFile);
    const { records } = await readReport(reportFile);
    return new Outbox(
      markFile,
      acknowledged,
      records.filter((r) => !acknowledged.has(r.id)),
    );
  }

  /** A record now on disk in the report and not yet sent. */
  add(record: DeviceRecord): void {
    if (!this.acknowledged.has(record.id)) this.pending.push(record);
  }

  /** The broker acknowledged this record: it leaves the outbox for good. Marks are appended one at a time. */
  acknowledge(id: string): Promise<void> {
    const i = this.pending.findIndex((r) => r.id === id);
    if (i >= 0) this.pending.splice(i, 1);
    if (this.acknowledged.has(id)) return this.chain;
    this.acknowledged.add(id);
    this.chain = this.chain.then(() => appendFile(this.markFile, `${id}\n`)).catch(() => undefined);
    return this.chain;
  }

  /** Resolves once every acknowledgement so far is written to the mark file. */
  flushed(): Promise<void> {
    return this.chain;
  }
}
