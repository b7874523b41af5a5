/**
 * User settings as one JSON file in the data folder. A missing or unreadable file gives the defaults (and the
 * damage is logged, not fatal); every write is validated by the contract's schema and replaces the file
 * atomically.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { settingsSchema, type ParsedInput, type Settings } from './contract';
import type { Logger } from './deps';

export class SettingsStore {
  readonly file: string;
  private current: Settings | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.file = path.join(dataDir, 'settings.json');
  }

  async get(): Promise<Settings> {
    if (this.current) return this.current;
    let raw: unknown = {};
    try {
      raw = JSON.parse(await readFile(this.file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        this.logger.warn(`settings: ${this.file} unreadable, using defaults`);
    }
    const parsed = settingsSchema.safeParse(raw);
    if (!parsed.success) this.logger.warn(`settings: ${this.file} did not validate, using defaults`);
    this.current = parsed.success ? parsed.data : settingsSchema.parse({});
    return this.current;
  }

  /** Merges a validated patch (top-level fields; `flash` field by field) and persists. */
  async update(patch: ParsedInput<'setSettings'>): Promise<Settings> {
    const base = await this.get();
    const { flash, ...rest } = patch;
    const next = settingsSchema.parse({
      ...base,
      ...stripUndefined(rest),
      flash: { ...base.flash, ...stripUndefined(flash ?? {}) },
    });
    this.current = next;
    const write = this.writing.then(() => this.persist(next));
    this.writing = write.catch(() => undefined);
    await write;
    return next;
  }

  private async persist(settings: Settings): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, JSON.stringify(settings, null, 2) + '\n');
    await rename(tmp, this.file);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
