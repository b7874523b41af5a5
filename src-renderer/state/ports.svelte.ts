/**
 * The port picker's state: the latest listing (real ports and virtual devices), live on `portsChanged`, and the
 * user's selection. A selected port that disappears stays selected (so replugging it restores the choice) but
 * `selected` becomes undefined and `selectionMissing` true.
 */
import type { KilnApi, PortEntry, UiError } from '../api/types';
import { toUiError } from '../lib/errors';
import { chipLabel } from '../lib/chips';

export class PortsState {
  ports = $state<PortEntry[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state<UiError | undefined>(undefined);
  selectedPath = $state<string | undefined>(undefined);
  /** A port typed by hand ("Other port…"): a socket:// address, a sim: URL with options, a path not listed. */
  custom = $state<PortEntry | undefined>(undefined);
  /** The last `sim:` URL with options typed by hand (listed until another is typed). */
  #lastTyped = $state<string | undefined>(undefined);

  readonly real = $derived(this.ports.filter((p) => p.group !== 'virtual'));
  readonly virtual = $derived(this.ports.filter((p) => p.group === 'virtual'));
  /**
   * The virtual boards the picker lists: the plain ones (`sim:esp8266`…), then one board typed by hand (the last
   * one, or the selected one). The service lists every `sim:` URL used since it started (faults tried, station
   * slots); listing them all piled up to a dozen near-identical entries above the firmware.
   */
  readonly virtualShown = $derived.by(() => {
    const plain = this.virtual.filter((p) => !p.path.includes('?'));
    const extra = [this.selectedPath, this.#lastTyped]
      .filter((path): path is string => path?.startsWith('sim:') === true && path.includes('?'))
      .map(
        (path) =>
          this.virtual.find((p) => p.path === path) ?? (this.custom?.path === path ? this.custom : undefined),
      )
      .filter((p): p is PortEntry => p !== undefined);
    return [...plain, ...(extra[0] ? [extra[0]] : [])];
  });
  /** Real ports on USB (a board or an adapter). Built-in UARTs such as ttyS0 are listed but never count as a board. */
  readonly usb = $derived(this.real.filter(isUsbPort));
  readonly selected = $derived(
    this.ports.find((p) => p.path === this.selectedPath) ??
      (this.custom?.path === this.selectedPath ? this.custom : undefined),
  );
  readonly selectionMissing = $derived(
    this.selectedPath !== undefined && this.loaded && this.selected === undefined,
  );

  readonly #api: KilnApi;
  readonly #unsubscribe: () => void;

  constructor(api: KilnApi) {
    this.#api = api;
    this.#unsubscribe = api.on('portsChanged', ({ ports }) => this.#apply(ports));
  }

  async refresh(): Promise<void> {
    this.loading = true;
    try {
      const { ports } = await this.#api.listPorts({});
      this.#apply(ports);
      this.error = undefined;
    } catch (e) {
      this.error = toUiError(e);
    } finally {
      this.loading = false;
    }
  }

  select(path: string | undefined): void {
    this.selectedPath = path;
  }

  /**
   * Selects a port typed by hand. The service validates it (BAD_REQUEST with a hint when it is not a serial path,
   * `sim:` URL or `socket://` address), so here it only needs to be non-empty.
   */
  useCustom(text: string): void {
    const path = text.trim();
    if (path === '') return;
    if (path.startsWith('sim:')) this.#lastTyped = path;
    const listed = this.ports.find((p) => p.path === path);
    if (!listed) {
      const group = path.startsWith('sim:') ? 'virtual' : path.startsWith('socket://') ? 'network' : 'serial';
      this.custom = {
        path,
        group,
        label: group === 'virtual' ? virtualLabel(path) : path,
        detail: 'Entered by hand',
        defaultBaud: group === 'serial' ? 115200 : 460800,
      };
    }
    this.selectedPath = path;
  }

  /** The "try without hardware" path of the empty state: the first virtual device (ESP8266 when offered). */
  selectVirtual(chip = 'esp8266'): void {
    const pick = this.virtual.find((p) => p.chip === chip) ?? this.virtual[0];
    if (pick) this.selectedPath = pick.path;
  }

  destroy(): void {
    this.#unsubscribe();
  }

  #apply(ports: PortEntry[]): void {
    this.ports = ports;
    this.loaded = true;
    // With exactly one USB serial port and nothing chosen, choosing it is what every user would do. Ports without a
    // USB id (a PC's built-in ttyS0) are never guessed: they are almost never the board.
    if (this.selectedPath === undefined) {
      const usb = ports.filter(isUsbPort);
      if (usb.length === 1) this.selectedPath = usb[0]!.path;
    }
  }
}

function isUsbPort(p: PortEntry): boolean {
  return p.group === 'serial' && (p.usbId !== undefined || p.bridge !== undefined);
}

/** A typed `sim:` URL named as the service names the boards it lists: "Virtual ESP8266 (simulated) — fault=…". */
function virtualLabel(url: string): string {
  const [chip, query] = url.slice('sim:'.length).split('?', 2);
  return `Virtual ${chipLabel(chip)} (simulated)${query ? ` — ${query}` : ''}`;
}
