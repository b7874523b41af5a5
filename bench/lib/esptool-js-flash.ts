/**
 * One whole esptool-js 0.7.0 flash as a command: open the port, connect (no reset: a pty has no lines), detect,
 * stub, baud change, compressed writeFlash with its MD5 check, close (no reset: a pty has no lines). Run by bench/peers.ts as a
 * fresh process (bundled first, so start-up is not TypeScript compilation). Prints one JSON line with the times
 * of its phases, measured from process start.
 *
 *   node esptool-js-flash.mjs PORT BAUD IMAGE ADDRESS
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ESPLoader, Transport } from 'esptool-js';
import { WebSerialPortAdapter, serialLink } from '../../test/helpers/web-serial-port';

const [portPath, baudText, imagePath, addressText] = process.argv.slice(2);
const now = () => performance.now();
const marks: Record<string, number> = { start: now() };
const image = new Uint8Array(readFileSync(imagePath!));
const port = new WebSerialPortAdapter(serialLink(portPath!));
// esptool-js types its port as the DOM SerialPort; the adapter has the members Transport uses.
const transport = new Transport(port as unknown as ConstructorParameters<typeof Transport>[0], false);
const quiet = { clean() {}, writeLine() {}, write() {} };
const loader = new ESPLoader({ transport, baudrate: Number(baudText), romBaudrate: 115200, terminal: quiet });
await loader.main('no_reset');
marks.connected = now();
await loader.writeFlash({
  fileArray: [{ data: image, address: Number(addressText) }],
  flashMode: 'keep',
  flashFreq: 'keep',
  flashSize: 'keep',
  eraseAll: false,
  compress: true,
  calculateMD5Hash: (b: Uint8Array) => createHash('md5').update(b).digest('hex'),
});
marks.written = now();
// No after('hard_reset'): DTR/RTS do not cross a pty (ENOTTY), and kiln skips its line changes there too.
await transport.disconnect();
marks.done = now();
console.log(JSON.stringify({ client: 'esptool-js', marks }));
