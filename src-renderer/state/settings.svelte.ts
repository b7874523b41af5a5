/** App settings, loaded once and written through `setSettings` (the service merges and persists). */
import type { KilnApi, MethodInput, Settings, UiError } from '../api/types';
import { toUiError } from '../lib/errors';

export class SettingsState {
  value = $state<Settings | undefined>(undefined);
  error = $state<UiError | undefined>(undefined);

  readonly #api: KilnApi;

  constructor(api: KilnApi) {
    this.#api = api;
  }

  async load(): Promise<void> {
    try {
      this.value = await this.#api.getSettings({});
    } catch (e) {
      this.error = toUiError(e);
    }
  }

  async update(patch: MethodInput<'setSettings'>): Promise<void> {
    try {
      this.value = await this.#api.setSettings(patch);
      this.error = undefined;
    } catch (e) {
      this.error = toUiError(e);
    }
  }

  /** Remembers the baud picked for a port (merged by the service with the other ports' entries). */
  async rememberBaud(port: string, baud: number): Promise<void> {
    const baudByPort = { ...(this.value?.baudByPort ?? {}), [port]: baud };
    await this.update({ baudByPort: baudByPort as never });
  }
}
