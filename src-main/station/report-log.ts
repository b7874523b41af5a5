/**
 * The station report: one JSON object per line (JSONL), appended and fsync'ed record by record, so a crash or a
 * power cut never loses a record whose append returned, and never damages the lines before it.
 *
 * Why this is enough: every record is written with ONE write() of the whole line (newline included) on a file
 * opened with O_APPEND, then fsync() before `append` resolves. A kill between records leaves complete lines
 * only; a kill inside the write (or a power cut before fsync) can leave at most one torn LAST line, which the
 * reader reports as `partialLine` and otherwise ignores. A torn line can never be followed by a good one
 * because each append starts on a fresh line: if the file does not end with '\n' (a torn tail from an earlier
 * crash), the next append first writes a '\n' so the torn fragment stays on its own line.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { KilnError } from '../core/errors';
import { lockReport } from './report-lock';
import { deviceRecordSchema, type DeviceRecord } from './schemas';

export interface ReportContents {
  records: DeviceRecord[];
  /** Text of a last line without its newline (a write torn by a crash), when there is one. */
  partialLine?: string;
  /** 1-based line numbers of complete lines that were not valid records (never expected; reported, not fatal). */
  invalidLines: number[];
}

/** Parses report text; tolerant of a torn last line and of foreign lines, which are reported, not thrown. */
export function parseReport(text: string): ReportContents {
  const out: ReportContents = { records: [], invalidLines: [] };
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  if (tail.length > 0) out.partialLine = tail;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      out.invalidLines.push(i + 1);
      return;
    }
    const parsed = deviceRecordSchema.safeParse(value);
    if (parsed.success) out.records.push(parsed.data);
    else out.invalidLines.push(i + 1);
  });
  return out;
}

/** Reads a report file; a missing file is an empty report. */
export async function readReport(file: string): Promise<ReportContents> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], invalidLines: [] };
    throw new KilnError('NOT_FOUND', `The report ${file} could not be read.`, {
      hint: 'Check the file exists and is readable.',
      details: { file, reason: e instanceof Error ? e.message : String(e) },
    });
  }
  return parseReport(text);
}

/** An open report that appends one durable line per record. Appends are serialised (one at a time). */
export class ReportLog {
  private chain: Promise<void> = Promise.resolve();
  private needsNewline = false;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    private readonly unlock: () => Promise<void>,
  ) {}

  /** Opens (creating folders and the file as needed) for appending. */
  static async open(file: string): Promise<ReportLog> {
    await mkdir(path.dirname(file), { recursive: true });
    const unlock = await lockReport(file);
    let handle: FileHandle;
    try {
      handle = await open(file, 'a+');
    } catch (e) {
      await unlock();
      throw new KilnError('BAD_REQUEST', `The report file ${file} could not be opened for writing.`, {
        hint: 'Pick a report file in a folder you can write to.',
        details: { file, reason: e instanceof Error ? e.message : String(e) },
      });
    }
    const log = new ReportLog(file, handle, unlock);
    const { size } = await handle.stat();
    if (size === 0) await syncDirectory(path.dirname(file));
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      log.needsNewline = last[0] !== 0x0a;
    }
    return log;
  }

  /** Appends one record; resolves once the line is on disk (fsync). */
  append(record: DeviceRecord): Promise<void> {
    const line = `${this.needsNewline ? '\n' : ''}${JSON.stringify(record)}\n`;
    this.needsNewline = false;
    const next = this.chain.then(async () => {
      const bytes = Buffer.from(line, 'utf8');
      // One write call per line: O_APPEND positions it at the end atomically with respect to other appenders.
      let written = 0;
      while (written < bytes.length) {
        const r = await this.handle.write(bytes, written, bytes.length - written);
        written += r.bytesWritten;
      }
      await this.handle.sync();
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle.close();
    await this.unlock();
  }
}

/** A new file's directory entry must reach the disk too, or a power cut can lose the whole (fsync'ed) file. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory (and Windows cannot open one); the records are still fsync'ed.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
