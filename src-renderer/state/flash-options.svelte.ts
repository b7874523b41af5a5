/** The Flash screen's choices: baud and the flash options, seeded from the saved defaults. */
import type { FlashDefaults, FlashModeChoice } from '../api/types';

export class FlashOptionsState {
  baud = $state(115200);
  /** True once the user picked a baud by hand for the current port (stops the port default from overriding it). */
  baudChosen = $state(false);
  eraseAll = $state(false);
  flashMode = $state<FlashModeChoice>('keep');
  backupFirst = $state(false);
  skipUnchanged = $state(true);

  applyDefaults(d: Partial<FlashDefaults> | undefined): void {
    if (!d) return;
    if (d.eraseAll !== undefined) this.eraseAll = d.eraseAll;
    if (d.flashMode !== undefined) this.flashMode = d.flashMode;
    if (d.backupFirst !== undefined) this.backupFirst = d.backupFirst;
    if (d.skipUnchanged !== undefined) this.skipUnchanged = d.skipUnchanged;
  }

  toOptions(): FlashDefaults {
    return {
      eraseAll: this.eraseAll,
      flashMode: this.flashMode,
      flashFreq: 'keep',
      flashSize: 'keep',
      skipUnchanged: this.skipUnchanged,
      backupFirst: this.backupFirst,
    };
  }
}
