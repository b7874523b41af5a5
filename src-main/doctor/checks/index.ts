/** The access rule table: every check, in the order its findings are most useful to read. */
import type { AccessCheck } from '../access-context';
import { brlttyPortCheck, brlttySystemCheck } from './brltty';
import { confinementCheck } from './confinement';
import { ftdiLatencyCheck } from './ftdi-latency';
import { holdersCheck } from './holders';
import { modemManagerCheck } from './modem-manager';
import { nodeCheck } from './node';
import { permissionCheck } from './permission';
import { polkitCheck } from './polkit';
import { udevCoverageCheck } from './udev-coverage';
import { usbDriverCheck } from './usb-driver';
import { uucpLockCheck } from './uucp-lock';
import { wslCheck } from './wsl';

export const ACCESS_CHECKS: readonly AccessCheck[] = [
  nodeCheck,
  permissionCheck,
  brlttyPortCheck,
  holdersCheck,
  uucpLockCheck,
  modemManagerCheck,
  udevCoverageCheck,
  wslCheck,
  confinementCheck,
  usbDriverCheck,
  ftdiLatencyCheck,
  brlttySystemCheck,
  polkitCheck,
];
