import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from '../../src-main/hosts/electron/window-options';

describe('main window options', () => {
  const options = mainWindowOptions({
    preloadPath: '/opt/Kiln/resources/app.asar/dist/main/preload.cjs',
  });
  const prefs = options.webPreferences!;

  it('sets every security flag explicitly', () => {
    // Each flag must be present as an own property (not merely defaulted by Electron).
    for (const key of [
      'contextIsolation',
      'sandbox',
      'nodeIntegration',
      'webSecurity',
      'allowRunningInsecureContent',
    ] as const) {
      expect(Object.prototype.hasOwnProperty.call(prefs, key), key).toBe(true);
    }
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.enableBlinkFeatures).toBe('');
    expect(prefs.disableBlinkFeatures).toBe('Auxclick');
    expect(prefs.navigateOnDragDrop).toBe(false);
  });

  it('uses the given CommonJS preload and nothing that loads remote content', () => {
    expect(prefs.preload).toBe('/opt/Kiln/resources/app.asar/dist/main/preload.cjs');
    expect(prefs.preload!.endsWith('.cjs')).toBe(true);
    // The preload takes the contract's names from src-main/vocabulary, bundled in; nothing is passed on argv.
    expect(prefs.additionalArguments).toBeUndefined();
    expect(JSON.stringify(options)).not.toMatch(/https?:\/\//);
  });

  it('stays hidden until the first paint', () => {
    expect(options.show).toBe(false);
  });
});
