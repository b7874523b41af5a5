/**
 * Streaming zlib inflate across FLASH_DEFL_DATA blocks (a block boundary can fall anywhere in the deflate
 * stream, as with the real stub's tinfl). Runs node's zlib in the thread pool; every call is wrapped with the
 * clock's `track` by the caller so a VirtualClock does not advance past it.
 */
import zlib from 'node:zlib';

export class StreamingInflater {
  private readonly z = zlib.createInflate();
  private out: Buffer[] = [];
  private failure: Error | undefined;
  private onFail: ((e: Error) => void) | undefined;
  /** True once the deflate stream's final block has been decoded. */
  ended = false;

  constructor() {
    this.z.on('data', (c: Buffer) => this.out.push(c));
    this.z.on('end', () => (this.ended = true));
    this.z.on('error', (e: Error) => {
      this.failure = e;
      this.onFail?.(e);
    });
  }

  /** Feeds one block; resolves with the bytes it decoded (possibly none), rejects on corrupt data. */
  push(block: Buffer): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(Buffer.alloc(0));
    return new Promise((resolve, reject) => {
      this.onFail = reject;
      this.z.write(block);
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        // 'end' may be emitted after the flush callback; give the stream one turn to report it.
        setImmediate(() => {
          this.onFail = undefined;
          if (this.failure) return reject(this.failure);
          const r = Buffer.concat(this.out);
          this.out = [];
          resolve(r);
        });
      });
    });
  }

  close(): void {
    this.z.removeAllListeners('data');
    this.z.on('error', () => {});
    this.z.destroy();
  }
}
