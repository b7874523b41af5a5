/**
 * A KilnApi test double: every method is a vi.fn whose behaviour a test sets; `emit()` pushes an event to the
 * subscribers exactly as a host would; `listenerCount()` shows that `destroy()` really unsubscribed.
 */
import { vi, type Mock } from 'vitest';
import type {
  EventName,
  EventPayload,
  KilnApi,
  MethodInput,
  MethodName,
  MethodOutput,
  PortEntry,
  FirmwareSummary,
  DeviceInfo,
  FlashJobResult,
} from '../../src-renderer/api/types';
import { METHOD_NAMES } from '../../src-main/vocabulary';

type Handlers = { [N in MethodName]: Mock<(input: MethodInput<N>) => Promise<MethodOutput<N>>> };

export interface FakeApi extends KilnApi {
  fn: Handlers;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  listenerCount(event?: EventName): number;
}

export function createFakeApi(): FakeApi {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const fn = {} as Record<string, Mock>;
  for (const name of METHOD_NAMES) {
    fn[name] = vi.fn(async () => {
      throw Object.assign(new Error(`fake: ${name} not set up`), { code: 'INTERNAL' });
    });
  }
  const api: Record<string, unknown> = { fn };
  for (const name of METHOD_NAMES) api[name] = (input: unknown) => fn[name]!(input);
  api.on = (event: string, cb: (p: unknown) => void) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(cb);
    return () => set.delete(cb);
  };
  api.emit = (event: string, payload: unknown) => {
    for (const cb of [...(listeners.get(event) ?? [])]) cb(payload);
  };
  api.listenerCount = (event?: string) =>
    event ? (listeners.get(event)?.size ?? 0) : [...listeners.values()].reduce((n, s) => n + s.size, 0);
  return api as unknown as FakeApi;
}

export function realPort(over: Partial<PortEntry> = {}): PortEntry {
  return {
    path: '/dev/ttyUSB0',
    group: 'serial',
    label: 'CP2102 USB to UART Bridge Controller',
    bridge: 'CP210x',
    usbId: '10c4:ea60',
    byId: '/dev/serial/by-id/usb-Silicon_Labs_CP2102_0001-if00-port0',
    defaultBaud: 460800,
    ...over,
  };
}

export function virtualPort(chip: 'esp8266' | 'esp32' | 'esp32c3' = 'esp8266'): PortEntry {
  return {
    path: `sim:${chip}`,
    group: 'virtual',
    label: `Virtual ${chip.toUpperCase()}`,
    detail: 'Simulated board',
    defaultBaud: 921600,
    chip,
  };
}

export function summary(
  over: Omit<Partial<FirmwareSummary>, 'info'> & { info?: Partial<FirmwareSummary['info']> } = {},
): FirmwareSummary {
  const { info, ...rest } = over;
  return {
    sha256: 'a'.repeat(64),
    name: 'app.bin',
    size: 4096,
    warnings: [],
    ...rest,
    info: {
      format: 'esp8266',
      chip: 'esp8266',
      role: 'app',
      flashMode: 'dio',
      flashSize: '4MB',
      suggestedOffset: 0,
      ...info,
    },
  };
}

export function deviceInfo(over: Partial<DeviceInfo> = {}): DeviceInfo {
  return {
    chip: 'esp8266',
    description: 'ESP8266EX',
    revision: '',
    features: ['WiFi'],
    mac: '5c:cf:7f:01:02:03',
    crystalMHz: 26,
    flashId: 0x1640ef,
    flashSize: 1024 * 1024,
    stub: true,
    baud: 460800,
    ...over,
  };
}

/** A verified one-region flash of a.bin (1 KiB) on deviceInfo() at 921600 baud in 4.2 s; `over` replaces fields. */
export function flashResult(over: Partial<FlashJobResult> = {}): FlashJobResult {
  return {
    kind: 'flash',
    device: deviceInfo(),
    regions: [
      {
        offset: 0,
        size: 1024,
        md5: '0123456789abcdef0123456789abcdef',
        bytesSent: 600,
        blocksSkipped: 0,
        blocksTotal: 1,
        verified: true,
        name: 'a.bin',
      },
    ],
    bytesSent: 600,
    durationMs: 4200,
    baud: 921600,
    ...over,
  };
}

/**
 * Answers for the Flash screen: a web host on Linux listing `ports`, default settings (boot check on; a settings
 * write answers with whatever getSettings answers), firmware that inspects as 1 KiB, and a flash job `j1`.
 */
export function mockFlashBackend(api: FakeApi, ports: PortEntry[]): FakeApi {
  api.fn.appInfo.mockResolvedValue({
    name: 'Kiln',
    version: '0.1.0',
    host: 'web',
    platform: 'linux',
    logFolder: '/tmp/logs',
    dataFolder: '/tmp/data',
  });
  api.fn.listPorts.mockResolvedValue({ ports });
  api.fn.getSettings.mockResolvedValue({
    theme: 'system',
    baudByPort: {},
    monitorBaud: 115200,
    showVirtualDevices: true,
    flash: {
      eraseAll: false,
      flashMode: 'keep',
      flashFreq: 'keep',
      flashSize: 'keep',
      skipUnchanged: true,
      backupFirst: false,
      bootCheck: true,
    },
  });
  api.fn.setSettings.mockImplementation(
    async () => (await api.fn.getSettings.getMockImplementation()!({})) as never,
  );
  api.fn.inspectFirmware.mockImplementation(async ({ name }) =>
    summary({ name, sha256: 'c'.repeat(64), size: 1024 }),
  );
  api.fn.startFlash.mockResolvedValue({ jobId: 'j1' });
  return api;
}

/** Resolves after pending promise callbacks (and Svelte's microtask flush) have run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
