/**
 * The app's long-lived state, created once by App and shared with the screens by context, so switching tabs never
 * loses a running job, a console or the firmware list.
 */
import { getContext, setContext } from 'svelte';
import type { KilnApi } from '../api/types';
import { DeviceState } from './device.svelte';
import { DoctorState } from './doctor.svelte';
import { FirmwareListState } from './firmware-list.svelte';
import { FlashJobState } from './flash-job.svelte';
import { FlashOptionsState } from './flash-options.svelte';
import { MonitorState } from './monitor.svelte';
import { PortsState } from './ports.svelte';
import { SettingsState } from './settings.svelte';

export class AppState {
  readonly ports: PortsState;
  readonly device: DeviceState;
  readonly firmware: FirmwareListState;
  readonly options = new FlashOptionsState();
  readonly job: FlashJobState;
  readonly doctor: DoctorState;
  readonly monitor: MonitorState;
  readonly settings: SettingsState;

  constructor(readonly api: KilnApi) {
    this.ports = new PortsState(api);
    this.device = new DeviceState(api);
    this.firmware = new FirmwareListState(api);
    this.job = new FlashJobState(api);
    this.doctor = new DoctorState(api);
    this.monitor = new MonitorState(api);
    this.settings = new SettingsState(api);
  }

  async start(): Promise<void> {
    await Promise.all([this.ports.refresh(), this.settings.load(), this.resumeJobs()]);
    this.options.applyDefaults(this.settings.value?.flash);
    if (this.ports.selectedPath === undefined && this.settings.value?.lastPort) {
      if (this.ports.ports.some((p) => p.path === this.settings.value!.lastPort))
        this.ports.select(this.settings.value.lastPort);
    }
  }

  /** Picks up a job still running on the service (after a reload or a reconnect). */
  async resumeJobs(): Promise<void> {
    try {
      const { jobs } = await this.api.listJobs({});
      const running = jobs.find((j) => j.running);
      if (running) this.job.attach(running);
    } catch {
      // Older backends or a dropped connection: nothing to resume.
    }
  }

  destroy(): void {
    this.ports.destroy();
    this.job.destroy();
    this.monitor.destroy();
  }
}

const APP_STATE = Symbol('kiln-app-state');

export function provideAppState(state: AppState): void {
  setContext(APP_STATE, state);
}

export function useAppState(): AppState {
  const s = getContext<AppState | undefined>(APP_STATE);
  if (!s) throw new Error('No AppState in context: mount under <App> or pass it in the test context.');
  return s;
}

export function appStateContext(state: AppState): Map<symbol, unknown> {
  return new Map([[APP_STATE, state]]);
}
