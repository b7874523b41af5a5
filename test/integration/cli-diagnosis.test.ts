/**
 * The seed story through the CLI: a Sonoff-style ESP8266 that was not put in download mode. `kiln flash` fails
 * with SYNC_FAILED (exit 7) and carries the doctor's reading — GPIO0 not held low — with the boot-mode text
 * it heard as evidence and the steps to take.
 */
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/hosts/cli/exit-codes';
import { runInProcess } from '../cli/helpers/cli-run';
import { firmwarePath } from '../helpers/shared';

describe('kiln flash on a board that is not in download mode', () => {
  it('exit 7 with the GPIO0 diagnosis, the boot-mode text as evidence', async () => {
    const r = await runInProcess([
      'flash',
      '--port',
      'sim:esp8266?fault=not-in-download-mode',
      '--json',
      firmwarePath('nonos_boot_v1.7.bin'),
    ]);
    expect(r.code).toBe(EXIT.SYNC);
    expect(r.final.error?.code).toBe('SYNC_FAILED');
    const diagnosis = r.final.diagnosis as {
      code: string;
      evidence: string[];
      steps: string[];
      title: string;
    };
    expect(diagnosis.code).toBe('ESP8266_FLASH_BOOT_GPIO0_HIGH');
    expect(diagnosis.evidence.join('\n')).toMatch(/boot mode:\(3,\d\)/);
    expect(diagnosis.steps.length).toBeGreaterThan(0);
  }, 30_000);
});
