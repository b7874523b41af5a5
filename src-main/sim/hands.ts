/**
 * The user's hands on a virtual board: what Kiln asks a person to do and cannot do itself. Hold or release the
 * GPIO0 button, switch the supply off and on, press RESET, cross TX/RX (and uncross them), put a loopback jumper
 * on the adapter. Tests call the methods; a `sim:` URL carries a script of timed actions
 * (`hands=hold@0.5,power@1,release@3`, seconds from the first time the port opens) so the CLI and the GUI can
 * be driven with nobody at the bench.
 *
 * Facts: a powered ESP always prints its ROM banner at power-up and at a RESET press, with the boot mode its
 * straps had at that instant (failure-diagnosis.md §B; esp8266_rom_bootmode_1_x_download_arduino9016.txt). The
 * power-off time of a `power` cycle is a [guess] (long enough for a board's supply capacitors to drain).
 */
import type { Clock } from '../core/clock';
import { KilnError } from '../core/errors';
import { HAND_ACTIONS, type HandAction } from '../vocabulary';
import type { SimulatedDevice } from './device';

/** Supply off during a `power` cycle. [guess] */
export const POWER_OFF_MS = 300;

export interface TimedAction {
  atMs: number;
  action: HandAction;
}

/** What the hands are doing now, for a GUI's controls. */
export interface HandsState {
  buttonHeld: boolean;
  powered: boolean;
  swapped: boolean;
  loopback: boolean;
}

/** `hold@0.5,power@1,release@3` → timed actions in time order (refuses unknown actions and bad times). */
export function parseHandScript(text: string): TimedAction[] {
  const out: TimedAction[] = [];
  for (const item of text.split(',').filter(Boolean)) {
    const m = /^([a-z]+)@(\d+(?:\.\d+)?)$/.exec(item.trim());
    const action = HAND_ACTIONS.find((a) => a === m?.[1]);
    if (!m || !action) {
      throw new KilnError('BAD_REQUEST', `"${item}" is not a hand action.`, {
        hint: `Write ACTION@SECONDS, e.g. hold@0.5,power@1,release@3. Actions: ${HAND_ACTIONS.join(', ')}.`,
      });
    }
    out.push({ atMs: Math.round(Number(m[2]) * 1000), action });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

export class VirtualHands {
  private state: HandsState = { buttonHeld: false, powered: true, swapped: false, loopback: false };
  private readonly cancels = new Set<() => void>();

  constructor(
    private readonly device: SimulatedDevice,
    private readonly clock: Clock,
  ) {
    const f = device.currentFaults;
    this.state.swapped = !!f.swapTxRx;
    this.state.loopback = !!f.shortTxRx;
  }

  get now(): HandsState {
    return { ...this.state };
  }

  do(action: HandAction): void {
    switch (action) {
      case 'hold':
      case 'release':
        this.state.buttonHeld = action === 'hold';
        this.device.setButton(this.state.buttonHeld);
        return;
      case 'off':
      case 'on':
        this.state.powered = action === 'on';
        this.device.setPower(this.state.powered);
        return;
      case 'power':
        // A cycle: it ends powered, so that is the state to show (the off time is a moment, not a state).
        this.state.powered = true;
        this.device.setPower(false);
        this.later(POWER_OFF_MS, () => this.device.setPower(this.state.powered));
        return;
      case 'reset':
        this.device.pressReset();
        return;
      case 'swap':
      case 'unswap':
        this.state.swapped = action === 'swap';
        this.device.setFaults({ ...this.device.currentFaults, swapTxRx: this.state.swapped });
        return;
      case 'loop':
      case 'unloop':
        // The jumper goes on the adapter with the board unplugged (so unpowered): the host hears its own bytes.
        // Taking it off leaves the board unplugged until `on` or `power`.
        if (action === 'loop') this.do('off');
        this.state.loopback = action === 'loop';
        this.device.setFaults({ ...this.device.currentFaults, shortTxRx: this.state.loopback });
        return;
    }
  }

  /** Plays a script from now on; returns a cancel. */
  play(script: readonly TimedAction[]): () => void {
    const mine = script.map((a) => this.later(a.atMs, () => this.do(a.action)));
    return () => mine.forEach((c) => c());
  }

  stop(): void {
    for (const c of this.cancels) c();
    this.cancels.clear();
  }

  private later(ms: number, fn: () => void): () => void {
    const cancel = this.clock.setTimer(ms, () => {
      this.cancels.delete(cancel);
      fn();
    });
    this.cancels.add(cancel);
    return cancel;
  }
}
