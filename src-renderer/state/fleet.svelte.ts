/**
 * The Fleet tab's state: the form (broker address, fleet name, user, password, an optional CA file for mqtts://),
 * the watch as the service pushes it (`fleetUpdate`), and the actions (watch, stop watching, export CSV). The service
 * owns the watch, so a reloaded page picks it up with `load()`. The password stays in this object only until it is
 * sent; it is cleared once the watch starts and never shown again.
 */
import type { KilnApi, MethodInput, MethodOutput, UiError } from '../api/types';
import { toUiError } from '../lib/errors';

export type FleetWatchState = MethodOutput<'fleetStatus'>;
export type FleetViewData = NonNullable<FleetWatchState['view']>;
export type FleetStationView = FleetViewData['stations'][number];

/** What each trouble means, said first in plain words (the service's message and code follow). */
const TROUBLE: Record<string, string> = {
  BROKER_AUTH: 'The broker refused the user name or password.',
  BROKER_UNREACHABLE: 'Kiln cannot reach the broker.',
  BAD_REQUEST: 'Kiln cannot use these settings.',
  NOT_FOUND: 'Nothing to export yet.',
};

export function troubleTitle(e: UiError): string {
  return TROUBLE[e.code] ?? 'Watching the fleet failed.';
}

export class FleetState {
  broker = $state('');
  fleet = $state('');
  user = $state('');
  password = $state('');
  /** PEM text of a CA file the person picked (mqtts:// with a private CA), and its file name. */
  ca = $state<{ name: string; pem: string } | undefined>(undefined);
  watch = $state<FleetWatchState>({ watching: false });
  error = $state<UiError | undefined>(undefined);
  busy = $state(false);

  readonly view = $derived(this.watch.view);

  readonly #api: KilnApi;
  readonly #off: () => void;

  constructor(api: KilnApi) {
    this.#api = api;
    this.#off = api.on('fleetUpdate', (w) => (this.watch = w));
  }

  async load(): Promise<void> {
    await this.#run(async () => {
      this.watch = await this.#api.fleetStatus({});
      if (this.watch.broker) this.broker = this.watch.broker;
      if (this.watch.fleet) this.fleet = this.watch.fleet;
    });
  }

  async start(): Promise<boolean> {
    const input: MethodInput<'fleetWatch'> = { broker: this.broker.trim(), fleet: this.fleet.trim() };
    if (this.user.trim()) input.user = this.user.trim();
    if (this.password) input.password = this.password;
    if (this.ca) input.ca = this.ca.pem;
    return this.#run(async () => {
      this.watch = await this.#api.fleetWatch(input);
      this.password = '';
    });
  }

  async stop(): Promise<void> {
    await this.#run(async () => {
      this.watch = await this.#api.fleetUnwatch({});
    });
  }

  /** The merged stream as CSV, for the browser's download (Electron asks where to save it). */
  async exportCsv(): Promise<{ name: string; blob: Blob; rows: number } | undefined> {
    let out: { name: string; blob: Blob; rows: number } | undefined;
    await this.#run(async () => {
      const { name, csv, rows } = await this.#api.fleetExportCsv({});
      out = { name, blob: new Blob([csv], { type: 'text/csv' }), rows };
    });
    return out;
  }

  destroy(): void {
    this.#off();
  }

  async #run(fn: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    try {
      await fn();
      this.error = undefined;
      return true;
    } catch (e) {
      this.error = toUiError(e);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
