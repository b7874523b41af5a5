/**
 * The few contract methods whose answer needs something only the Electron host can do. Wraps the service's invoke
 * for those methods; every other method passes straight through, so the binding stays one generic loop.
 */
import type { MethodOutput } from '../../service/contract';
import type { ServiceInvoke } from './ipc';

export interface ElectronAbilities {
  /** `shell.openPath`: resolves to '' on success, an error message otherwise. */
  openPath(path: string): Promise<string>;
}

export function withElectronAbilities(invoke: ServiceInvoke, abilities: ElectronAbilities): ServiceInvoke {
  return async (method, input) => {
    const output = await invoke(method, input);
    if (method === 'openLogFolder') {
      // The path comes from the service's own configuration, never from the renderer.
      const { path } = output as MethodOutput<'openLogFolder'>;
      const failure = await abilities.openPath(path);
      return { path, opened: failure === '' } satisfies MethodOutput<'openLogFolder'>;
    }
    return output;
  };
}
