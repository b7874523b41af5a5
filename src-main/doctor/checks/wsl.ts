/** WSL 2 sees no USB devices unless usbipd-win attaches them from Windows; its /dev/ttyS* are placeholders. */
import { discoverSerialNodes, type AccessCheck } from '../access-context';
import { FIXES } from '../fixes';

export const wslCheck: AccessCheck = {
  id: 'wsl',
  scope: 'system',
  async run(ctx) {
    const release = (await ctx.view.readText('/proc/sys/kernel/osrelease'))?.trim() ?? '';
    const distro = ctx.view.env('WSL_DISTRO_NAME');
    if (!/microsoft|wsl/i.test(release) && !distro) return [];
    const nodes = await discoverSerialNodes(ctx.view);
    const evidence = [
      `/proc/sys/kernel/osrelease: ${release}`,
      ...(distro ? [`WSL_DISTRO_NAME=${distro}`] : []),
      `serial ports: ${nodes.join(', ') || 'none'}`,
    ];
    if (nodes.length > 0) {
      return [
        {
          id: 'wsl-usb-attached',
          severity: 'info',
          title: 'Running in WSL with a USB serial port attached',
          explanation: 'usbipd-win passes a USB device through; after each replug it must be attached again.',
          evidence,
          fixes: [FIXES.wslUsbipd()],
        },
      ];
    }
    return [
      {
        id: 'wsl-no-usb',
        severity: 'error',
        title: 'WSL has no USB serial ports',
        explanation:
          'Windows keeps USB devices to itself until usbipd-win attaches them to WSL. The /dev/ttyS* ports in WSL are placeholders. Alternatively run the Windows build of Kiln.',
        evidence,
        fixes: [FIXES.wslUsbipd()],
      },
    ];
  },
};
