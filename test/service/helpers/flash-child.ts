/**
 * Run as a separate process (possibly as another user): builds the service as a host does (real engine, serial
 * layer and doctor), offers argv[2] as the only serial port, flashes a small raw image at 0x10000 to it and prints
 * the job's jobDone payload as one JSON line.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultDeps } from '../../../src-main/service/default-deps';
import { silentLogger, type ServiceDeps } from '../../../src-main/service/deps';
import { createService } from '../../../src-main/service/service';

const portPath = process.argv[2]!;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-flash-child-'));
const deps: ServiceDeps = {
  ...defaultDeps(),
  listPorts: async () => [{ path: portPath, defaultBaud: 115200 }],
};
delete deps.watchPorts;
const service = createService(deps, {
  host: 'cli',
  appName: 'Kiln',
  appVersion: 'test',
  dataDir,
  logDir: path.join(dataDir, 'logs'),
  logger: silentLogger,
});
try {
  const fw = await service.call('inspectFirmware', {
    name: 'app.bin',
    bytes: new Uint8Array(4096).fill(0x5a),
  });
  const { jobId } = await service.call('startFlash', {
    port: portPath,
    images: [{ sha256: fw.sha256, name: 'app.bin', offset: 0x10000 }],
  });
  process.stdout.write(JSON.stringify(await service.waitForJob(jobId)) + '\n');
} finally {
  await service.shutdown();
}
