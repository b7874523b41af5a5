/**
 * "Save this Flash setup as a profile": the Flash screen leaves a profile draft here and switches to the Station tab,
 * whose screen takes the draft once and opens its profile editor prefilled with it. One handoff per app (keyed by
 * its AppState), so tests and a second app never see each other's drafts.
 */
import type { ProfileDraft } from './station.svelte';
import type { FlashOptionsState } from './flash-options.svelte';
import type { FirmwareListState } from './firmware-list.svelte';

export class ProfileHandoff {
  draft = $state<ProfileDraft | undefined>(undefined);

  offer(draft: ProfileDraft): void {
    this.draft = draft;
  }

  /** The waiting draft, once. */
  take(): ProfileDraft | undefined {
    const d = this.draft;
    this.draft = undefined;
    return d;
  }
}

const HANDOFFS = new WeakMap<object, ProfileHandoff>();

export function profileHandoff(app: object): ProfileHandoff {
  let h = HANDOFFS.get(app);
  if (!h) HANDOFFS.set(app, (h = new ProfileHandoff()));
  return h;
}

/** A profile name from the firmware's file name: the characters a profile name allows (station/schemas.ts). */
function suggestedName(file: string | undefined): string {
  const base = (file ?? '').replace(/\.(bin|json)$/i, '').replace(/[^A-Za-z0-9 ._-]+/g, '-');
  return base.replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
}

/** The Flash screen's firmware and options as a station profile draft (the name is only a suggestion). */
export function draftFromFlashSetup(firmware: FirmwareListState, options: FlashOptionsState): ProfileDraft {
  const o = options.toOptions();
  return {
    name: suggestedName(firmware.manifest?.manifest.name ?? firmware.items[0]?.name),
    images: firmware.toImages(),
    baud: options.baud as ProfileDraft['baud'],
    options: {
      eraseAll: o.eraseAll,
      backupFirst: o.backupFirst,
      skipUnchanged: o.skipUnchanged,
      flashMode: o.flashMode,
      verify: true,
    },
    bootCheck: options.bootCheck,
    ...(options.preset?.reset === 'manual' ? { before: 'manual' as const } : {}),
  };
}
