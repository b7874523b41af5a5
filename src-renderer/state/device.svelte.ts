/** "Identify": connect to the selected port, read chip, MAC and flash size, and remember them for warnings. */
import type { DeviceInfo, Diagnosis, KilnApi, UiError } from '../api/types';
import { toUiError } from '../lib/errors';

export class DeviceState {
  info = $state<DeviceInfo | undefined>(undefined);
  /** Port the info belongs to; a different selection makes it stale. */
  port = $state<string | undefined>(undefined);
  identifying = $state(false);
  error = $state<UiError | undefined>(undefined);
  diagnosis = $state<Diagnosis | undefined>(undefined);

  readonly #api: KilnApi;

  constructor(api: KilnApi) {
    this.#api = api;
  }

  async identify(port: string, baud?: number): Promise<void> {
    this.identifying = true;
    this.error = undefined;
    this.diagnosis = undefined;
    try {
      this.info = await this.#api.identify(baud === undefined ? { port } : { port, baud: baud as never });
      this.port = port;
    } catch (e) {
      this.info = undefined;
      this.error = toUiError(e);
      const d = (this.error.details as { diagnosis?: Diagnosis } | undefined)?.diagnosis;
      if (d) this.diagnosis = d;
    } finally {
      this.identifying = false;
    }
  }

  /** What is known about the board on `port`, if it was identified (or flashed) there. */
  infoFor(port: string | undefined): DeviceInfo | undefined {
    return port !== undefined && port === this.port ? this.info : undefined;
  }

  /** A finished flash also tells us the device. */
  learn(port: string, info: DeviceInfo): void {
    this.port = port;
    this.info = info;
  }

  forget(): void {
    this.info = undefined;
    this.port = undefined;
    this.error = undefined;
    this.diagnosis = undefined;
  }
}
