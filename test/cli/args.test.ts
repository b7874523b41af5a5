/** Command-line parsing: FILE@OFFSET forms, numbers, regions, bauds; bad input gives the usage exit code. */
import { describe, expect, it } from 'vitest';
import { isKilnError } from '../../src-main/core/errors';
import {
  parseBaud,
  parseFileArg,
  parseFlashNumber,
  parseListenAddress,
  parseRegion,
} from '../../src-main/hosts/cli/args';
import { EXIT } from '../../src-main/hosts/cli/exit-codes';
import { runInProcess } from './helpers/cli-run';

function refusal(fn: () => unknown): { code: string; message: string; hint?: string } {
  try {
    fn();
  } catch (e) {
    if (isKilnError(e)) return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('FILE[@OFFSET]', () => {
  it.each([
    ['app.bin', { file: 'app.bin' }],
    ['app.bin@0x10000', { file: 'app.bin', offset: 0x10000 }],
    ['app.bin@0X1000', { file: 'app.bin', offset: 0x1000 }],
    ['app.bin@65536', { file: 'app.bin', offset: 65536 }],
    ['boot.bin@0', { file: 'boot.bin', offset: 0 }],
    ['fs.bin@64K', { file: 'fs.bin', offset: 65536 }],
    ['dir/with@sign/app.bin', { file: 'dir/with@sign/app.bin' }],
    ['fw@v1.2.bin', { file: 'fw@v1.2.bin' }],
    ['me@home@0x8000', { file: 'me@home', offset: 0x8000 }],
  ])('%s', (text, expected) => {
    expect(parseFileArg(text)).toEqual(expected);
  });

  it.each([
    ['app.bin@zz', /offset in "app.bin@zz" "zz" is not a number/],
    ['app.bin@', /ends with @ but gives no offset/],
    ['@0x1000', /has an offset but no file/],
    ['app.bin@-5', /"-5" is not a number/],
    ['app.bin@0x100000000', /out of range/],
    ['', /empty firmware argument/],
  ])('%s is refused with a clear message', (text, message) => {
    const r = refusal(() => parseFileArg(text));
    expect(r.code).toBe('BAD_REQUEST');
    expect(r.message).toMatch(message);
    expect(r.hint).toBeTruthy();
  });
});

describe('numbers, regions, bauds, listen addresses', () => {
  it('hex, decimal and K/M units', () => {
    expect(parseFlashNumber('0x9000', 'x')).toBe(0x9000);
    expect(parseFlashNumber('36864', 'x')).toBe(0x9000);
    expect(parseFlashNumber('4M', 'x')).toBe(4 * 1024 * 1024);
    expect(parseFlashNumber('1MB', 'x')).toBe(1024 * 1024);
    expect(refusal(() => parseFlashNumber('0', 'The size', { min: 1 })).message).toBe(
      'The size 0 is out of range.',
    );
    expect(refusal(() => parseFlashNumber('12.5', 'The offset')).message).toBe(
      'The offset "12.5" is not a number.',
    );
  });

  it('OFFSET:SIZE regions', () => {
    expect(parseRegion('0x9000:0x6000')).toEqual({ offset: 0x9000, size: 0x6000 });
    expect(parseRegion('0:4K')).toEqual({ offset: 0, size: 4096 });
    expect(refusal(() => parseRegion('0x9000')).message).toMatch(/not OFFSET:SIZE/);
    expect(refusal(() => parseRegion('0x9000:0')).message).toMatch(/region size 0 is out of range/);
  });

  it('bauds from the allowlist only', () => {
    expect(parseBaud('921600')).toBe(921600);
    expect(parseBaud('74880')).toBe(74880);
    const r = refusal(() => parseBaud('123456'));
    expect(r.message).toBe('The baud "123456" is not one Kiln uses.');
    expect(r.hint).toContain('921600');
  });

  it('listen addresses', () => {
    expect(parseListenAddress('127.0.0.1:4000')).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(parseListenAddress(':0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('4000')).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(refusal(() => parseListenAddress('host:99999')).code).toBe('BAD_REQUEST');
  });
});

describe('bad command lines exit with the usage code and say why', () => {
  it.each([
    [['flash', '--port', 'sim:esp8266', 'app.bin@zz'], /offset in "app.bin@zz"/],
    [['flash', '--port', 'sim:esp8266', '--baud', '12345', 'app.bin'], /baud "12345"/],
    [['flash', 'app.bin'], /required option '-p, --port <port>' not specified/],
    [['flash', '--port', 'sim:esp8266'], /missing required argument 'files'/],
    [['flash', '--port', 'sim:esp8266', '--flash-mode', 'quad', 'a.bin'], /flash-mode.*quad.*invalid/i],
    [['erase', '--port', 'sim:esp8266', '--region', '0x9000'], /not OFFSET:SIZE/],
    [['flash', '--port', 'sim:esp8266', '--bogus', 'a.bin'], /unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['sim', '--chip', 'esp8266'], /Choose one endpoint/],
    [['flash', '--port', 'sim:esp8266', 'does-not-exist.bin'], /does-not-exist\.bin does not exist/],
  ])('%j', async (argv, message) => {
    const r = await runInProcess([...argv, '--json']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.lines).toHaveLength(1);
    expect(r.final).toMatchObject({ ok: false, exitCode: EXIT.USAGE, error: { code: 'BAD_REQUEST' } });
    expect(r.final.error!.message).toMatch(message);
    // Human voice: the same message on stderr, stdout untouched.
    const human = await runInProcess(argv);
    expect(human.code).toBe(EXIT.USAGE);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(message);
  });

  it('--help and --version exit 0 and print to stdout', async () => {
    const help = await runInProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Getting started:');
    expect(help.stdout).toContain('Exit codes:');
    const flashHelp = await runInProcess(['flash', '--help']);
    expect(flashHelp.code).toBe(0);
    expect(flashHelp.stdout).toContain('kiln flash --port /dev/ttyUSB0 boot.bin@0x1000');
    const version = await runInProcess(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
