/**
 * The station behind the contract: profiles saved and validated, auto mode fed by virtual plug-ins, events that
 * pass the contract's schemas, report and CSV from the service. The service runs the real engine and simulator
 * on a VirtualClock (virtual boards run on the service's clock), so a batch at 921600 takes little wall time.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src-main/core/clock';
import { createMemoryPair } from '../../src-main/serial/memory-pair';
import { bridgeFor } from '../../src-main/serial/usb-bridges';
import type { PortInfo, PortWatchHandlers } from '../../src-main/service/deps';
import { SimulatedDevice } from '../../src-main/sim';
import { defaultDeps } from '../../src-main/service/default-deps';
import { silentLogger } from '../../src-main/service/deps';
import { createService, type KilnService } from '../../src-main/service/service';
import { parseEvent } from '../../src-main/service/validate';
import { parseReport } from '../../src-main/station';
import { tempDir } from '../service/fakes';
import { virtualClockService } from '../service/helpers/sim-service';
import { smallImage } from './virtual-bench';

let service: KilnService | undefined;
let dir: string | undefined;
afterEach(async () => {
  await service?.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
  service = undefined;
});

function start() {
  dir = tempDir('kiln-station-service-');
  service = virtualClockService(dir); // no real hot-plug in this test: boards arrive via stationPlugVirtual
  const events: { event: string; payload: unknown }[] = [];
  service.subscribe((event, payload) => events.push({ event, payload }));
  return { service, events };
}

async function until(pred: () => boolean, limitMs = 20_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('station service methods', () => {
  it('refuses to start a profile whose firmware is not in the cache, naming the file', async () => {
    const { service } = start();
    const fw = smallImage(1);
    const sha = (await import('./virtual-bench')).sha256(fw);
    const saved = await service.call('stationSaveProfile', {
      profile: { name: 'missing', images: [{ sha256: sha, offset: 0, name: 'tasmota.bin' }] },
    });
    expect(saved.missing).toEqual([{ sha256: sha, name: 'tasmota.bin' }]);
    await expect(
      service.call('stationStart', { profile: 'missing', ports: ['sim:esp8266'] }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('tasmota.bin'),
    });
    await expect(service.call('stationStart', { profile: 'missing' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(
      service.call('stationSaveProfile', {
        profile: { name: '../evil', images: [{ sha256: sha, name: 'x.bin' }] },
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('auto mode: plugged virtual boards are flashed once each, a replug is skipped, events pass the schemas', async () => {
    const { service, events } = start();
    const fw = smallImage(2);
    const { sha256 } = await service.call('inspectFirmware', { name: 'fw.bin', bytes: fw });
    const saved = await service.call('stationSaveProfile', {
      profile: { name: 'Auto bench', baud: 921600, images: [{ sha256, offset: 0, name: 'fw.bin' }] },
    });
    expect(saved.missing).toEqual([]);
    expect((await service.call('stationListProfiles', {})).profiles.map((p) => p.profile.name)).toEqual([
      'Auto bench',
    ]);

    const snap = await service.call('stationStart', {
      profile: 'Auto bench',
      auto: { filter: 'sim:*' },
      stationName: 'bench-7',
    });
    expect(snap).toMatchObject({ status: 'running', mode: 'auto', station: 'bench-7', slots: [] });
    const a = 'sim:esp8266?mac=18:fe:34:aa:00:01';
    const b = 'sim:esp8266?mac=18:fe:34:aa:00:02';
    const records = () => events.filter((e) => e.event === 'stationRecord');
    expect(await service.call('stationPlugVirtual', { url: a })).toEqual({ started: true });
    expect(await service.call('stationPlugVirtual', { url: b })).toEqual({ started: true });
    await until(() => records().length === 2);
    await service.call('stationUnplugVirtual', { url: a });
    expect(await service.call('stationPlugVirtual', { url: a })).toEqual({ started: true });
    await until(() => records().length === 3);

    for (const e of events) expect(() => parseEvent(e.event as 'stationUpdate', e.payload)).not.toThrow();
    const report = await service.call('stationReport', {});
    expect(report.records.map((r) => r.result)).toEqual(['verified', 'verified', 'skipped']);
    expect(report.records[2]!.mac).toBe('18:fe:34:aa:00:01');
    expect(new Set(report.records.slice(0, 2).map((r) => r.mac))).toEqual(
      new Set(['18:fe:34:aa:00:01', '18:fe:34:aa:00:02']),
    );
    // Boards, not attempts: the replugged board's skip leaves it one verified board.
    expect(report.summary).toMatchObject({ boards: 2, verified: 2, skipped: 0, failed: 0, attempts: 3 });
    expect(report.partialLine).toBe(false);
    expect(report.file!.startsWith(dir!)).toBe(true);
    // The virtual boards hold the image.
    for (const url of [a, b])
      expect(Buffer.from(service.virtualDevice(url).readFlash(0, fw.length)).equals(fw)).toBe(true);

    const csv = await service.call('stationExportCsv', {});
    expect(csv.csv.split('\r\n')).toHaveLength(5);
    expect(readFileSync(csv.file, 'utf8')).toBe(csv.csv);
    expect(parseReport(readFileSync(report.file!, 'utf8')).records).toHaveLength(3);

    const stopped = await service.call('stationStop', {});
    expect(stopped.status).toBe('stopped');
    await expect(service.call('stationPlugVirtual', { url: a })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('virtual boards the station plugs in or out are announced with portsChanged and listed by listPorts', async () => {
    const { service, events } = start();
    const { sha256 } = await service.call('inspectFirmware', { name: 'fw.bin', bytes: smallImage(5) });
    await service.call('stationSaveProfile', {
      profile: { name: 'picker', baud: 921600, images: [{ sha256, offset: 0, name: 'fw.bin' }] },
    });
    await service.call('stationStart', { profile: 'picker', auto: { filter: 'sim:*' } });
    const board = 'sim:esp8266?seed=41';
    const lastListing = () => {
      const changed = events.filter((e) => e.event === 'portsChanged');
      return changed.length === 0
        ? undefined
        : (changed.at(-1)!.payload as { ports: { path: string; group: string }[] }).ports;
    };
    // Only the virtual group: the real listing is this machine's.
    const paths = (ports: { path: string; group: string }[] | undefined) =>
      ports?.filter((p) => p.group === 'virtual').map((p) => p.path);
    expect(lastListing()).toBeUndefined();
    expect(paths((await service.call('listPorts', {})).ports)).not.toContain(board);

    await service.call('stationPlugVirtual', { url: board });
    // Announced before the call returns, in the shape the port picker reads; listPorts agrees.
    expect(lastListing()).toContainEqual(
      expect.objectContaining({ path: board, group: 'virtual', chip: 'esp8266' }),
    );
    expect(() =>
      parseEvent('portsChanged', events.filter((e) => e.event === 'portsChanged').at(-1)!.payload),
    ).not.toThrow();
    expect(paths((await service.call('listPorts', {})).ports)).toContain(board);
    await until(() => events.some((e) => e.event === 'stationRecord'));

    const before = events.filter((e) => e.event === 'portsChanged').length;
    await service.call('stationUnplugVirtual', { url: board });
    expect(events.filter((e) => e.event === 'portsChanged')).toHaveLength(before + 1);
    expect(paths(lastListing())).toEqual(['sim:esp8266', 'sim:esp32', 'sim:esp32c3']);
    expect(paths((await service.call('listPorts', {})).ports)).not.toContain(board);
    // The plain boards stay on offer even when the station unplugs one.
    await service.call('stationPlugVirtual', { url: 'sim:esp32' });
    await service.call('stationUnplugVirtual', { url: 'sim:esp32' });
    expect(paths(lastListing())).toEqual(['sim:esp8266', 'sim:esp32', 'sim:esp32c3']);

    // Replugged: listed again, and it still holds what the station wrote (a shelf, not a new board).
    await service.call('stationPlugVirtual', { url: board });
    expect(paths(lastListing())).toContain(board);
    expect(
      Buffer.from(service.virtualDevice(board).readFlash(0, 16)).equals(smallImage(5).subarray(0, 16)),
    ).toBe(true);
  });

  it('ports mode: the sim: boards a station is started on are announced too', async () => {
    const { service, events } = start();
    const { sha256 } = await service.call('inspectFirmware', { name: 'fw.bin', bytes: smallImage(6) });
    await service.call('stationSaveProfile', {
      profile: { name: 'listed', baud: 921600, images: [{ sha256, offset: 0, name: 'fw.bin' }] },
    });
    const boards = ['sim:esp8266?seed=51', 'sim:esp8266?seed=52'];
    await service.call('stationStart', { profile: 'listed', ports: boards });
    const changed = events.filter((e) => e.event === 'portsChanged');
    expect(changed).toHaveLength(1);
    const listed = (changed[0]!.payload as { ports: { path: string }[] }).ports.map((p) => p.path);
    for (const b of boards) expect(listed).toContain(b);
    await until(() => events.filter((e) => e.event === 'stationRecord').length === 2);
  });

  it('auto mode with a VID:PID filter: a matching hot-plugged adapter is flashed and recorded with its bridge, others are ignored', async () => {
    dir = tempDir('kiln-station-service-');
    const clock = new VirtualClock();
    const boards = new Map<string, SimulatedDevice>([
      ['/dev/ttyUSB0', new SimulatedDevice({ chip: 'esp8266', seed: 91, clock })],
      ['/dev/ttyUSB1', new SimulatedDevice({ chip: 'esp8266', seed: 92, clock })],
    ]);
    let hotplug: PortWatchHandlers | undefined;
    const opened: string[] = [];
    const deps = {
      ...defaultDeps({ clock }),
      watchPorts(h: PortWatchHandlers) {
        hotplug = h;
        return { close() {} };
      },
      async listPorts() {
        return [];
      },
      async openTransport(p: string, o: { baudRate: number; usbId?: string }) {
        opened.push(p);
        const pair = createMemoryPair({
          path: p,
          baudRate: o.baudRate,
          ...(o.usbId ? { usbId: o.usbId } : {}),
        });
        boards.get(p)!.attach(pair.device);
        return pair.host;
      },
    };
    service = createService(deps, {
      host: 'web',
      appName: 'Kiln',
      appVersion: 'test',
      dataDir: dir,
      logDir: dir,
      logger: silentLogger,
    });
    const records: unknown[] = [];
    service.subscribe((event, payload) => {
      if (event === 'stationRecord') records.push(payload);
    });
    const { sha256 } = await service.call('inspectFirmware', { name: 'fw.bin', bytes: smallImage(4) });
    await service.call('stationSaveProfile', {
      profile: { name: 'ch340', baud: 921600, images: [{ sha256, offset: 0, name: 'fw.bin' }] },
    });
    await service.call('stationStart', { profile: 'ch340', auto: { filter: '1a86:7523' } });
    const port = (path: string, vid: string, pid: string): PortInfo => {
      const bridge = bridgeFor(vid, pid);
      return {
        path,
        vendorId: vid,
        productId: pid,
        usbId: `${vid}:${pid}`,
        defaultBaud: 115200,
        ...(bridge ? { bridge } : {}),
      };
    };
    hotplug!.onAdded(port('/dev/ttyUSB1', '10c4', 'ea60')); // a CP2102: not in the filter
    hotplug!.onAdded(port('/dev/ttyUSB0', '1a86', '7523')); // a CH340: flashed
    await until(() => records.length === 1);
    const report = await service.call('stationReport', {});
    expect(report.records).toHaveLength(1);
    expect(report.records[0]).toMatchObject({
      port: '/dev/ttyUSB0',
      usbId: '1a86:7523',
      bridge: 'CH340',
      result: 'verified',
      mac: boards.get('/dev/ttyUSB0')!.mac,
    });
    expect(opened).toEqual(['/dev/ttyUSB0']);
    hotplug!.onRemoved('/dev/ttyUSB0');
    const snap = await service.call('stationStatus', {});
    expect(snap.slots).toEqual([
      expect.objectContaining({ port: '/dev/ttyUSB0', state: 'verified', present: false }),
    ]);
  });
});
