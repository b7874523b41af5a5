/**
 * Run as a separate process (possibly as another user): opens argv[2] with openSerialPort and prints one JSON line,
 * `{"ok":true}` or the KilnError data. With argv[3] === 'hold' it keeps the port open until killed.
 */
import { openSerialPort } from '../../../src-main/serial/serialport-transport';
import { toErrorData } from '../../../src-main/core/errors';

const [, , portPath, mode] = process.argv;
try {
  const t = await openSerialPort(portPath!, { baudRate: 115200 });
  process.stdout.write(JSON.stringify({ ok: true }) + '\n');
  if (mode === 'hold') setInterval(() => undefined, 1000);
  else await t.close();
} catch (err) {
  process.stdout.write(JSON.stringify(toErrorData(err)) + '\n');
}
