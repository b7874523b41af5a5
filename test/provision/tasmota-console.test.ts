/**
 * The Tasmota console parser on text from Tasmota's documentation and from a real capture.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  backlogLine,
  checkBacklogValue,
  isUsableIp,
  linkEventOf,
  netStatusOf,
  parseConsoleLine,
  parseResult,
  splitBacklog,
} from '../../src-main/provision/tasmota-console';
import { Secret, redact } from '../../src-main/provision/secret';
import { inspect } from 'node:util';

/** https://tasmota.github.io/docs/JSON-Status-Responses/ — "StatusNET" as printed there (addresses masked XX). */
const DOCS_STATUS_NET =
  '{"StatusNET":{"Hostname":"XXX","IPAddress":"192.168.178.XX","Gateway":"192.168.178.XX","Subnetmask":"255.255.255.XX","DNSServer":"192.168.178.XX","Mac":"2C:3A:E8:XX:XX:XX","Webserver":2,"WifiConfig":4}}';

const CAPTURE = '../shared/fixtures/real-world/tasmota_sonoff_basic_boot_wifi_fail_v611_tasmota3289.txt';

describe('console lines', () => {
  it('reads every log line of a real Sonoff Basic capture (Tasmota 6.1.1)', () => {
    const lines = readFileSync(CAPTURE, 'latin1').split('\n');
    const parsed = lines.map(parseConsoleLine).filter((l) => l !== undefined);
    expect(parsed.map((l) => l.tag)).toEqual(['WIF', 'WIF', 'WIF', 'WIF', 'WIF', 'CMD']);
    expect(parsed.map(linkEventOf).filter(Boolean)).toEqual([
      { link: 'wifi', ok: false, reason: 'Connect failed as AP cannot be reached' },
      { link: 'wifi', ok: false, reason: 'Connect failed as AP cannot be reached' },
    ]);
    // The eboot lines and the project banner are not log lines of a tag.
    expect(parseConsoleLine('load 0x4010f000, len 1384, room 16 ')).toBeUndefined();
  });

  it('reads newer builds with milliseconds', () => {
    expect(parseConsoleLine('00:00:21.347 WIF: Connected\r')).toEqual({
      time: '00:00:21.347',
      tag: 'WIF',
      text: 'Connected',
    });
  });

  it('a Status 5 reply as logged gives host name and address, a masked docs address gives none', () => {
    const line = parseConsoleLine(`00:01:02 MQT: stat/sonoff/STATUS5 = ${DOCS_STATUS_NET}`)!;
    const result = parseResult(line)!;
    expect(result.topic).toBe('stat/sonoff/STATUS5');
    expect(netStatusOf(result.json!)).toEqual({ hostname: 'XXX', mac: '2C:3A:E8:XX:XX:XX' });
    const filled = DOCS_STATUS_NET.replace('"IPAddress":"192.168.178.XX"', '"IPAddress":"192.168.178.31"');
    expect(netStatusOf(JSON.parse(filled) as Record<string, unknown>)?.ip).toBe('192.168.178.31');
  });

  it('the IPAddress1 reply shows the DHCP address in brackets (Tasmota CmndIpAddress)', () => {
    expect(netStatusOf({ IPAddress1: '0.0.0.0 (192.168.2.45)' })).toEqual({ ip: '192.168.2.45' });
    expect(netStatusOf({ IPAddress1: '0.0.0.0' })).toEqual({});
    expect(netStatusOf({ POWER: 'ON' })).toBeUndefined();
  });

  it('results that are not JSON keep their payload', () => {
    expect(parseResult(parseConsoleLine('00:00:09 MQT: tele/sonoff/LWT = Online (retained)')!)).toEqual({
      topic: 'tele/sonoff/LWT',
      payload: 'Online',
    });
    expect(parseResult(parseConsoleLine('00:00:09 MQT: tele/x = {broken')!)?.json).toBeUndefined();
    expect(parseResult(parseConsoleLine('00:00:09 WIF: Connected')!)).toBeUndefined();
  });

  it('link events from the en_GB texts', () => {
    const ev = (s: string) => linkEventOf(parseConsoleLine(s)!);
    expect(ev('00:00:05 WIF: Connect failed with AP incorrect password')).toEqual({
      link: 'wifi',
      ok: false,
      reason: 'Connect failed with AP incorrect password',
    });
    expect(ev('00:00:06 MQT: Connected')).toEqual({ link: 'mqtt', ok: true });
    expect(ev('00:00:06 MQT: Connect failed to 192.168.1.2:1883, rc 5. Retry in 10 sec')).toMatchObject({
      link: 'mqtt',
      ok: false,
    });
    expect(ev('00:00:06 APP: Restarting')).toEqual({ link: 'restart' });
    expect(ev('00:00:06 CMD: Status 5')).toBeUndefined();
  });

  it('addresses', () => {
    expect(isUsableIp('10.0.0.1')).toBe(true);
    expect(isUsableIp('0.0.0.0')).toBe(false);
    expect(isUsableIp('256.1.1.1')).toBe(false);
    expect(isUsableIp(undefined)).toBe(false);
  });
});

describe('Backlog', () => {
  it('joins commands with "; " and splits back the same way', () => {
    const line = backlogLine(['SSId1 home', 'Password1 pw', 'MqttHost 192.168.1.2']);
    expect(line).toBe('Backlog SSId1 home; Password1 pw; MqttHost 192.168.1.2');
    expect(splitBacklog(line)).toEqual(['SSId1 home', 'Password1 pw', 'MqttHost 192.168.1.2']);
    expect(splitBacklog('Status 5')).toBeUndefined();
  });

  it('refuses values Backlog cannot carry and more than 30 commands', () => {
    expect(checkBacklogValue('Password1', 'a;b')).toMatch(/Password1 contains ";"/);
    expect(checkBacklogValue('SSId1', 'home')).toBeUndefined();
    expect(() => backlogLine(Array.from({ length: 31 }, () => 'Status'))).toThrow(RangeError);
  });
});

describe('Secret', () => {
  it('never turns into its value as text', () => {
    const s = new Secret('hunter2-pass');
    const text = [`${s}`, String(s), JSON.stringify({ s }), inspect({ s }), inspect(s)].join(' ');
    expect(text).not.toContain('hunter2-pass');
    expect(s.reveal()).toBe('hunter2-pass');
    expect(redact('CMD: Backlog Password1 hunter2-pass; SSId1 x', [s])).toBe(
      'CMD: Backlog Password1 [secret]; SSId1 x',
    );
  });
});
