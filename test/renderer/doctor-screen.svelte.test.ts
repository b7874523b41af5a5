import { describe, expect, it } from 'vitest';
import { render, screen, fireEvent, within } from '@testing-library/svelte';
import DoctorScreen from '../../src-renderer/screens/DoctorScreen.svelte';
import { AppState, appStateContext } from '../../src-renderer/state/app-state.svelte';
import type { AccessReport } from '../../src-renderer/api/types';
import { createFakeApi, settle } from './fake-api';
import { ANA_FAILING_LINUX } from '../helpers/access-report';

const REPORT: AccessReport = {
  ...ANA_FAILING_LINUX,
  system: [
    {
      id: 'brltty-installed',
      severity: 'warn',
      title: 'brltty is installed and claims USB-serial adapters',
      explanation: 'The braille daemon grabs CH340/CP210x ports a second after plug-in.',
      evidence: ['/usr/lib/udev/rules.d/85-brltty.rules: ENV{PRODUCT}=="1a86/7523/*"'],
      fixes: [
        {
          id: 'udev-rule',
          title: 'Install the Kiln udev rule',
          explanation:
            'Gives the logged-in user access to ESP boards and tells ModemManager and brltty to leave them alone.',
          commands: [
            [
              'pkexec',
              '/usr/bin/install',
              '-m',
              '0644',
              '/tmp/kiln/60-kiln.rules',
              '/etc/udev/rules.d/60-kiln.rules',
            ],
            ['pkexec', 'udevadm', 'control', '--reload-rules'],
          ],
          needsRoot: true,
          preview: {
            path: '/etc/udev/rules.d/60-kiln.rules',
            content: 'SUBSYSTEM=="tty", ATTRS{idVendor}=="10c4", TAG+="uaccess"',
          },
          manual: ['sudo install -m 0644 60-kiln.rules /etc/udev/rules.d/'],
          warning: 'Unplug and replug the board afterwards.',
        },
      ],
    },
  ],
  ports: [{ path: '/dev/ttyUSB0', present: true, bridge: 'CH340', findings: [] }],
};

describe('Doctor screen', () => {
  it('shows findings with evidence; a fix shows exactly what will run and the file it writes, and runs only on confirm', async () => {
    const api = createFakeApi();
    api.fn.doctorReport.mockResolvedValue(REPORT);
    api.fn.runFix.mockResolvedValue({ ok: true, status: 'done', output: 'ok' });
    const app = new AppState(api);
    render(DoctorScreen, { context: appStateContext(app) });
    await settle();

    const finding = screen.getByTestId('finding');
    expect(finding).toHaveTextContent('Warning');
    expect(finding).toHaveTextContent('brltty is installed');
    expect(within(finding).getByText(/85-brltty.rules/).tagName).toBe('BLOCKQUOTE');

    await fireEvent.click(within(finding).getByRole('button', { name: 'Install the Kiln udev rule…' }));
    expect(api.fn.runFix).not.toHaveBeenCalled();
    const dialog = screen.getByRole('dialog', { name: 'Install the Kiln udev rule' });
    expect(within(dialog).getByTestId('fix-commands').textContent).toBe(
      'pkexec /usr/bin/install -m 0644 /tmp/kiln/60-kiln.rules /etc/udev/rules.d/60-kiln.rules\npkexec udevadm control --reload-rules',
    );
    expect(within(dialog).getByTestId('fix-preview')).toHaveTextContent(
      'SUBSYSTEM=="tty", ATTRS{idVendor}=="10c4", TAG+="uaccess"',
    );
    expect(dialog).toHaveTextContent('/etc/udev/rules.d/60-kiln.rules');
    expect(dialog).toHaveTextContent('Unplug and replug the board afterwards.');

    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.fn.runFix).not.toHaveBeenCalled();

    await fireEvent.click(
      within(screen.getByTestId('finding')).getByRole('button', { name: 'Install the Kiln udev rule…' }),
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Run these commands' }));
    await settle();
    expect(api.fn.runFix).toHaveBeenCalledWith({ fixId: 'udev-rule', confirmed: true });
    expect(screen.getByTestId('fix-outcome')).toHaveTextContent('Install the Kiln udev rule: done');
  });
});
