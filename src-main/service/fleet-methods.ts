/**
 * The Fleet tab behind the contract: one fleet watch per service (fleet/fleet-watch.ts), its picture pushed to
 * every client as `fleetUpdate` (at once on a connection change, at most every FLEET_UPDATE_INTERVAL_MS while
 * records pour in), the merged stream as CSV (fleet/fleet-view.ts, the same CSV as `kiln fleet --csv`).
 *
 * The password arrives with `fleetWatch` and goes to MQTT.js only (validation errors never quote a value): it is
 * never logged, stored or sent back, and neither is the user name.
 */
import { KilnError } from '../core/errors';
import type { FleetWatch } from '../fleet/fleet-watch';
import type { MethodName, MethodOutput, ParsedInput } from './contract';
import type { Logger, ServiceDeps } from './deps';
import type { EventBus } from './event-bus';

/** The latest boards each update carries (a long day's fleet has thousands; the CSV export has them all). */
export const LATEST_RECORDS_SENT = 100;

/** Coalescing of `fleetUpdate` while stations report. */
export const FLEET_UPDATE_INTERVAL_MS = 200;

type FleetMethodName = Extract<MethodName, `fleet${string}`>;
export type FleetHandlers = {
  [N in FleetMethodName]: (input: ParsedInput<N>) => Promise<MethodOutput<N>>;
};
type WatchState = MethodOutput<'fleetStatus'>;

/** A field the person filled in, as the Fleet tab labels it, for refusals in plain words. */
const FIELD_LABEL: Record<string, string> = { broker: 'Broker address', fleet: 'Fleet name', user: 'User' };

function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

export function createFleetService(env: { deps: ServiceDeps; bus: EventBus; logger: Logger }): {
  handlers: FleetHandlers;
  shutdown(): Promise<void>;
} {
  let watch: FleetWatch | undefined;
  let watched: { broker: string; fleet: string } | undefined;
  let pending: (() => void) | undefined;

  const state = (): WatchState => {
    if (!watch || !watched) return { watching: false };
    const out: WatchState = { watching: true, ...watched, connection: watch.connection };
    if (watch.error) {
      out.error = { code: watch.error.code, message: watch.error.message };
      if (watch.error.hint) out.error.hint = watch.error.hint;
    }
    if (watch.connection !== 'connecting') {
      const view = watch.view();
      out.view = { ...view, records: view.records.slice(0, LATEST_RECORDS_SENT) };
    }
    return out;
  };
  const emit = () => {
    pending?.();
    pending = undefined;
    env.bus.emit('fleetUpdate', state());
  };
  let lastConnection: string | undefined;
  /** Watch and unwatch run one after the other, so two quick clicks never leave a second connection behind. */
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => {});
    return run;
  };
  const onChange = () => {
    const connection = watch?.connection;
    if (connection !== lastConnection) {
      lastConnection = connection;
      if (watch?.error) env.logger.warn(`fleet watch: ${watch.error.code}: ${watch.error.message}`);
      return emit();
    }
    pending ??= env.deps.clock.setTimer(FLEET_UPDATE_INTERVAL_MS, emit);
  };

  async function unwatch(): Promise<void> {
    pending?.();
    pending = undefined;
    const w = watch;
    watch = undefined;
    watched = undefined;
    await w?.close();
  }

  const handlers: FleetHandlers = {
    fleetWatch: (input) => serial(() => watchFleet(input)),
    async fleetStatus() {
      return state();
    },
    async fleetExportCsv() {
      if (!watch || !watched || watch.connection === 'connecting')
        throw new KilnError('NOT_FOUND', 'No fleet is being watched.', {
          hint: 'Watch a fleet first, then export its records.',
        });
      const { fleetCsv } = await import('../fleet/fleet-view');
      const view = watch.view();
      return {
        name: `fleet-${watched.fleet}-${stamp()}.csv`,
        csv: fleetCsv(view),
        rows: view.records.length,
      };
    },
    fleetUnwatch: () =>
      serial(async () => {
        await unwatch();
        emit();
        return state();
      }),
  };

  async function watchFleet(input: ParsedInput<'fleetWatch'>): Promise<MethodOutput<'fleetWatch'>> {
    // MQTT.js and the settings' zod load only when someone watches a fleet.
    const [{ fleetSettingsSchema }, { FleetWatch }] = await Promise.all([
      import('../fleet/settings'),
      import('../fleet/fleet-watch'),
    ]);
    const parsed = fleetSettingsSchema.safeParse({
      broker: input.broker.trim(),
      fleet: input.fleet.trim(),
      ...(input.user ? { user: input.user } : {}),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = FIELD_LABEL[String(issue.path[0])] ?? 'Broker address';
      throw new KilnError('BAD_REQUEST', `${field}: ${issue.message}.`, {
        hint: 'e.g. broker mqtt://broker.local:1883 and fleet shop.',
      });
    }
    await unwatch();
    const w = await FleetWatch.open({
      settings: parsed.data,
      ...(input.password !== undefined ? { password: input.password } : {}),
      ...(input.ca !== undefined ? { ca: input.ca } : {}),
      forScreen: true,
      onChange: () => {
        if (watch === w) onChange();
      },
    });
    watch = w;
    watched = { broker: parsed.data.broker, fleet: parsed.data.fleet };
    lastConnection = w.connection;
    try {
      await w.ready;
    } catch (e) {
      if (watch === w) await unwatch();
      throw e;
    }
    env.logger.info(`fleet watch: fleet "${parsed.data.fleet}" at ${parsed.data.broker}`);
    lastConnection = w.connection;
    emit();
    return state();
  }

  return { handlers, shutdown: unwatch };
}
