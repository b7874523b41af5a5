/**
 * `kiln doctor`: the report as text and JSON, and `--fix ID`: the exact argv and any file content are shown
 * first, nothing runs without a yes, and a yes reaches the service as `confirmed: true`.
 */
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/hosts/cli/exit-codes';
import type { AccessReport } from '../../src-main/service/contract';
import { runInProcess } from './helpers/cli-run';
import { fakeService } from './helpers/fake-service';
import { ANA_FAILING_LINUX } from '../helpers/access-report';

const report: AccessReport = {
  ...ANA_FAILING_LINUX,
  system: [],
  ports: [
    {
      path: '/dev/ttyUSB0',
      present: true,
      bridge: 'CH340',
      findings: [
        {
          id: 'port-permission',
          severity: 'error',
          title: 'ana may not open /dev/ttyUSB0',
          explanation: 'The port belongs to root:dialout, mode 0660, and ana is not in dialout.',
          evidence: ['crw-rw---- root:dialout /dev/ttyUSB0'],
          fixes: [
            {
              id: 'add-user-to-group',
              title: 'Add ana to the dialout group',
              explanation: 'Members of dialout may open the port.',
              commands: [['pkexec', 'usermod', '-aG', 'dialout', 'ana']],
              needsRoot: true,
              manual: ['sudo usermod -aG dialout ana'],
            },
            {
              id: 'install-udev-rule',
              title: 'Install Kiln\u2019s udev rule',
              explanation: 'Gives the person at this computer access.',
              commands: [
                ['pkexec', 'install', '-m', '0644', '{staged-file}', '/etc/udev/rules.d/60-kiln.rules'],
              ],
              needsRoot: true,
              preview: {
                path: '/etc/udev/rules.d/60-kiln.rules',
                content: 'SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", TAG+="uaccess"\n',
              },
              manual: ['sudo install -m 0644 60-kiln.rules /etc/udev/rules.d/60-kiln.rules'],
            },
          ],
        },
      ],
    },
  ],
};

describe('kiln doctor', () => {
  it('prints findings with evidence and the command for each fix', async () => {
    const r = await runInProcess(['doctor', '--port', '/dev/ttyUSB0'], {
      createService: fakeService({ report }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Port /dev/ttyUSB0 (CH340):');
    expect(r.stdout).toContain('[ERROR] ana may not open /dev/ttyUSB0');
    expect(r.stdout).toContain('seen: crw-rw---- root:dialout /dev/ttyUSB0');
    expect(r.stdout).toContain('kiln doctor --fix add-user-to-group');
    const j = await runInProcess(['doctor', '--json'], { createService: fakeService({ report }) });
    expect(j.final).toEqual({ ok: true, command: 'doctor', report });
  });

  it('--fix shows the exact argv and the file it writes, and runs nothing on "n"', async () => {
    const calls: { method: string; input: unknown }[] = [];
    const r = await runInProcess(['doctor', '--fix', 'install-udev-rule'], {
      createService: fakeService({ report }, calls),
      stdinText: 'n\n',
    });
    expect(r.code).toBe(EXIT.CANCELLED);
    expect(r.stderr).toContain(
      '["pkexec","install","-m","0644","{staged-file}","/etc/udev/rules.d/60-kiln.rules"]',
    );
    expect(r.stderr).toContain(
      'It writes /etc/udev/rules.d/60-kiln.rules:\n    | SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", TAG+="uaccess"',
    );
    expect(r.stderr).toContain('Run it? [y/N] ');
    expect(r.stderr).toContain('Nothing was run');
    expect(calls.map((c) => c.method)).toEqual(['doctorReport']);
  });

  it('no answer at all (stdin closed) is a no', async () => {
    const calls: { method: string; input: unknown }[] = [];
    const r = await runInProcess(['doctor', '--fix', 'add-user-to-group'], {
      createService: fakeService({ report }, calls),
      stdinText: '',
    });
    expect(r.code).toBe(EXIT.CANCELLED);
    expect(calls.map((c) => c.method)).not.toContain('runFix');
  });

  it('"y" runs it through the service with confirmed: true', async () => {
    const calls: { method: string; input: unknown }[] = [];
    const r = await runInProcess(['doctor', '--fix', 'add-user-to-group'], {
      createService: fakeService({ report }, calls),
      stdinText: 'y\n',
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('["pkexec","usermod","-aG","dialout","ana"]');
    expect(calls.at(-1)).toEqual({
      method: 'runFix',
      input: { fixId: 'add-user-to-group', confirmed: true },
    });
    expect(r.stdout).toContain('Done: Add ana to the dialout group.');
  });

  it('an id the report does not offer is a usage error listing the ones it does', async () => {
    const r = await runInProcess(['doctor', '--fix', 'reboot-the-moon', '--json'], {
      createService: fakeService({ report }),
    });
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.final.error?.hint).toBe('Fixes offered now: add-user-to-group, install-udev-rule.');
  });
});
