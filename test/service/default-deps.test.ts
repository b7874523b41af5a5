/**
 * The adapters between the real modules and the contract: doctor reports and fix results in the contract's
 * shapes (validated by its schemas), and virtual boards that keep their flash across connections.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src-main/core/clock';
import { FIXES, type AccessReport as DoctorReport } from '../../src-main/doctor/index';
import { accessReportSchema, methods } from '../../src-main/service/contract';
import { createSimDevice, toContractReport, toRunFixOutput } from '../../src-main/service/default-deps';

describe('doctor adapters', () => {
  const fix = FIXES.addUserToGroup('dialout', 'ana');
  const report: DoctorReport = {
    root: '/',
    uid: 1000,
    user: 'ana',
    processGroups: ['ana'],
    databaseGroups: ['ana', 'dialout'],
    system: [],
    ports: [
      {
        path: '/dev/ttyUSB0',
        node: '/dev/ttyUSB0',
        present: true,
        usb: { vid: '1a86', pid: '7523', bridge: 'CH340', driver: 'ch341' },
        findings: [
          {
            id: 'group-not-active',
            severity: 'error',
            title: 'dialout was added but is not active in this login',
            explanation: 'Log out and back in.',
            evidence: ['crw-rw---- root:dialout /dev/ttyUSB0'],
            fixes: [fix],
          },
        ],
        worst: 'error',
      },
    ],
    worst: 'error',
    fixes: [fix],
  };

  it('maps an access report onto the contract, keeping every command to be shown', () => {
    const mapped = toContractReport(report, 'linux');
    expect(accessReportSchema.safeParse(mapped).success).toBe(true);
    expect(mapped).toMatchObject({
      platform: 'linux',
      ok: false,
      worst: 'error',
      user: 'ana',
      databaseGroups: ['ana', 'dialout'],
    });
    const f = mapped.ports[0]!.findings[0]!.fixes[0]!;
    expect(f.id).toBe(fix.id);
    expect(f.explanation).toBe(fix.why);
    expect(f.commands).toEqual(fix.steps.map((s) => s.argv));
    expect(f.commands[0]![0]).toBe('pkexec');
    expect(f.needsRoot).toBe(true);
    expect(f.manual).toEqual(fix.manual);
    expect(mapped.ports[0]!.bridge).toBe('CH340');
  });

  it('maps every fix outcome onto the runFix output schema', () => {
    const fix = FIXES.addUserToGroup('dialout', 'ana');
    const outputs = [
      toRunFixOutput(
        {
          status: 'done',
          steps: [{ argv: ['pkexec', 'true'], code: 0, stdout: 'ok\n', stderr: '' }],
        },
        fix,
      ),
      toRunFixOutput(
        {
          status: 'failed',
          steps: [],
          message: 'usermod failed',
          manual: ['sudo usermod -aG dialout ana'],
        },
        fix,
      ),
      toRunFixOutput(
        {
          status: 'manual',
          reason: 'no-polkit-agent',
          manual: ['sudo usermod -aG dialout ana'],
          steps: [],
        },
        fix,
      ),
      toRunFixOutput({ status: 'declined' }, fix),
      toRunFixOutput({ status: 'stale', message: 'PID 4242 no longer holds /dev/ttyUSB0' }, fix),
    ];
    for (const o of outputs) expect(methods.runFix.output.safeParse(o).success, JSON.stringify(o)).toBe(true);
    expect(outputs.map((o) => [o.ok, o.status])).toEqual([
      [true, 'done'],
      [false, 'failed'],
      [false, 'manual'],
      [false, 'declined'],
      [false, 'failed'],
    ]);
    expect(outputs[3]!.manual).toEqual(['sudo usermod -aG dialout ana']);
    expect(outputs[4]!.error?.code).toBe('NOT_FOUND');
    expect(outputs[0]!.output).toContain('$ pkexec true');
    expect(outputs[2]!.manual).toEqual(['sudo usermod -aG dialout ana']);
  });
});

describe('virtual boards', () => {
  it('are created from sim: URLs and keep their flash between connections', () => {
    const clock = new VirtualClock();
    const board = createSimDevice('sim:esp8266?flash=1MB', clock);
    expect(board.chip).toBe('esp8266');
    const first = board.open(115200);
    expect(first.info.path).toBe('sim:esp8266?flash=1MB');
    expect(board.readFlash(0, 4)).toEqual(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    const second = board.open(115200);
    expect(second.isOpen).toBe(true);
    board.dispose?.();
  });

  it('refuse unknown chips and faults with BAD_REQUEST', () => {
    const clock = new VirtualClock();
    expect(() => createSimDevice('sim:esp99', clock)).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
    expect(() => createSimDevice('sim:esp8266?fault=gremlins', clock)).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });
});
