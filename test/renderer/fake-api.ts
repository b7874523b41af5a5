/**
 * A KilnApi test double: every method is a vi.fn whose behaviour a test sets; `emit()` pushes an event to the
 * subscribers exactly as a host would; `listenerCount()` shows that `destroy()` really unsubscribed.
 */
import { vi, type Mock } from 'vitest';
import type { EventName, EventPayload, KilnApi, MethodInput, MethodName, MethodOutput, PortEntry, FirmwareSummary, DeviceInfo } from '../../src-renderer/api/types';
import { METHOD_NAMES } from '../../src-renderer/api/method-names';

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
  return { path: `sim:${chip}`, group: 'virtual', label: `Virtual ${chip.toUpperCase()}`, detail: 'Simulated board', defaultBaud: 921600, chip };
}

export function summary(over: Omit<Partial<FirmwareSummary>, 'info'> & { info?: Partial<FirmwareSummary['info']> } = {}): FirmwareSummary {
  const { info, ...rest } = over;
  return {
    sha256: 'a'.repeat(64),
    name: 'app.bin',
    size: 4096,
    warnings: [],
    ...rest,
    info: { format: 'esp8266', chip: 'esp8266', role: 'app', flashMode: 'dio', flashSize: '4MB', suggestedOffset: 0, ...info },
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

/** Resolves after pending promise callbacks (and Svelte's microtask flush) have run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
