/**
 * The write nudge (serial/write-nudge.ts): while the binding waits for a `writable` event that may never come,
 * the event is re-emitted so the write is retried; while nobody waits, nothing is emitted. The binding's poller
 * is stood in for by an EventEmitter with the same two methods the nudge uses.
 */
import { EventEmitter } from 'node:events';
import type { SerialPort } from 'serialport';
import { describe, expect, it } from 'vitest';
import { installWriteNudge, NUDGE_MS } from '../../src-main/serial/write-nudge';

function fakePort(): { port: SerialPort; poller: EventEmitter; emitted: string[] } {
  const poller = new EventEmitter();
  const emitted: string[] = [];
  const emit = poller.emit.bind(poller);
  poller.emit = (event: string | symbol, ...args: unknown[]) => {
    emitted.push(String(event));
    return emit(event, ...args);
  };
  return { port: { port: { poller } } as unknown as SerialPort, poller, emitted };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the write nudge', () => {
  it('wakes a write whose writable event was lost, once per wait', async () => {
    const { port, poller, emitted } = fakePort();
    const stop = installWriteNudge(port);
    const woken = new Promise<unknown>((resolve) => poller.once('writable', resolve));
    expect(await woken).toBeNull();
    expect(emitted).toEqual(['writable']);
    stop();
  });

  it('emits nothing while no write waits, and nothing after stop', async () => {
    const { port, poller, emitted } = fakePort();
    const stop = installWriteNudge(port);
    await wait(NUDGE_MS * 4);
    expect(emitted).toEqual([]);
    stop();
    let called = false;
    poller.once('writable', () => (called = true));
    await wait(NUDGE_MS * 4);
    expect(called).toBe(false);
  });

  it('is a no-op on a binding without a poller (Windows)', () => {
    const stop = installWriteNudge({ port: {} } as unknown as SerialPort);
    expect(() => stop()).not.toThrow();
  });
});
