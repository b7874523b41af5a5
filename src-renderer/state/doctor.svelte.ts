/**
 * The access report and its fixes. A fix runs only through `confirm()` after `ask()` showed its exact command:
 * there is no single-step path from a button to `runFix`.
 */
import type { AccessReport, Fix, KilnApi, MethodOutput, UiError } from '../api/types';
import { toUiError } from '../lib/errors';

export type Finding = AccessReport['system'][number];

export class DoctorState {
  report = $state<AccessReport | undefined>(undefined);
  /** The port the report was asked for (undefined = every USB serial node present). */
  port = $state<string | undefined>(undefined);
  loading = $state(false);
  error = $state<UiError | undefined>(undefined);
  /** The fix whose command is on screen, awaiting the user's confirmation. */
  pendingFix = $state<Fix | undefined>(undefined);
  running = $state(false);
  lastRun = $state<{ fix: Fix; outcome: MethodOutput<'runFix'> } | undefined>(undefined);

  /** Every finding: system-wide first, then per port. */
  readonly findings = $derived<Finding[]>(
    this.report ? [...this.report.system, ...this.report.ports.flatMap((p) => p.findings)] : [],
  );
  readonly fixesById = $derived(
    new Map<string, Fix>(this.findings.flatMap((f) => f.fixes).map((f) => [f.id, f])),
  );

  readonly #api: KilnApi;

  constructor(api: KilnApi) {
    this.#api = api;
  }

  async load(port?: string): Promise<void> {
    this.loading = true;
    this.port = port;
    try {
      this.report = await this.#api.doctorReport(port ? { port } : {});
      this.error = undefined;
    } catch (e) {
      this.error = toUiError(e);
    } finally {
      this.loading = false;
    }
  }

  ask(fixId: string): void {
    this.pendingFix = this.fixesById.get(fixId);
    this.lastRun = undefined;
  }

  dismiss(): void {
    this.pendingFix = undefined;
  }

  /** Runs the fix the user is looking at, then re-reads the report so the finding's new state shows. */
  async confirm(): Promise<void> {
    const fix = this.pendingFix;
    if (!fix || this.running) return;
    this.running = true;
    try {
      const outcome = await this.#api.runFix({ fixId: fix.id, confirmed: true });
      this.lastRun = { fix, outcome };
    } catch (e) {
      const error = toUiError(e);
      this.lastRun = { fix, outcome: { ok: false, status: 'failed', error: error as never } };
    } finally {
      this.running = false;
      this.pendingFix = undefined;
    }
    await this.load(this.port);
  }
}
