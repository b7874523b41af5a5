/** The Flash screen's choices: baud and the flash options, seeded from the saved defaults. */
import type { FlashDefaults, FlashModeChoice, MethodInput, Settings } from '../api/types';
import type { BoardPreset } from '../../src-main/vocabulary';

export type FlashJobOptions = NonNullable<MethodInput<'startFlash'>['options']>;

export class FlashOptionsState {
  baud = $state(115200);
  eraseAll = $state(false);
  flashMode = $state<FlashModeChoice>('keep');
  backupFirst = $state(false);
  skipUnchanged = $state(true);
  /** Listen to the board's boot log after the hard reset (the service's post-flash boot check). */
  bootCheck = $state(true);
  /** Written into the image header; 'keep' leaves the image's own (a board preset may set it). */
  flashSize = $state<FlashDefaults['flashSize']>('keep');
  /** The board preset picked (BoardPresetPicker), whose wiring card the Flash screen shows. */
  preset = $state<BoardPreset | undefined>(undefined);

  /** Takes a board preset's flash mode, flash size and safe baud; undefined keeps the current choices. */
  applyPreset(p: BoardPreset | undefined): void {
    this.preset = p;
    if (!p) return;
    this.flashMode = p.flashMode;
    this.flashSize = p.flashSize;
    this.baud = p.safeBaud;
  }

  /**
   * A newly picked port's baud (remembered or bridge default), capped by the picked preset's safe baud: a Sonoff
   * picked before its port keeps 115200 even on an adapter that could go faster.
   */
  applyPortBaud(portBaud: number): void {
    this.baud = this.preset ? Math.min(portBaud, this.preset.safeBaud) : portBaud;
  }

  applyDefaults(d: Partial<Settings['flash']> | undefined): void {
    if (!d) return;
    if (d.eraseAll !== undefined) this.eraseAll = d.eraseAll;
    if (d.flashMode !== undefined) this.flashMode = d.flashMode;
    if (d.backupFirst !== undefined) this.backupFirst = d.backupFirst;
    if (d.skipUnchanged !== undefined) this.skipUnchanged = d.skipUnchanged;
    if (d.bootCheck !== undefined) this.bootCheck = d.bootCheck;
  }

  /**
   * The `startFlash` options. With the boot check on, `bootCheck` is left out so the service decides per port (it
   * listens only where it can reset the board: a UART's lines or a virtual board; native USB re-enumerates on a
   * reset and TCP has no lines). Off is sent as `bootCheck: false`, which skips the check everywhere.
   */
  toOptions(): FlashJobOptions {
    const options: FlashDefaults & { bootCheck?: boolean } = {
      eraseAll: this.eraseAll,
      flashMode: this.flashMode,
      flashFreq: 'keep',
      flashSize: this.flashSize,
      skipUnchanged: this.skipUnchanged,
      backupFirst: this.backupFirst,
    };
    if (!this.bootCheck) options.bootCheck = false;
    return options;
  }
}
