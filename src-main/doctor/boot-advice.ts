/** The next steps a boot check offers: the supply, the firmware, noise, and a re-flash in another flash mode. */
import type { HeaderFlashMode, RetryFlashMode } from './boot-report';

export const POWER_STEP =
  'Check the supply: a steady 3.3 V with at least 500 mA (an FT232R adapter\u2019s 3.3 V pin cannot), a short USB cable, and GND shared with the adapter.';
export const FIRMWARE_STEP =
  'If the supply is fine, the firmware itself crashes at start-up: flash a known-good image to compare.';
export const NOISE_STEPS = [
  'Connect the adapter\u2019s GND to the board\u2019s GND and set the adapter to 3.3 V logic.',
  'Use short wires and a supply that can deliver 300 mA.',
];

export function flashModeAdvice(current: HeaderFlashMode | undefined): {
  advice: string[];
  retry: RetryFlashMode[];
} {
  const retry: RetryFlashMode[] =
    current === 'dout' ? ['dio'] : current === 'dio' ? ['dout'] : ['dout', 'dio'];
  const asked = current ? ` The image now asks for ${current.toUpperCase()}.` : '';
  const advice =
    retry[0] === 'dout'
      ? [
          `Flash again with flash mode DOUT: every ESP8285, most Sonoff boards and some ESP-01/ESP-12 modules can only read their flash that way.${asked}`,
          'If DOUT does not boot either, try DIO.',
          POWER_STEP,
        ]
      : [`Flash again with flash mode ${retry[0]!.toUpperCase()}.${asked}`, POWER_STEP];
  return { advice, retry };
}
