/**
 * Sandboxes that hide serial ports: a snap needs the raw-usb interface connected (AppArmor refuses the open
 * despite the group); a Flatpak without --device=all has no /dev/ttyUSB* at all.
 */
import type { AccessCheck } from '../access-context';
import { FIXES } from '../fixes';
import type { Finding } from '../findings';

function iniValue(text: string, section: string, key: string): string | undefined {
  let inSection = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inSection = line === `[${section}]`;
    else if (inSection) {
      const m = line.match(/^([^=]+)=(.*)$/);
      if (m && m[1]!.trim() === key) return m[2]!.trim();
    }
  }
  return undefined;
}

export const confinementCheck: AccessCheck = {
  id: 'confinement',
  scope: 'system',
  async run(ctx) {
    const out: Finding[] = [];
    const snap = ctx.view.env('SNAP');
    if (snap) {
      const name = ctx.view.env('SNAP_INSTANCE_NAME') ?? ctx.view.env('SNAP_NAME') ?? 'kiln';
      out.push({
        id: 'snap-confinement',
        severity: 'warn',
        title: 'Kiln runs as a snap',
        explanation:
          'Snap confinement blocks USB serial ports unless the raw-usb interface is connected; it is not connected automatically. Without it, opening a port fails with "Permission denied" even for members of dialout.',
        evidence: [`SNAP=${snap}`, `snap name: ${name}`],
        fixes: [FIXES.snapConnect(name)],
      });
    }
    const info = await ctx.view.readText('/.flatpak-info');
    if (info !== undefined) {
      const devices = iniValue(info, 'Context', 'devices') ?? '';
      const app = iniValue(info, 'Application', 'name') ?? 'APP_ID';
      const all = devices
        .split(';')
        .map((s) => s.trim())
        .includes('all');
      out.push({
        id: all ? 'flatpak-devices-ok' : 'flatpak-no-devices',
        severity: all ? 'ok' : 'error',
        title: all ? 'Flatpak sandbox has device access' : 'The Flatpak sandbox hides serial ports',
        explanation: all
          ? 'devices=all is granted, so /dev/ttyUSB* and /dev/ttyACM* are visible.'
          : 'This Flatpak has no access to devices: /dev/ttyUSB* and /dev/ttyACM* do not exist inside it.',
        evidence: [`/.flatpak-info [Context] devices=${devices}`, `[Application] name=${app}`],
        fixes: all ? [] : [FIXES.flatpakDevices(app)],
      });
    }
    return out;
  },
};
