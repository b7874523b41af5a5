/**
 * Hot-plug on a temp root: nodes are created and removed under <root>/dev the way udev does it, and the watcher
 * must report them (inotify, debounced) without a polling loop; the polling fallback is exercised separately.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PortInfo } from '../../src-main/serial/discovery';
import { watchPorts, type PortWatcher } from '../../src-main/serial/hotplug';
import { within } from './helpers/conformance';
import { addUsbTty, CH340_IDS, makeRoot } from './helpers/fake-sysfs';

type Event = ['added', string] | ['removed', string];

let roots: string[] = [];
let watchers: PortWatcher[] = [];
afterEach(async () => {
  for (const w of watchers) w.close();
  for (const r of roots) await fsp.rm(r, { recursive: true, force: true });
  roots = [];
  watchers = [];
});

async function setup(extra: Partial<Parameters<typeof watchPorts>[0]> = {}) {
  const root = await makeRoot();
  roots.push(root);
  await fsp.writeFile(path.join(root, 'dev/ttyS0'), ''); // present before the watch: never reported
  const events: Event[] = [];
  const infos: PortInfo[] = [];
  let notify: (() => void) | undefined;
  const watcher = watchPorts({
    root,
    onAdded: (p) => {
      events.push(['added', p.path]);
      infos.push(p);
      notify?.();
    },
    onRemoved: (p) => {
      events.push(['removed', p]);
      notify?.();
    },
    ...extra,
  });
  watchers.push(watcher);
  /** Resolves once `n` events in total have been reported (within about a second, as the spec asks). */
  const waitEvents = (n: number, ms = 1500) =>
    within(
      new Promise<void>((resolve) => {
        const check = () => events.length >= n && resolve();
        notify = check;
        check();
      }),
      ms,
      `${n} hot-plug events`,
    );
  return { root, events, infos, watcher, waitEvents };
}

describe('watchPorts', () => {
  it('reports a plugged adapter (with its sysfs identity) and its removal, via inotify', async () => {
    const { root, events, infos, watcher, waitEvents } = await setup();
    expect(watcher.mode).toBe('inotify');
    await addUsbTty(root, {
      name: 'ttyUSB0',
      bus: '1-2',
      ...CH340_IDS,
    });
    await waitEvents(1);
    expect(events).toEqual([['added', '/dev/ttyUSB0']]);
    expect(infos[0]).toMatchObject({
      path: '/dev/ttyUSB0',
      usbId: '1a86:7523',
      driver: 'ch341',
      defaultBaud: 921600,
    });
    await fsp.rm(path.join(root, 'dev/ttyUSB0'));
    await waitEvents(2);
    expect(events).toEqual([
      ['added', '/dev/ttyUSB0'],
      ['removed', '/dev/ttyUSB0'],
    ]);
  });

  it('ignores non-serial nodes and attribute changes (udev chmod/chown after create)', async () => {
    const { root, events, waitEvents } = await setup();
    await fsp.writeFile(path.join(root, 'dev/null2'), '');
    await fsp.mkdir(path.join(root, 'dev/bus'));
    await fsp.writeFile(path.join(root, 'dev/ttyACM0'), '');
    await fsp.chmod(path.join(root, 'dev/ttyACM0'), 0o660);
    await fsp.chmod(path.join(root, 'dev/ttyACM0'), 0o600);
    await waitEvents(1);
    // Give a stray second report time to appear; there must be none.
    await new Promise((r) => setTimeout(r, 400));
    expect(events).toEqual([['added', '/dev/ttyACM0']]);
  });

  it('a node that appears and vanishes inside the debounce window (brltty) is reported as added then removed', async () => {
    const { root, events, waitEvents } = await setup({ debounceMs: 300 });
    await fsp.writeFile(path.join(root, 'dev/ttyUSB0'), '');
    await fsp.rm(path.join(root, 'dev/ttyUSB0'));
    await waitEvents(2);
    expect(events).toEqual([
      ['added', '/dev/ttyUSB0'],
      ['removed', '/dev/ttyUSB0'],
    ]);
  });

  it('a known node that vanishes and returns inside the window (re-enumeration) is reported removed then added', async () => {
    const { root, events, waitEvents } = await setup();
    await fsp.writeFile(path.join(root, 'dev/ttyACM0'), '');
    await waitEvents(1);
    await fsp.rm(path.join(root, 'dev/ttyACM0'));
    await fsp.writeFile(path.join(root, 'dev/ttyACM0'), '');
    await waitEvents(3);
    expect(events).toEqual([
      ['added', '/dev/ttyACM0'],
      ['removed', '/dev/ttyACM0'],
      ['added', '/dev/ttyACM0'],
    ]);
  });

  it('several ports plugged at once (a hub) are each reported once', async () => {
    const { root, events, waitEvents } = await setup();
    await Promise.all(
      ['ttyUSB0', 'ttyUSB1', 'ttyUSB2', 'ttyACM0'].map((n) => fsp.writeFile(path.join(root, 'dev', n), '')),
    );
    await waitEvents(4);
    await new Promise((r) => setTimeout(r, 300));
    expect(events.map((e) => e[1]).sort()).toEqual([
      '/dev/ttyACM0',
      '/dev/ttyUSB0',
      '/dev/ttyUSB1',
      '/dev/ttyUSB2',
    ]);
    expect(events.every((e) => e[0] === 'added')).toBe(true);
  });

  it('falls back to a slow re-list when fs.watch cannot be used, and close() stops all reports', async () => {
    const logs: string[] = [];
    const { root, events, watcher, waitEvents } = await setup({
      forcePolling: true,
      pollMs: 100,
      log: (m) => logs.push(m),
    });
    expect(watcher.mode).toBe('polling');
    expect(logs[0]).toMatch(/re-listing every 100 ms/);
    await fsp.writeFile(path.join(root, 'dev/ttyUSB5'), '');
    await waitEvents(1);
    expect(events).toEqual([['added', '/dev/ttyUSB5']]);
    watcher.close();
    await fsp.rm(path.join(root, 'dev/ttyUSB5'));
    await new Promise((r) => setTimeout(r, 350));
    expect(events).toHaveLength(1);
  });

  it('uses polling when <root>/dev does not exist (fs.watch fails)', async () => {
    const root = await makeRoot();
    roots.push(root);
    await fsp.rm(path.join(root, 'dev'), { recursive: true });
    const w = watchPorts({
      root,
      onAdded: () => undefined,
      onRemoved: () => undefined,
      log: () => undefined,
    });
    watchers.push(w);
    expect(w.mode).toBe('polling');
  });
});
