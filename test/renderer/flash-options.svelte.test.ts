/**
 * FlashOptionsState and board presets: picking a preset sets flash mode, flash size and the safe baud, and a port
 * picked afterwards brings its own baud only up to that safe baud (a Sonoff picked first stays at 115200 on an
 * adapter that could go faster). The values come from the one preset table in the vocabulary.
 */
import { describe, expect, it } from 'vitest';
import { FlashOptionsState } from '../../src-renderer/state/flash-options.svelte';
import { boardPreset } from '../../src-main/vocabulary';

function preset(id: string) {
  const p = boardPreset(id);
  if (!p) throw new Error(`no preset ${id}`);
  return p;
}

describe('FlashOptionsState.applyPreset', () => {
  it('takes the preset’s flash mode, flash size and safe baud, and sends them', () => {
    const o = new FlashOptionsState();
    o.baud = 921600;
    o.applyPreset(preset('sonoff-basic'));
    expect(o.preset?.id).toBe('sonoff-basic');
    expect(o.baud).toBe(115200);
    expect(o.flashMode).toBe('dout');
    expect(o.flashSize).toBe('1MB');
    expect(o.toOptions()).toMatchObject({ flashMode: 'dout', flashSize: '1MB' });
  });

  it('clearing the preset keeps the choices it made', () => {
    const o = new FlashOptionsState();
    o.applyPreset(preset('nodemcu'));
    o.applyPreset(undefined);
    expect(o.preset).toBeUndefined();
    expect([o.baud, o.flashMode, o.flashSize]).toEqual([460800, 'dio', '4MB']);
  });
});

describe('FlashOptionsState.applyPortBaud', () => {
  it('without a preset, the port’s baud is taken as it is', () => {
    const o = new FlashOptionsState();
    o.applyPortBaud(921600);
    expect(o.baud).toBe(921600);
  });

  it('a port picked after the Sonoff preset does not raise the baud above the preset’s safe 115200', () => {
    const o = new FlashOptionsState();
    o.applyPreset(preset('sonoff-basic'));
    o.applyPortBaud(921600);
    expect(o.baud).toBe(115200);
  });

  it('a port slower than the preset’s safe baud keeps its own (the cap only lowers)', () => {
    const o = new FlashOptionsState();
    o.applyPreset(preset('esp32-native-usb'));
    o.applyPortBaud(460800);
    expect(o.baud).toBe(460800);
  });
});
