import { readGuidedMessage } from '../../src-renderer/lib/guided-message';
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDuration,
  formatHex,
  formatRate,
  parseOffset,
} from '../../src-renderer/lib/format';
import { preferredBaud } from '../../src-renderer/lib/baud';
import { argvText } from '../../src-renderer/lib/argv';
import { contextualWarnings } from '../../src-renderer/lib/firmware-warnings';
import { toUiError } from '../../src-renderer/lib/errors';
import { bootSkippedReason, resultTitle, type BootCheckContext } from '../../src-renderer/lib/result-title';
import type { BootCheckResult } from '../../src-renderer/api/types';
import { summary } from './fake-api';

describe('format', () => {
  it('parses offsets as people type them', () => {
    expect(parseOffset('0x10000')).toBe(0x10000);
    expect(parseOffset('10000')).toBe(0x10000); // bare digits are hex, as in every flashing tool
    expect(parseOffset('0X1000')).toBe(0x1000);
    expect(parseOffset('64K')).toBe(0x10000);
    expect(parseOffset('1m')).toBe(0x100000);
    expect(parseOffset('')).toBeUndefined();
    expect(parseOffset('0x')).toBeUndefined();
    expect(parseOffset('-1')).toBeUndefined();
    expect(parseOffset('0x1_000')).toBeUndefined();
    expect(parseOffset('100000000')).toBeUndefined(); // ≥ 4 GiB
  });

  it('prints sizes, rates, durations and offsets', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(297632)).toBe('291 KiB');
    expect(formatBytes(4 * 1024 * 1024)).toBe('4.00 MiB');
    expect(formatRate(0)).toBe('—');
    expect(formatRate(40960)).toBe('40.0 KiB/s');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(65_000)).toBe('1 min 05 s');
    expect(formatHex(0x8000)).toBe('0x8000');
  });
});

describe('preferredBaud', () => {
  const port = { path: '/dev/ttyUSB0', defaultBaud: 460800 };
  it('remembered choice, else the bridge-aware default, else 115200', () => {
    expect(preferredBaud(port, { '/dev/ttyUSB0': 921600 })).toBe(921600);
    expect(preferredBaud(port, { '/dev/ttyUSB1': 921600 })).toBe(460800);
    expect(preferredBaud({ path: 'x', defaultBaud: 74880 }, {})).toBe(115200); // not a flashing baud
    expect(preferredBaud(undefined, {})).toBe(115200);
  });
});

describe('argvText', () => {
  it('quotes only what a shell would need, so what is shown is what would run', () => {
    expect(argvText(['pkexec', 'usermod', '-aG', 'dialout', 'ana'])).toBe('pkexec usermod -aG dialout ana');
    expect(argvText(['pkexec', 'sh', '-c', "echo 'x' > /etc/a b"])).toBe(
      `pkexec sh -c 'echo '\\''x'\\'' > /etc/a b'`,
    );
    expect(argvText(['ln', '-sf', '/dev/null', '/etc/udev/rules.d/85-brltty.rules'])).toBe(
      'ln -sf /dev/null /etc/udev/rules.d/85-brltty.rules',
    );
  });
});

describe('contextualWarnings', () => {
  it('flags overlaps and sector misalignment between the files', () => {
    const a = {
      name: 'boot.bin',
      offset: 0x1000,
      summary: summary({ size: 0x8000, info: { chip: 'esp32', flashMode: 'dio' } }),
    };
    const b = {
      name: 'part.bin',
      offset: 0x8800,
      summary: summary({ size: 0xc00, info: { chip: 'esp32', flashMode: 'dio' } }),
    };
    const codes = (w: { code: string }[]) => w.map((x) => x.code);
    expect(codes(contextualWarnings(a, undefined, [a, b]))).toEqual(['OVERLAP']);
    expect(codes(contextualWarnings(b, undefined, [a, b]))).toEqual(['OVERLAP', 'MISALIGNED']);
    const c = { ...b, offset: 0x9000 };
    expect(codes(contextualWarnings(a, undefined, [a, c]))).toEqual([]);
  });
});

describe('toUiError', () => {
  it('keeps code, message, hint and details of contract errors; wraps anything else as INTERNAL', () => {
    expect(
      toUiError({ code: 'PORT_BUSY', message: 'busy', hint: 'close it', details: { holder: 'minicom' } }),
    ).toEqual({
      code: 'PORT_BUSY',
      message: 'busy',
      hint: 'close it',
      details: { holder: 'minicom' },
    });
    expect(toUiError(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
  });
});

describe('resultTitle: the title follows the whole outcome', () => {
  const ok = [{ verified: true }, { verified: true }];
  const boot = (verdict: BootCheckResult['verdict']): BootCheckResult => ({
    verdict,
    summary: '',
    evidence: [],
    baud: 74880,
    listenedMs: 1,
    heard: [],
  });
  const ctx: BootCheckContext = { turnedOff: false, manual: false, portGroup: 'serial' };

  it('verified and booted is the only plain success', () => {
    expect(resultTitle(ok, boot('booted'), ctx)).toEqual({
      title: 'Written, verified and booted',
      tone: 'ok',
    });
  });

  it('never says verified alone above a board that does not start', () => {
    expect(resultTitle(ok, boot('boot-loop'), ctx)).toEqual({
      title: 'Written and verified — but the board does not start (it keeps resetting)',
      tone: 'warn',
    });
    expect(resultTitle(ok, boot('no-app'), ctx).title).toBe(
      'Written and verified — but the board does not start the firmware',
    );
    expect(resultTitle(ok, boot('silent'), ctx).tone).toBe('warn');
    expect(resultTitle([{ verified: true }, { verified: false }], boot('booted'), ctx)).toEqual({
      title: 'Written, but not every part was verified — the board booted',
      tone: 'warn',
    });
    expect(resultTitle([], undefined, undefined).tone).toBe('warn');
  });

  it('a skipped boot check says why in one sentence, from what the flash was started with', () => {
    expect(resultTitle(ok, undefined, undefined)).toEqual({ title: 'Written and verified', tone: 'ok' });
    expect(resultTitle(ok, undefined, { ...ctx, turnedOff: true }).bootNote).toMatch(
      /^Boot check off: .*turned it off/,
    );
    expect(bootSkippedReason({ ...ctx, manual: true })).toMatch(
      /waited for you to power the board off and on.*Let go of the button/,
    );
    expect(bootSkippedReason({ ...ctx, portGroup: 'network' })).toMatch(
      /network \(socket\) port has no reset lines/,
    );
    expect(bootSkippedReason({ ...ctx, bridge: 'ESP native USB' })).toMatch(/own USB port disappears/);
    expect(bootSkippedReason(ctx)).toMatch(/could not restart this board/);
  });
});

describe('readGuidedMessage', () => {
  it('splits the instruction from the listening note and reads its baud', () => {
    expect(readGuidedMessage('Hold the button (GPIO0). (listening at 74880 baud)')).toEqual({
      instruction: 'Hold the button (GPIO0).',
      listeningBaud: 74880,
    });
    expect(readGuidedMessage('Download mode heard: you can let go of the button; connecting')).toEqual({
      instruction: 'Download mode heard: you can let go of the button; connecting',
      listeningBaud: undefined,
    });
    expect(readGuidedMessage(undefined)).toBeUndefined();
  });
});
