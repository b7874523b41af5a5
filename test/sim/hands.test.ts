import { describe, expect, it } from 'vitest';
import { isKilnError } from '../../src-main/core/errors';
import { Op, SYNC_PAYLOAD } from '../../src-main/esp/link/protocol';
import { parseHandScript, POWER_OFF_MS, VirtualHands } from '../../src-main/sim/hands';
import { parseSimUrl } from '../../src-main/sim/url';
import { rig } from './rig';

const text = (b: Buffer) => b.toString('latin1');

/** A Sonoff on its own supply, with hands, heard at the ROM's 74880. */
function sonoff(extra: Parameters<typeof rig>[0] = {}) {
  const r = rig({ chip: 'esp8266', board: 'no-auto-reset', poweredByHand: true, hostBaud: 74880, ...extra });
  return { ...r, hands: new VirtualHands(r.device, r.clock) };
}

describe('virtual hands', () => {
  it('a hand-powered Sonoff says nothing when the port opens; it is already running', async () => {
    const r = sonoff();
    await r.wait(500);
    expect(r.rx().length).toBe(0);
    expect(r.device.mode).toBe('flash-boot');
    await r.close();
  });

  it('button held through a power cycle: download banner (1,x) with rst cause 1, then SYNC is answered', async () => {
    const r = sonoff();
    r.hands.do('hold');
    r.hands.do('power');
    await r.wait(POWER_OFF_MS + 200);
    expect(text(r.rx())).toContain('rst cause:1, boot mode:(1,');
    expect(r.device.mode).toBe('download');
    r.hands.do('release'); // letting go after power-up changes nothing: the strap was sampled
    await r.pair.host.setBaudRate(115200);
    // The first SYNC at a baud other than the banner's is used up by the autobaud (faults-boot tests); the second is answered.
    await r.send(Op.SYNC, SYNC_PAYLOAD);
    const reply = await r.command(Op.SYNC, SYNC_PAYLOAD);
    expect(reply.value).toBe(0x20120707);
    await r.close();
  });

  it('released too early: power-up prints (3,6); holding and pressing RESET then gives (1,x) with rst cause 2', async () => {
    const r = sonoff();
    r.hands.do('power');
    await r.wait(POWER_OFF_MS + 200);
    expect(text(r.rx())).toContain('rst cause:1, boot mode:(3,6)');
    expect(r.device.mode).toBe('flash-boot');
    r.arrivals.length = 0;
    r.hands.do('hold');
    r.hands.do('reset');
    await r.wait(200);
    expect(text(r.rx())).toContain('rst cause:2, boot mode:(1,');
    expect(r.device.mode).toBe('download');
    await r.close();
  });

  it('power off: silence and no reply; DTR/RTS reach nothing on a Sonoff', async () => {
    const r = sonoff();
    r.hands.do('off');
    await r.pair.host.setSignals({ dtr: false, rts: true });
    await r.pair.host.setSignals({ dtr: true, rts: false });
    await r.wait(300);
    expect(r.rx().length).toBe(0);
    expect(r.device.mode).toBe('off');
    await r.close();
  });

  it('swapped wires hide the banner; unswapping brings the next one through', async () => {
    const r = sonoff({ faults: { swapTxRx: true } });
    expect(r.hands.now.swapped).toBe(true);
    r.hands.do('hold');
    r.hands.do('power');
    await r.wait(POWER_OFF_MS + 200);
    expect(r.rx().length).toBe(0);
    r.hands.do('unswap');
    r.hands.do('power');
    await r.wait(POWER_OFF_MS + 200);
    expect(text(r.rx())).toContain('boot mode:(1,');
    await r.close();
  });

  it('loopback jumper: the host hears exactly its own bytes back', async () => {
    const r = sonoff();
    r.hands.do('loop');
    const pattern = Buffer.from([0x55, 0xaa, 0x00, 0xff, 0x0f]);
    await r.pair.host.write(pattern);
    await r.wait(50);
    expect(r.rx()).toEqual(pattern);
    expect(r.hands.now.powered).toBe(false); // the board is off the adapter while the jumper is on
    r.hands.do('unloop');
    expect(r.hands.now.loopback).toBe(false);
    await r.close();
  });

  it('a script plays in time order on the clock', async () => {
    const r = sonoff();
    r.hands.play(parseHandScript('release@3,hold@0.5,power@1'));
    await r.wait(900);
    expect(r.rx().length).toBe(0);
    expect(r.hands.now.buttonHeld).toBe(true);
    await r.wait(1000);
    expect(text(r.rx())).toContain('boot mode:(1,');
    await r.wait(1500);
    expect(r.hands.now.buttonHeld).toBe(false);
    await r.close();
  });

  it('sim: URLs carry the script; a bad action is refused', () => {
    expect(parseSimUrl('sim:esp8266?board=sonoff&hands=hold@0.5,power@1,release@3').hands).toEqual([
      { atMs: 500, action: 'hold' },
      { atMs: 1000, action: 'power' },
      { atMs: 3000, action: 'release' },
    ]);
    let err: unknown;
    try {
      parseSimUrl('sim:esp8266?hands=wiggle@1');
    } catch (e) {
      err = e;
    }
    expect(isKilnError(err) && err.code).toBe('BAD_REQUEST');
  });
});
