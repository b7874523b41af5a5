/** Which udev rules name this adapter's VID:PID (brltty's own rules are judged by the brltty check). */
import type { AccessCheck } from '../access-context';
import { FIXES } from '../fixes';
import { isBrlttyRuleFile, rulesCovering } from '../udev-rules';

export const udevCoverageCheck: AccessCheck = {
  id: 'udev-coverage',
  scope: 'port',
  async run(ctx, port) {
    if (!port?.stat || !port.usb) return [];
    const { vid, pid } = port.usb;
    const files = ctx.ruleFiles.filter((f) => !isBrlttyRuleFile(f.name));
    const matches = await rulesCovering(ctx.view, vid, pid, files);
    const accessOk = port.canRead && port.canWrite;
    const evidence = matches.map((m) => `${m.file}:${m.lineNo}: ${m.line}`);
    if (matches.length === 0) {
      return [
        {
          id: 'udev-no-rule',
          severity: accessOk ? 'info' : 'warn',
          title: `No udev rule names ${vid}:${pid}`,
          explanation: accessOk
            ? 'Not needed right now: you can open the port.'
            : 'Nothing gives the person at this computer access to this adapter; only the default group rule applies. Kiln\u2019s udev rule does (uaccess), and keeps ModemManager away.',
          evidence: [
            `searched /etc/udev/rules.d, /run/udev/rules.d, /usr/lib/udev/rules.d, /lib/udev/rules.d for ${vid}:${pid}: no match`,
          ],
          fixes: accessOk ? [] : [FIXES.installUdevRule()],
        },
      ];
    }
    const uaccess = matches.some((m) => m.uaccess);
    if (uaccess && !accessOk) {
      return [
        {
          id: 'udev-uaccess-not-applied',
          severity: 'warn',
          title: 'A udev rule with uaccess covers this adapter, but it did not grant access',
          explanation:
            'uaccess gives an ACL only to the user of the active local session (not over SSH), only from a rule file that sorts before 73-seat-late.rules, and only when the device is added: unplug and replug the board.',
          evidence,
          fixes: [],
        },
      ];
    }
    return [
      {
        id: 'udev-rule-present',
        severity: 'ok',
        title: `udev rules name ${vid}:${pid}`,
        explanation: uaccess
          ? 'Including a uaccess tag for the person at this computer.'
          : 'These rules apply to this adapter.',
        evidence,
        fixes: [],
      },
    ];
  },
};
