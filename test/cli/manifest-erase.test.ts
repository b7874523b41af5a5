/**
 * `kiln flash manifest.json` and the manifest's `new_install_prompt_erase`: --erase-all erases, --no-erase-all does
 * not, a person at a terminal is asked (no by default), and with --json nobody is asked, nothing is erased and a
 * note says how to choose. Checked in the simulated board's flash: a block written beyond the manifest's image by
 * an earlier flash is 0xFF after a whole-flash erase and still there otherwise.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KilnService } from '../../src-main/service/service';
import { noiseBytes } from '../helpers/sim-bench';
import { virtualClockService } from '../service/helpers/sim-service';
import { runInProcess, tempDir, type InProcessOptions } from './helpers/cli-run';
import { esp8266App } from '../helpers/images';

const PORT = 'sim:esp8266?seed=9';
const KEPT_AT = 0x40000;

const app = esp8266App(6000, 1);
const kept = noiseBytes(8192, 2);

let dir: string | undefined;
let service: KilnService | undefined;
afterEach(async () => {
  await service?.shutdown();
  service = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/**
 * One service for every run of a test (its shutdown at the end of each run left out), so the simulated board and
 * its flash live from the first command to the last, as a board on the desk does.
 */
function bench(promptErase: boolean | undefined) {
  dir = tempDir('kiln-manifest-erase-');
  const s = virtualClockService(path.join(dir, 'data'));
  service = s;
  writeFileSync(path.join(dir, 'app.bin'), app);
  writeFileSync(path.join(dir, 'kept.bin'), kept);
  const manifest = path.join(dir, 'manifest.json');
  writeFileSync(
    manifest,
    JSON.stringify({
      name: 'Erase test',
      ...(promptErase !== undefined ? { new_install_prompt_erase: promptErase } : {}),
      builds: [{ chipFamily: 'ESP8266', parts: [{ path: 'app.bin', offset: 0 }] }],
    }),
  );
  const o: InProcessOptions = {
    dataDir: path.join(dir, 'data'),
    cwd: dir,
    createService: () => ({ ...s, shutdown: async () => undefined }),
  };
  const flash = (args: string[], extra: Partial<InProcessOptions> = {}) =>
    runInProcess(['flash', '--port', PORT, '--baud', '921600', ...args], { ...o, ...extra });
  const flashAt = (offset: number, len: number) => Buffer.from(s.virtualDevice(PORT).readFlash(offset, len));
  return { manifest, flash, flashAt };
}

/** The earlier flash: a block well beyond the manifest's image, so an erase of the whole flash shows there. */
async function writeBeyondTheImage(b: ReturnType<typeof bench>) {
  const r = await b.flash(['--json', `kept.bin@0x${KEPT_AT.toString(16)}`]);
  expect(r.code, r.stdout).toBe(0);
  expect(b.flashAt(KEPT_AT, kept.length).equals(kept)).toBe(true);
}

const NOTE = /manifest suggests erasing the whole flash first; not erased.*--erase-all/;

describe('kiln flash manifest.json with new_install_prompt_erase', () => {
  it('--erase-all: the whole flash is erased first, the manifest image written', async () => {
    const b = bench(true);
    await writeBeyondTheImage(b);
    const r = await b.flash(['--json', '--erase-all', b.manifest]);
    expect(r.code, r.stdout).toBe(0);
    expect(b.flashAt(0, app.length).equals(app)).toBe(true);
    expect(b.flashAt(KEPT_AT, kept.length).every((x) => x === 0xff)).toBe(true);
    expect(r.lines.find((l) => l.event === 'note')).toBeUndefined();
  });

  it('--json without a choice: nothing to ask on, not erased, and the note in the JSON lines says how', async () => {
    const b = bench(true);
    await writeBeyondTheImage(b);
    const r = await b.flash(['--json', b.manifest]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.lines.find((l) => l.event === 'manifest')).toMatchObject({ newInstallPromptErase: true });
    const notes = r.lines.filter((l) => l.event === 'note');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.message).toMatch(NOTE);
    expect(b.flashAt(0, app.length).equals(app)).toBe(true);
    expect(b.flashAt(KEPT_AT, kept.length).equals(kept)).toBe(true);
  });

  it('--no-erase-all answers for scripts: not erased, no note', async () => {
    const b = bench(true);
    await writeBeyondTheImage(b);
    const r = await b.flash(['--json', '--no-erase-all', b.manifest]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.lines.find((l) => l.event === 'note')).toBeUndefined();
    expect(b.flashAt(KEPT_AT, kept.length).equals(kept)).toBe(true);
  });

  it('on a terminal the person is asked: "y" erases the whole flash', async () => {
    const b = bench(true);
    await writeBeyondTheImage(b);
    const r = await b.flash([b.manifest], { stdinIsTTY: true, stdinText: 'y\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Erase the whole flash first? [y/N]');
    expect(b.flashAt(0, app.length).equals(app)).toBe(true);
    expect(b.flashAt(KEPT_AT, kept.length).every((x) => x === 0xff)).toBe(true);
  });

  it('on a terminal, a bare Enter is no (the default, as in ESP Web Tools): not erased', async () => {
    const b = bench(true);
    await writeBeyondTheImage(b);
    const r = await b.flash([b.manifest], { stdinIsTTY: true, stdinText: '\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Erase the whole flash first? [y/N]');
    expect(b.flashAt(KEPT_AT, kept.length).equals(kept)).toBe(true);
  });

  it('a manifest that does not ask: no question on a terminal, no note, not erased', async () => {
    const b = bench(undefined);
    await writeBeyondTheImage(b);
    const r = await b.flash([b.manifest], { stdinIsTTY: true, stdinText: 'y\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('Erase the whole flash first');
    expect(r.stderr).not.toMatch(NOTE);
    expect(b.flashAt(KEPT_AT, kept.length).equals(kept)).toBe(true);
  });
});
